package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/policyledger/policyledger/schemas"
)

const pinned = "第一条 合作\n\n一、加强交流。\n"

// fast are settings that keep fault tests short; loopback is allowed
// because the test servers live there.
var fast = HTTP{Timeout: 700 * time.Millisecond, Connect: time.Second, Retries: 2, RetryWaitMin: 5 * time.Millisecond,
	RetryWaitMax: 1500 * time.Millisecond, MaxBody: 1 << 20, AllowPrivate: true, UserAgent: "policyledger-test"}

func hexsum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// setup writes a manifest with one source per url, each pinned to the same
// snapshot text, and returns the folder.
func setup(t *testing.T, urls ...string) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "snapshots"), 0o755)
	var b strings.Builder
	b.WriteString("# the manifest's own comment\ndataset: {name: t, title: T}\nsources:\n")
	for i, u := range urls {
		name := fmt.Sprintf("s%d.md", i)
		os.WriteFile(filepath.Join(dir, "snapshots", name), []byte(pinned), 0o644)
		fmt.Fprintf(&b, "  - {id: src%d, issuer: i, document_type: d, languages: [zh], layout: markdown-zh, licence: l, heading_kinds: [article], url: %q, snapshot: snapshots/%s, sha256: %s}\n", i, u, name, hexsum([]byte(pinned)))
	}
	os.WriteFile(filepath.Join(dir, "sources.yaml"), []byte(b.String()), 0o644)
	return dir
}

func refresh(t *testing.T, dir string, accept bool, h HTTP) (*schemas.State, error) {
	t.Helper()
	st := &schemas.State{Sources: os.DirFS(dir), ManifestPath: "sources.yaml"}
	err := Stage{Options{Refresh: true, AcceptChanges: accept, Dir: dir, HTTP: h}}.Run(context.Background(), st)
	return st, err
}

// intact checks that every pinned snapshot still holds its bytes and the
// manifest still pins it.
func intact(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(dir, "snapshots"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "s") && strings.Count(e.Name(), ".") == 1 {
			if b, _ := os.ReadFile(filepath.Join(dir, "snapshots", e.Name())); string(b) != pinned {
				t.Errorf("pinned snapshot %s changed", e.Name())
			}
		}
	}
	m, err := os.ReadFile(filepath.Join(dir, "sources.yaml"))
	if err != nil || !strings.Contains(string(m), hexsum([]byte(pinned))) {
		t.Errorf("manifest no longer pins the snapshot: %v", err)
	}
}

func notes(st *schemas.State) string { return strings.Join(st.Notes, "\n") }

