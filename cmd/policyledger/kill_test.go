package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the policyledger command, so that
// tests can run it as a subprocess and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("POLICYLEDGER_RUN_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func cli(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "POLICYLEDGER_RUN_MAIN=1")
	return cmd
}

// verify checks a release folder against its SHA256SUMS.
func verify(t *testing.T, dir string) {
	t.Helper()
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		want, name, _ := strings.Cut(line, "  ")
		b, err := os.ReadFile(filepath.Join(dir, name))
		sum := sha256.Sum256(b)
		if err != nil || hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s/%s does not match SHA256SUMS (%v)", dir, name, err)
		}
		n++
	}
	if n < 20 {
		t.Errorf("%s: SHA256SUMS lists %d files", dir, n)
	}
}

// TestKillWhileReleasing kills the command with SIGKILL at several points
// while it writes a release. No partial version may be visible, an earlier
// release must stay intact, and the next run must complete normally.
func TestKillWhileReleasing(t *testing.T) {
	out := t.TempDir()
	if b, err := cli("run", "--output", out, "--log-level", "error").CombinedOutput(); err != nil {
		t.Fatalf("first run: %v\n%s", err, b)
	}
	earlier := filepath.Join(out, "releases", "0.1.0")
	before, _ := os.ReadFile(filepath.Join(earlier, "SHA256SUMS"))

	fresh := t.TempDir()
	for _, after := range []time.Duration{0, 40 * time.Millisecond, 120 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond} {
		for _, target := range []string{out, fresh} {
			cmd := cli("run", "--output", target, "--log-level", "error")
			cmd.Env = append(cmd.Env, "POLICYLEDGER_TEST_WRITE_DELAY=25ms")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(after)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			entries, _ := os.ReadDir(filepath.Join(target, "releases"))
			for _, e := range entries {
				if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
					verify(t, filepath.Join(target, "releases", e.Name())) // visible means complete
				}
			}
		}
	}
	if now, _ := os.ReadFile(filepath.Join(earlier, "SHA256SUMS")); !bytes.Equal(before, now) {
		t.Error("the earlier release changed")
	}
	verify(t, earlier)
	for _, target := range []string{out, fresh} {
		var stdout bytes.Buffer
		cmd := cli("run", "--output", target, "--log-level", "error")
		cmd.Stdout = &stdout
		if err := cmd.Run(); err != nil {
			t.Fatalf("run after the kills: %v", err)
		}
		verify(t, filepath.Join(target, "releases", "0.1.0"))
		entries, _ := os.ReadDir(filepath.Join(target, "releases"))
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".staging") {
				t.Errorf("%s: staging folder %s left after a normal run", target, e.Name())
			}
		}
		t.Logf("%s: %s", filepath.Base(target), lastLine(stdout.String(), "note     release"))
	}
}

func lastLine(s, prefix string) string {
	out := ""
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = l
		}
	}
	return fmt.Sprint(out)
}
