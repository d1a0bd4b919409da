package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestPrereqs: without pandas, the prerequisite check that make test runs
// first stops at once with the command that installs it; with what it needs,
// it passes.
func TestPrereqs(t *testing.T) {
	run := func(python, what string) (int, string, time.Duration) {
		cmd := exec.Command("bash", "../../scripts/prereqs.sh", what)
		cmd.Env = append(os.Environ(), "PYTHON="+python)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), time.Since(start)
	}
	code, out, took := run("/nonexistent/python3", "test")
	if code != 2 || !strings.Contains(out, "apt-get install -y python3-pandas") {
		t.Errorf("prereqs.sh test without pandas = %d, %q; want 2 and the install line", code, out)
	}
	t.Logf("stopped in %v", took)
	if code, out, _ := run("/nonexistent/python3", "release"); code != 0 {
		t.Errorf("prereqs.sh release needs only Go, got %d: %s", code, out)
	}
}
