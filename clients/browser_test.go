package clients

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browser finds Debian's chromium; without it the test fails under make
// test (which installs it) and skips elsewhere.
func browser(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if requireFixtures() {
		t.Fatal("no chromium: apt-get install -y chromium (make test needs it for the report page)")
	}
	t.Skip("no chromium to open the report page with: apt-get install -y chromium")
	return ""
}

// TestReportInBrowser opens the committed release's report page from disk
// in a real browser: no console errors, no network request, the overview's
// numbers and a known sentence pair visible, the filter narrowing the reader
// to a known commitment; and it saves screenshots at desktop and phone
// width to output/work/report/ for a person to look at.
func TestReportInBrowser(t *testing.T) {
	exe := browser(t)
	dir := publishedDir(t)
	page := "file://" + filepath.Join(dir, "report", "index.html")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	var mu sync.Mutex
	var problems []string
	chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				problems = append(problems, fmt.Sprintf("console %s: %v", e.Type, e.Args))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text)
		case *network.EventRequestWillBeSent:
			if u := e.Request.URL; !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") {
				problems = append(problems, "network request: "+u)
			}
		}
	})

	b, err := os.ReadFile(filepath.Join(dir, "clauses.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	want := int64(strings.Count(string(b), "\n"))
	known := `s-lac-policy-2025/part3/prog2/sec9/para1/s1`
	shots := filepath.Join("..", "output", "work", "report")
	os.MkdirAll(shots, 0o755)
	// One action at a time; chromedp enables the runtime and network
	// domains itself, so the listener sees every console message and
	// request from the start.
	step := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		if _, err := chromedp.Run(ctx, a); err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}
	get := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
		return v
	}
	step("open the page", chromedp.Navigate(page))
	step("wait for the overview", chromedp.WaitVisible("#n-clauses"))
	clauses := get("overview", chromedp.Text("#n-clauses"))
	zh := get("known sentence", chromedp.Text(`[id="`+known+`"] td.zh`))
	en := get("known sentence", chromedp.Text(`[id="`+known+`"] td.en`))
	shownBefore := get("count", chromedp.Text("#f-count"))
	desktop, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatal(err)
	}
	step("type in the filter", chromedp.SendKeys("#f-text", "科技创新论坛"))
	step("choose a sector", chromedp.SetValue("#f-sector", "science_tech"))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('f-sector').dispatchEvent(new Event('input'))`)); err != nil {
		t.Fatal(err)
	}
	shownAfter := get("count", chromedp.Text("#f-count"))
	knownVisible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector('[id="`+known+`"]').hidden`))
	if err != nil {
		t.Fatal(err)
	}
	step("phone width", chromedp.EmulateViewport(390, 844))
	phone, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(shots, "desktop.jpg"), desktop, 0o644)
	os.WriteFile(filepath.Join(shots, "phone.jpg"), phone, 0o644)
	if clauses != strconv.FormatInt(want, 10) {
		t.Errorf("the overview shows %q clauses; the table has %d", clauses, want)
	}
	if !strings.Contains(zh, "继续办好中拉科技创新论坛") || !strings.Contains(en, "China-CELAC Science, Technology and Innovation Forum") {
		t.Errorf("the known sentence pair is not shown: %q | %q", zh, en)
	}
	before, after := leadingInt(shownBefore), leadingInt(shownAfter)
	if !knownVisible || after == 0 || after >= before {
		t.Errorf("filter: %q before, %q after, known commitment visible %v; want it narrowed to a few rows including the known one", shownBefore, shownAfter, knownVisible)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
}

func leadingInt(s string) int {
	n, _ := strconv.Atoi(strings.Fields(s + " 0")[0])
	return n
}
