package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/policyledger/policyledger/charset"
	"github.com/policyledger/policyledger/schemas"
)

// HTTP are the settings of a refresh over the network.
type HTTP struct {
	Timeout      time.Duration // whole request, body included
	Connect      time.Duration // TCP connect
	Retries      int           // retries after the first attempt
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	MaxBody      int64 // bytes
	AllowPrivate bool  // allow loopback and private addresses (tests, intranets)
	UserAgent    string
	// Progress, when set, is told how many bytes each body has read.
	Progress func(id string, read, total int64)
}

// DefaultHTTP are the settings used when configuration says nothing.
var DefaultHTTP = HTTP{
	Timeout: 60 * time.Second, Connect: 10 * time.Second, Retries: 4,
	RetryWaitMin: 500 * time.Millisecond, RetryWaitMax: 30 * time.Second,
	MaxBody: 50 << 20, UserAgent: "policyledger/1 (open dataset pipeline; refreshes pinned source snapshots)",
}

// Result is what a refresh found for one source.
type Result struct {
	Status   string // unchanged, not-modified, changed, accepted
	Encoding string // charset the body was decoded from
	OldSHA   string
	NewSHA   string
	Bytes    int
	Snapshot string // new snapshot path (changed/accepted)
	Diff     string // short summary of the text change
	Attempts int
}

// errNotAllowed marks requests refused by policy (scheme, host, address).
var errNotAllowed = errors.New("refused by fetch policy")

// client builds the HTTP client: retries with backoff and jitter on network
// errors, 5xx and 429 (honouring Retry-After), redirects only to hosts the
// manifest names, no private or loopback addresses unless allowed.
func (h HTTP) client(allowedHosts map[string]bool, attempts *int) *retryablehttp.Client {
	dialer := &net.Dialer{Timeout: h.Connect, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip := net.ParseIP(host)
		if ip != nil && !h.AllowPrivate && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified()) {
			return fmt.Errorf("%w: address %s is private or loopback (set fetch_allow_private to allow it)", errNotAllowed, ip)
		}
		return nil
	}}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   h.Connect,
		ResponseHeaderTimeout: h.Timeout,
		DisableCompression:    false,
	}
	hc := &http.Client{
		Transport: transport,
		Timeout:   h.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return fmt.Errorf("%w: stopped after %d redirects (a redirect loop?)", errNotAllowed, len(via))
			}
			if !allowedHosts[strings.ToLower(req.URL.Hostname())] {
				return fmt.Errorf("%w: redirect to host %q, which no source in the manifest names", errNotAllowed, req.URL.Hostname())
			}
			return nil
		},
	}
	c := retryablehttp.NewClient()
	c.HTTPClient = hc
	c.Logger = nil
	c.RetryMax = h.Retries
	c.RetryWaitMin, c.RetryWaitMax = h.RetryWaitMin, h.RetryWaitMax
	c.RequestLogHook = func(_ retryablehttp.Logger, _ *http.Request, n int) { *attempts = n + 1 }
	c.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if err != nil {
			if errors.Is(err, errNotAllowed) {
				return false, err
			}
			return true, nil
		}
		return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500, nil
	}
	c.Backoff = func(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
		if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
				return minDuration(time.Duration(s)*time.Second, max)
			}
			if t, err := http.ParseTime(resp.Header.Get("Retry-After")); err == nil {
				return minDuration(max, time.Until(t))
			}
		}
		// Exponential backoff with full jitter.
		ceiling := min << attempt
		if ceiling > max || ceiling <= 0 {
			ceiling = max
		}
		return min/2 + time.Duration(rand.Int64N(int64(ceiling)))
	}
	c.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return c
}

