package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds one step (a navigation, a form sent, a wait): generous
// for a loaded 2-core machine. Nothing asserts how long a step takes.
const stepTimeout = 60 * time.Second

// chromiumPath is Debian's chromium, or $JARING_CHROMIUM.
func chromiumPath() string {
	if p := os.Getenv("JARING_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// required reports whether a missing browser fails the test instead of
// skipping it: under CI, or when asked with JARING_E2E=1.
func required() bool {
	ci := strings.ToLower(os.Getenv("CI"))
	return ci != "" && ci != "false" && ci != "0" || os.Getenv("JARING_E2E") == "1"
}

// needChromium skips (or, when required, fails) the test when there is no
// browser to drive.
func needChromium(t *testing.T) string {
	t.Helper()
	p := chromiumPath()
	if fi, err := os.Stat(p); err != nil || fi.IsDir() {
		msg := fmt.Sprintf("no Chromium at %s: install it with `apt-get install -y chromium` (or set JARING_CHROMIUM to its path)", p)
		if required() {
			t.Fatal(msg + "; CI or JARING_E2E=1 requires the browser tests")
		}
		t.Skip(msg + "; the browser tests are skipped")
	}
	return p
}

// artifactDir is where screenshots go: $JARING_E2E_ARTIFACTS, else
// e2e-artifacts/ at the repository root.
func artifactDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("JARING_E2E_ARTIFACTS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "e2e-artifacts")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, "e2e-artifacts")
		}
	}
}

// browser is one headless Chromium for a test, with a fresh profile.
type browser struct {
	ctx    context.Context
	output *syncBuffer // the browser's own output, shown when it fails to start
}

// newBrowser starts Chromium, closed when the test ends. The flags keep it
// off the network: only the test's loopback server is reached.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := needChromium(t)
	out := &syncBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "id-ID"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(out),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first run starts the browser and ties it to the context it gets:
	// a context with a deadline would kill it at the deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v\n%s", path, err, out.String())
	}
	return &browser{ctx: ctx, output: out}
}

// tab is one page of a flow, in its own browser context (its own cookies),
// taking numbered screenshots named after the flow.
type tab struct {
	t       *testing.T
	browser *browser // for a second flow's tab
	ctx     context.Context
	dir     string
	name    string
	n       int
}

// tab opens a page for the flow name; screenshots are NAME-NN-STEP.png.
// Earlier screenshots of the same flow are removed first.
func (b *browser) tab(t *testing.T, name string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab, for as long as ctx lives
		t.Fatalf("open a tab: %v", err)
	}
	dir := artifactDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, name+"-[0-9][0-9]-*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	return &tab{t: t, browser: b, ctx: ctx, dir: dir, name: name}
}

// do runs actions as one step, failing the test (with a screenshot of the
// page as it is) when they fail or outlast stepTimeout.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	defer tb.slow(what, time.Now())
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.fail(what, err)
	}
}

// slow logs a step that took long: a hint for a loaded machine, never a
// failure.
func (tb *tab) slow(what string, start time.Time) {
	if d := time.Since(start); d > 5*time.Second {
		tb.t.Logf("%s took %s", what, d.Round(100*time.Millisecond))
	}
}

// run runs one action that returns a value, as one step.
func run[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.fail(what, err)
	}
	return v
}

// discard runs a, dropping its value, as a step of do.
func discard[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

func (tb *tab) fail(what string, err error) {
	tb.t.Helper()
	path := tb.shot("gagal")
	tb.t.Fatalf("%s: %v (the page then: %s)", what, err, path)
}

// shot saves a full-page PNG of the page and returns its path.
func (tb *tab) shot(step string) string {
	tb.t.Helper()
	tb.n++
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Errorf("screenshot %s: %v", step, err)
		return ""
	}
	path := filepath.Join(tb.dir, fmt.Sprintf("%s-%02d-%s.png", tb.name, tb.n, step))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Errorf("screenshot %s: %v", step, err)
		return ""
	}
	return path
}

// html returns the page's whole markup as the browser holds it now.
func (tb *tab) html() string {
	tb.t.Helper()
	return run(tb, "read the page", chromedp.OuterHTML(chromedp.CSS("html")))
}

// text returns the visible text of the first element matching css.
func (tb *tab) text(css string) string {
	tb.t.Helper()
	return run(tb, "read "+css, chromedp.Text(chromedp.CSS(css)))
}

// submit sends the form of the element css (a button or a field) by
// clicking it, and waits for the next page's body.
func (tb *tab) click(what, css string) {
	tb.t.Helper()
	tb.do(what, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// contains fails unless the page's markup contains each of wants.
func (tb *tab) contains(what string, wants ...string) {
	tb.t.Helper()
	h := tb.html()
	for _, w := range wants {
		if !strings.Contains(h, w) {
			tb.t.Errorf("%s: the page lacks %q", what, w)
		}
	}
}

// lacks fails when the page's markup contains one of secrets (said
// without repeating the secret itself).
func (tb *tab) lacks(what string, secrets ...string) {
	tb.t.Helper()
	h := strings.ToUpper(tb.html())
	for i, s := range secrets {
		if s != "" && strings.Contains(h, strings.ToUpper(s)) {
			tb.t.Errorf("%s: the page shows secret no. %d in full", what, i+1)
		}
	}
}

// matches fails unless the page's markup matches re.
func (tb *tab) matches(what string, re *regexp.Regexp) string {
	tb.t.Helper()
	m := re.FindString(tb.html())
	if m == "" {
		tb.t.Errorf("%s: nothing on the page matches %s", what, re)
	}
	return m
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// openWithoutScript turns JavaScript off in the tab, opens url and waits
// for the element with the ID ready; it fails the test if the page's
// script ran all the same.
func (tb *tab) openWithoutScript(what, url, ready string) {
	tb.t.Helper()
	tb.do("turn JavaScript off", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	})
	tb.do(what, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID(ready)))
	if js := run(tb, "read the root's class", chromedp.AttributeValue(chromedp.CSS("html"), "class")); strings.Contains(js.Value, "js") {
		tb.t.Fatalf("the page's script ran although JavaScript is off")
	}
}
