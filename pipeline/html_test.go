package pipeline

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/fetch"
	"github.com/policyledger/policyledger/stages/release"
)

// policyPage renders the policy paper's rows as a news site would: GBK,
// a charset only in a meta tag, scripts, navigation, share buttons, related
// links and a footer with the registration line.
func policyPage(t *testing.T) []byte {
	t.Helper()
	raw, err := fs.ReadFile(sources.FS(), "snapshots/lac-policy-2025.zh-en.txt")
	if err != nil {
		t.Fatal(err)
	}
	var rows strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.Count(line, "|") >= 2 {
			fmt.Fprintf(&rows, "    <p>%s</p>\n", line)
		}
	}
	page := `<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>中国对拉丁美洲和加勒比政策文件_新华网</title>
<script src="/js/analytics.js"></script><script>window.dataLayer=[];function track(){}</script>
<style>.share{float:right}</style>
</head><body>
<header><div class="logo"><a href="/">新华网</a></div>
<nav><ul><li><a href="/">首页</a></li><li><a href="/politics/">时政</a></li><li><a href="/world/">国际</a></li><li><a href="/english/">English</a></li></ul></nav></header>
<div class="share">Share: <a href="#" class="weibo">微博</a> <a href="#" class="wechat">微信</a> <a href="#" class="x">X</a></div>
<main><article class="detail">
  <h1>中国对拉丁美洲和加勒比政策文件</h1>
  <div class="info"><span class="time">2025-05-13 10:00</span> <span class="source">来源：新华网</span></div>
  <div id="detail">
` + rows.String() + `  </div>
</article></main>
<aside class="related"><h3>相关新闻</h3><ul><li><a href="/a1">中拉论坛第四届部长级会议举行</a></li><li><a href="/a2">习近平会见拉美国家领导人</a></li></ul></aside>
<footer><p>Copyright 2000-2025 XINHUANET.com 版权所有</p><p>京公网安备 11010802027341号</p></footer>
<script>track('pageview');</script>
</body></html>`
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(page)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(gbk)
}

// TestHTMLPage refreshes an HTML source from a test server, accepts it, and
// checks that the extracted text parses into the same clauses as the text
// snapshot of the same document.
func TestHTMLPage(t *testing.T) {
	page := policyPage(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html") // no charset: the meta tag says GBK
		w.Write(page)
	}))
	defer srv.Close()

	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "snapshots"), 0o755)
	os.WriteFile(filepath.Join(dir, "snapshots", "page.html"), []byte("<html><body><p>placeholder</p></body></html>"), 0o644)
	manifest, _ := fs.ReadFile(sources.FS(), "sources.yaml")
	m := string(manifest)
	// Keep the policy paper's entry, pointed at the page.
	m = m[:strings.Index(m, "  - id: celac-jap-2022-2024")]
	m = strings.Replace(m, "    url: null               # publication URL not recorded at capture", "    url: "+srv.URL+"/policy.html\n    format: html", 1)
	m = strings.Replace(m, "snapshots/lac-policy-2025.zh-en.txt", "snapshots/page.html", 1)
	m = strings.Replace(m, "e5f51b0e831653520b7fe30fb198ed79b923f7f6a5c604bd78c04024b4989b5c", sum("<html><body><p>placeholder</p></body></html>"), 1)
	os.WriteFile(filepath.Join(dir, "sources.yaml"), []byte(m), 0o644)
	for _, name := range []string{"glossary.yaml", "mechanisms.yaml", "overrides.yaml", "CHANGELOG.md"} {
		b, _ := fs.ReadFile(sources.FS(), name)
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	h := fetch.DefaultHTTP
	h.AllowPrivate, h.Timeout, h.RetryWaitMin = true, 5*time.Second, 10*time.Millisecond
	got, err := Run(context.Background(), Options{
		Sources: os.DirFS(dir), ManifestPath: "sources.yaml",
		Fetch:   fetch.Options{Refresh: true, AcceptChanges: true, Dir: dir, HTTP: h},
		Release: release.Options{Output: t.TempDir(), Version: "0.1.0"}, KeepDocs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(got.Notes, "\n"), "gbk") {
		t.Errorf("notes do not name the decoded charset: %v", got.Notes)
	}
	page2, _ := got.Doc("lac-policy-2025")
	want := doc(t, runOK(t, embedded(t, t.TempDir())), "lac-policy-2025")
	if diff := cmp.Diff(clauseView(want.Clauses, ""), clauseView(page2.Clauses, "")); diff != "" {
		t.Errorf("clauses from the HTML page differ from the text snapshot (-text +html):\n%s", diff)
	}
	if page2.SourceAttribution == nil || *page2.SourceAttribution != "(来源:新华网) / (Source: Xinhua)" {
		t.Errorf("attribution = %v", page2.SourceAttribution)
	}
	if page2.ParsedTitle == nil || *page2.ParsedTitle != "中国对拉丁美洲和加勒比政策文件" {
		t.Errorf("title = %v", page2.ParsedTitle)
	}
	for _, c := range page2.Clauses {
		for _, junk := range []string{"首页", "Share:", "微博", "相关新闻", "京公网安备", "Copyright", "track("} {
			if strings.Contains(c.TextZh+c.TextEn+c.TitleZh+c.TitleEn, junk) {
				t.Errorf("%s carries page furniture %q", c.ID, junk)
			}
		}
	}
}