func minDuration(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

// Download fetches a source's URL and returns the body decoded to UTF-8.
// etag and lastModified make the request conditional; notModified reports a
// 304. Bodies cut short or reset are tried again like network errors.
func (h HTTP) Download(ctx context.Context, src schemas.Source, allowedHosts map[string]bool, dir string) (body []byte, enc string, notModified bool, attempts int, err error) {
	u, err := url.Parse(*src.URL)
	if err != nil {
		return nil, "", false, 0, fmt.Errorf("fetch: %s: url %q: %v: fix url in sources.yaml", src.ID, *src.URL, err)
	}
	switch u.Scheme {
	case "file":
		path := u.Path
		if u.Opaque != "" {
			path = u.Opaque
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		raw, err := readLimited(os.Open(path))(h.MaxBody)
		if err != nil {
			return nil, "", false, 1, fmt.Errorf("fetch: %s: %s: %w", src.ID, *src.URL, err)
		}
		body, enc, err := charset.Decode(raw, "")
		if err != nil {
			return nil, "", false, 1, fmt.Errorf("fetch: %s: %s: %w", src.ID, *src.URL, err)
		}
		return body, enc, false, 1, nil
	case "http", "https":
	default:
		return nil, "", false, 0, fmt.Errorf("fetch: %s: url scheme %q is not allowed (use http, https or file): fix url in sources.yaml", src.ID, u.Scheme)
	}
	const bodyTries = 3
	total := 0
	for try := 1; ; try++ {
		n := 0
		c := h.client(allowedHosts, &n)
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, "", false, total, fmt.Errorf("fetch: %s: %w", src.ID, err)
		}
		req.Header.Set("User-Agent", h.UserAgent)
		if src.ETag != nil {
			req.Header.Set("If-None-Match", *src.ETag)
		}
		if src.LastModified != nil {
			req.Header.Set("If-Modified-Since", *src.LastModified)
		}
		resp, err := c.Do(req)
		total += max(n, 1)
		if err != nil {
			return nil, "", false, total, fmt.Errorf("fetch: %s: GET %s failed after %d attempt(s): %s: check the URL and the network, then run again", src.ID, u, total, oneLine(unwrapURL(err)))
		}
		if resp.StatusCode == http.StatusNotModified {
			resp.Body.Close()
			return nil, "", true, total, nil
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, "", false, total, fmt.Errorf("fetch: %s: GET %s answered %s after %d attempt(s): check url in sources.yaml; the pinned snapshot is unchanged", src.ID, u, resp.Status, total)
		}
		raw, err := h.read(src.ID, resp)
		resp.Body.Close()
		if err != nil {
			var tooBig errBodyTooLarge
			if !errors.As(err, &tooBig) && try < bodyTries && ctx.Err() == nil {
				continue // cut short or reset: try again
			}
			return nil, "", false, total, fmt.Errorf("fetch: %s: GET %s: %w", src.ID, u, err)
		}
		body, enc, err := charset.Decode(raw, resp.Header.Get("Content-Type"))
		if err != nil {
			return nil, "", false, total, fmt.Errorf("fetch: %s: GET %s: %w", src.ID, u, err)
		}
		return body, enc, false, total, nil
	}
}

type errBodyTooLarge struct{ limit int64 }

func (e errBodyTooLarge) Error() string {
	return fmt.Sprintf("body is larger than the %d-byte limit (fetch_max_body): raise the limit if the page is really that large", e.limit)
}

// read reads a body up to the size limit, reporting progress.
func (h HTTP) read(id string, resp *http.Response) ([]byte, error) {
	if resp.ContentLength > h.MaxBody {
		return nil, errBodyTooLarge{h.MaxBody}
	}
	var buf []byte
	chunk := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if int64(len(buf)) > h.MaxBody {
			return nil, errBodyTooLarge{h.MaxBody}
		}
		if h.Progress != nil {
			h.Progress(id, int64(len(buf)), resp.ContentLength)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("body cut short: %d of %d bytes", len(buf), resp.ContentLength)
		}
		if errors.Is(err, io.EOF) {
			if resp.ContentLength >= 0 && int64(len(buf)) < resp.ContentLength {
				return nil, fmt.Errorf("body cut short: %d of %d bytes", len(buf), resp.ContentLength)
			}
			return buf, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the body after %d bytes: %s", len(buf), oneLine(err.Error()))
		}
	}
}

func readLimited(f *os.File, err error) func(int64) ([]byte, error) {
	return func(limit int64) ([]byte, error) {
		if err != nil {
			return nil, err
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, limit+1))
		if int64(len(b)) > limit {
			return nil, errBodyTooLarge{limit}
		}
		return b, err
	}
}

// unwrapURL drops the "Get "url": " prefix the net/http errors carry.
func unwrapURL(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