func TestRefreshFaults(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("第一条 合作\n\n一、加强交流。\n二、深化合作。\n")
	var hits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%2 == 1 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, pinned)
	})
	mux.HandleFunc("/throttled", func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%2 == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, pinned)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		w.Write([]byte("第一条"))
		w.(http.Flusher).Flush()
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	})
	mux.HandleFunc("/truncated", func(w http.ResponseWriter, r *http.Request) {
		conn, buf, _ := w.(http.Hijacker).Hijack()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n第一条 合作")
		buf.Flush()
		conn.Close()
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/loop-a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-b", http.StatusFound) })
	mux.HandleFunc("/loop-b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-a", http.StatusFound) })
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://evil.invalid/page", http.StatusFound)
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(strings.Repeat("大", 1<<19))) })
	mux.HandleFunc("/gbk", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(gbk))
	})
	mux.HandleFunc("/etag", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, pinned)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		name, path string
		ok         bool
		want       []string // in the error, or in the notes when ok
		minTime    time.Duration
	}{
		{"500 then 200", "/flaky", true, []string{"unchanged", "2 attempt(s)"}, 0},
		{"429 with Retry-After", "/throttled", true, []string{"unchanged", "2 attempt(s)"}, time.Second},
		{"slow body past the timeout", "/slow", false, []string{"src0", "/slow", "Client.Timeout"}, 0},
		{"connection reset", "/reset", false, []string{"src0", "failed after 3 attempt(s)"}, 0},
		{"truncated body", "/truncated", false, []string{"src0", "body cut short"}, 0},
		{"404", "/missing", false, []string{"src0", "404 Not Found", "pinned snapshot is unchanged"}, 0},
		{"redirect loop", "/loop-a", false, []string{"src0", "redirects"}, 0},
		{"redirect to another host", "/elsewhere", false, []string{"src0", `redirect to host "evil.invalid"`}, 0},
		{"oversize body", "/huge", false, []string{"src0", "larger than the 1048576-byte limit"}, 0},
		{"GBK without a charset", "/gbk", true, []string{"CHANGED", "gb18030", "--accept-changes", "1 lines added"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			dir := setup(t, srv.URL+tt.path)
			start := time.Now()
			st, err := refresh(t, dir, false, fast)
			if tt.ok != (err == nil) {
				t.Fatalf("refresh = %v; want ok=%v", err, tt.ok)
			}
			text := notes(st)
			if err != nil {
				text = err.Error()
				if strings.Contains(text, "\n") {
					t.Errorf("error spans lines: %q", text)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("report %q does not mention %q", text, w)
				}
			}
			if d := time.Since(start); d < tt.minTime {
				t.Errorf("took %v; want at least %v (Retry-After)", d, tt.minTime)
			}
			intact(t, dir)
		})
	}

	t.Run("404 does not stop the other source", func(t *testing.T) {
		dir := setup(t, srv.URL+"/missing", srv.URL+"/flaky")
		hits.Store(0)
		st, err := refresh(t, dir, false, fast)
		if err == nil || len(st.Failures) != 1 || len(st.Docs) != 1 || st.Docs[0].Source.ID != "src1" {
			t.Errorf("err=%v failures=%d docs=%d; want src0 failed and src1 read", err, len(st.Failures), len(st.Docs))
		}
	})
	t.Run("conditional request", func(t *testing.T) {
		dir := setup(t, srv.URL+"/etag")
		m, _ := os.ReadFile(filepath.Join(dir, "sources.yaml"))
		os.WriteFile(filepath.Join(dir, "sources.yaml"), []byte(strings.Replace(string(m), "heading_kinds", `etag: '"v1"', heading_kinds`, 1)), 0o644)
		st, err := refresh(t, dir, false, fast)
		if err != nil || !strings.Contains(notes(st), "not modified") {
			t.Errorf("refresh = %v, notes %q; want not modified", err, notes(st))
		}
	})
	t.Run("loopback refused unless allowed", func(t *testing.T) {
		dir := setup(t, srv.URL+"/flaky")
		strict := fast
		strict.AllowPrivate = false
		_, err := refresh(t, dir, false, strict)
		if err == nil || !strings.Contains(err.Error(), "private or loopback") {
			t.Errorf("refresh of a loopback url = %v; want it refused", err)
		}
		intact(t, dir)
	})
	t.Run("scheme refused", func(t *testing.T) {
		dir := setup(t, "ftp://example.org/x")
		if _, err := refresh(t, dir, false, fast); err == nil || !strings.Contains(err.Error(), `scheme "ftp" is not allowed`) {
			t.Errorf("ftp url = %v", err)
		}
	})
	t.Run("embedded sources cannot be refreshed", func(t *testing.T) {
		st := &schemas.State{Sources: os.DirFS(setup(t, srv.URL+"/gbk")), ManifestPath: "sources.yaml"}
		if err := (Stage{Options{Refresh: true, HTTP: fast}}).Run(context.Background(), st); err == nil || !strings.Contains(err.Error(), "--sources") {
			t.Errorf("refresh without a folder = %v", err)
		}
	})
}

// TestAcceptChanges: a changed body is written next to the pinned snapshot;
// only --accept-changes moves the pin, keeping the manifest's comments, and
// the old snapshot is never touched.
func TestAcceptChanges(t *testing.T) {
	body := "第一条 合作\n\n一、加强交流。\n二、新增一项。\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }))
	defer srv.Close()
	dir := setup(t, srv.URL+"/doc")
	st, err := refresh(t, dir, false, fast)
	if err != nil {
		t.Fatal(err)
	}
	newName := fmt.Sprintf("snapshots/s0.%s.md", hexsum([]byte(body))[:12])
	if b, err := os.ReadFile(filepath.Join(dir, newName)); err != nil || string(b) != body {
		t.Fatalf("new snapshot %s: %v", newName, err)
	}
	if loaded(t, st) != pinned {
		t.Error("the run used the new body before it was accepted")
	}
	intact(t, dir)

	st, err = refresh(t, dir, true, fast)
	if err != nil {
		t.Fatal(err)
	}
	if loaded(t, st) != body || !strings.Contains(notes(st), "accepted") {
		t.Errorf("accepted run used %q; notes %q", loaded(t, st), notes(st))
	}
	m, _ := os.ReadFile(filepath.Join(dir, "sources.yaml"))
	if !strings.Contains(string(m), hexsum([]byte(body))) || !strings.Contains(string(m), newName) || !strings.Contains(string(m), "# the manifest's own comment") {
		t.Errorf("manifest after accept:\n%s", m)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "snapshots", "s0.md")); string(b) != pinned {
		t.Error("the old snapshot was modified")
	}
	// A second refresh of the same body is now unchanged.
	st, err = refresh(t, dir, false, fast)
	if err != nil || !strings.Contains(notes(st), "unchanged") {
		t.Errorf("second refresh = %v, %q", err, notes(st))
	}
}

// loaded reads the first document's snapshot as the runner would.
func loaded(t *testing.T, st *schemas.State) string {
	t.Helper()
	if err := Load(st.Sources, &st.Docs[0]); err != nil {
		t.Fatal(err)
	}
	return string(st.Docs[0].Raw)
}
