package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// runHTTP is `jaring-bench http`: a load generator for one endpoint over
// keep-alive connections, closed loop (each of --concurrency clients sends
// its next request when the last one is answered) or open loop (--rate:
// requests start on a fixed schedule whatever the answers, and a request's
// latency counts from its scheduled start, so a stalled server cannot hide
// its queue). With --probe-url it also measures a signed-in user's page
// meanwhile, as a separate client.
func runHTTP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("http", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "", "endpoint URL, e.g. http://127.0.0.1:8080/api/v1/publik/cek")
	method := fs.String("method", "POST", "HTTP method")
	bodyFile := fs.String("body-file", "", "file with one request body per line, sent in turn")
	nikFile := fs.String("nik-file", "", `file with one NIK per line: each body is {"nik":"…"} (never printed)`)
	contentType := fs.String("content-type", "application/json", "Content-Type of the bodies")
	concurrency := fs.Int("concurrency", 32, "connections (clients) in use at once")
	duration := fs.Duration("duration", 20*time.Second, "measured time")
	warmup := fs.Duration("warmup", 3*time.Second, "unmeasured time first, on the same connections")
	rate := fs.Float64("rate", 0, "open loop: requests per second on a fixed schedule (0 = closed loop)")
	timeout := fs.Duration("timeout", 10*time.Second, "a request not answered in this time counts as an error")
	probeURL := fs.String("probe-url", "", "also GET this page as a signed-in user while the load runs")
	probeUser := fs.String("probe-user", "", "user name of the probe (signs in at /api/v1/auth/login of the probe URL's host)")
	probePass := fs.String("probe-password-file", "", "file holding the probe user's password")
	probeEvery := fs.Duration("probe-interval", 100*time.Millisecond, "time between the probe's requests")
	label := fs.String("label", "", "name of this run in the output")
	seed := fs.Uint64("seed", 1, "seed of the order in which bodies are sent")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: jaring-bench http --url URL (--nik-file F | --body-file F) [--concurrency N] [--duration D] [--rate R]\n"+
			"       [--probe-url URL --probe-user U --probe-password-file F]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*target)
	if *target == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "--url: need an http:// or https:// URL")
		fs.Usage()
		return errUsage
	}
	if *concurrency < 1 || *duration <= 0 || *warmup < 0 || *rate < 0 || *timeout <= 0 || *probeEvery <= 0 {
		fmt.Fprintln(stderr, "--concurrency, --duration, --timeout and --probe-interval must be positive; --warmup and --rate not negative")
		return errUsage
	}
	if (*bodyFile == "") == (*nikFile == "") && *method != "GET" {
		fmt.Fprintln(stderr, "give one of --body-file or --nik-file")
		return errUsage
	}
	if *probeURL != "" && (*probeUser == "" || *probePass == "") {
		fmt.Fprintln(stderr, "--probe-url needs --probe-user and --probe-password-file")
		return errUsage
	}
	var bodies [][]byte
	switch {
	case *nikFile != "":
		bodies, err = readBodies(*nikFile, func(line string) ([]byte, error) {
			if len(line) != 16 || strings.Trim(line, "0123456789") != "" {
				return nil, errors.New("not a 16-digit NIK")
			}
			return []byte(`{"nik":"` + line + `"}`), nil
		})
	case *bodyFile != "":
		bodies, err = readBodies(*bodyFile, func(line string) ([]byte, error) { return []byte(line), nil })
	}
	if err != nil {
		return err
	}

	var probe *prober
	if *probeURL != "" {
		probe, err = newProber(ctx, *probeURL, *probeUser, *probePass, *timeout)
		if err != nil {
			return err
		}
	}

	g := &generator{target: u, method: *method, ctype: *contentType, bodies: bodies, timeout: *timeout}
	g.next.Store(rand.New(rand.NewPCG(*seed, 3)).Uint64() % uint64(max(len(bodies), 1)))
	if *warmup > 0 {
		g.run(ctx, *concurrency, *warmup, *rate, false)
	}
	runtime.GC()
	var probeDone chan struct{}
	pctx, stopProbe := context.WithCancel(ctx)
	if probe != nil {
		probeDone = make(chan struct{})
		go func() { probe.run(pctx, *probeEvery); close(probeDone) }()
	}
	load := loadAvg()
	res := g.run(ctx, *concurrency, *duration, *rate, true)
	stopProbe()
	if probeDone != nil {
		<-probeDone
	}
	for i := range g.conns {
		g.conns[i].close()
	}
	res.report(stdout, *label, *target, *concurrency, *rate, load, probe)
	return nil
}

// readBodies reads one body per non-empty line; a bad line is named by number.
func readBodies(path string, body func(string) ([]byte, error)) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		b, err := body(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		out = append(out, b)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no bodies", path)
	}
	return out, nil
}

// generator sends the requests. Each client owns one keep-alive
// connection, writes a request on it and reads the answer with
// http.ReadResponse: none of the pooling, goroutines and copies of
// http.Transport, whose processor time on this same machine would be taken
// from the server measured (about a third of a check's, measured against
// wrk).
type generator struct {
	target        *url.URL
	method, ctype string
	bodies        [][]byte
	timeout       time.Duration
	next          atomic.Uint64
	conns         []clientConn // one per client, kept from the warm-up to the measured run
}

// clientConn is one client's connection, nil until dialled and after a
// failure or an answer that closed it.
type clientConn struct {
	c   net.Conn
	br  *bufio.Reader
	req []byte
}

func (cc *clientConn) close() {
	if cc.c != nil {
		cc.c.Close()
		cc.c = nil
	}
}

// sample is one answered (or failed) request: its status (0 = transport
// error) and latency.
type sample struct {
	status int
	lat    time.Duration
}

type httpResult struct {
	samples  []sample
	wall     time.Duration
	errs     int
	firstErr string
	late     int // open loop: requests that started after their slot because every client was busy
}

func (g *generator) do(ctx context.Context, cc *clientConn) (int, error) {
	if cc.c == nil {
		d := net.Dialer{Timeout: g.timeout}
		var c net.Conn
		var err error
		host := g.target.Host
		if g.target.Port() == "" {
			host = net.JoinHostPort(g.target.Hostname(), map[string]string{"http": "80", "https": "443"}[g.target.Scheme])
		}
		if g.target.Scheme == "https" {
			c, err = (&tls.Dialer{NetDialer: &d}).DialContext(ctx, "tcp", host)
		} else {
			c, err = d.DialContext(ctx, "tcp", host)
		}
		if err != nil {
			return 0, err
		}
		cc.c, cc.br = c, bufio.NewReaderSize(c, 8<<10)
	}
	cc.req = cc.req[:0]
	cc.req = append(cc.req, g.method+" "+g.target.RequestURI()+" HTTP/1.1\r\nHost: "+g.target.Host+"\r\nUser-Agent: jaring-bench\r\n"...)
	if len(g.bodies) > 0 {
		body := g.bodies[g.next.Add(1)%uint64(len(g.bodies))]
		cc.req = append(cc.req, "Content-Type: "+g.ctype+"\r\nContent-Length: "...)
		cc.req = strconv.AppendInt(cc.req, int64(len(body)), 10)
		cc.req = append(cc.req, "\r\n\r\n"...)
		cc.req = append(cc.req, body...)
	} else {
		cc.req = append(cc.req, "\r\n"...)
	}
	if err := cc.c.SetDeadline(time.Now().Add(g.timeout)); err != nil {
		cc.close()
		return 0, err
	}
	if _, err := cc.c.Write(cc.req); err != nil {
		cc.close()
		return 0, err
	}
	res, err := http.ReadResponse(cc.br, nil)
	if err != nil {
		cc.close()
		return 0, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || res.Close {
		cc.close()
	}
	return res.StatusCode, err
}

// run sends requests for d with c clients, closed loop or at rate.
func (g *generator) run(parent context.Context, c int, d time.Duration, rate float64, keep bool) httpResult {
	// The closed loop stops at the deadline; the open loop's schedule ends
	// there by itself (only the caller's cancellation cuts it short).
	ctx, cancel := context.WithTimeout(parent, d)
	defer cancel()
	if len(g.conns) < c {
		g.conns = append(g.conns, make([]clientConn, c-len(g.conns))...)
	}
	per := make([][]sample, c)
	errCount := make([]int, c)
	var firstErr atomic.Value
	var late atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	var tickets chan time.Time
	if rate > 0 {
		tickets = make(chan time.Time, 1<<16)
		go func() {
			defer close(tickets)
			interval := time.Duration(float64(time.Second) / rate)
			for i := int64(0); ; i++ {
				at := start.Add(time.Duration(i) * interval)
				if !at.Before(deadline) {
					return
				}
				if w := time.Until(at); w > 0 {
					select {
					case <-time.After(w):
					case <-parent.Done():
						return
					}
				}
				select {
				case tickets <- at:
				case <-parent.Done():
					return
				}
			}
		}()
	}
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc := &g.conns[w]
			for {
				var t0 time.Time
				if tickets != nil {
					at, ok := <-tickets
					if !ok {
						return
					}
					if time.Since(at) > time.Millisecond {
						late.Add(1)
					}
					t0 = at
				} else {
					if ctx.Err() != nil {
						return
					}
					t0 = time.Now()
				}
				// A request under way at the deadline is finished and counted:
				// only the background context of the caller cancels it.
				status, err := g.do(context.WithoutCancel(ctx), cc)
				lat := time.Since(t0)
				if err != nil {
					status = 0
					errCount[w]++
					firstErr.CompareAndSwap(nil, err.Error())
				}
				if keep {
					per[w] = append(per[w], sample{status, lat})
				}
			}
		}()
	}
	wg.Wait()
	res := httpResult{wall: time.Since(start), late: int(late.Load())}
	for w := range c {
		res.samples = append(res.samples, per[w]...)
		res.errs += errCount[w]
	}
	if e, ok := firstErr.Load().(string); ok {
		res.firstErr = e
	}
	return res
}

type latStats struct {
	n                        int
	p50, p90, p99, max, mean time.Duration
}

func latencies(s []sample, keep func(int) bool) latStats {
	var lat []time.Duration
	var sum time.Duration
	for _, x := range s {
		if keep(x.status) {
			lat = append(lat, x.lat)
			sum += x.lat
		}
	}
	if len(lat) == 0 {
		return latStats{}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		k := int(math.Ceil(p*float64(len(lat)))) - 1
		return lat[max(0, min(k, len(lat)-1))]
	}
	return latStats{n: len(lat), p50: pct(.5), p90: pct(.9), p99: pct(.99), max: lat[len(lat)-1], mean: sum / time.Duration(len(lat))}
}

func (r httpResult) report(w io.Writer, label, target string, c int, rate float64, load string, probe *prober) {
	mode := fmt.Sprintf("closed loop, %d connections", c)
	if rate > 0 {
		mode = fmt.Sprintf("open loop at %.0f requests/s, up to %d connections", rate, c)
	}
	if label != "" {
		fmt.Fprintf(w, "run          %s\n", label)
	}
	fmt.Fprintf(w, "target       %s\n", target)
	fmt.Fprintf(w, "mode         %s, %s measured, GOMAXPROCS %d\n", mode, r.wall.Round(time.Millisecond), runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "load average %s before, %s after\n", load, loadAvg())
	statuses := map[int]int{}
	for _, s := range r.samples {
		statuses[s.status]++
	}
	codes := make([]int, 0, len(statuses))
	for k := range statuses {
		codes = append(codes, k)
	}
	sort.Ints(codes)
	var parts []string
	for _, k := range codes {
		name := fmt.Sprint(k)
		if k == 0 {
			name = "error"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, statuses[k]))
	}
	n := len(r.samples)
	rps := float64(n) / r.wall.Seconds()
	ok := statuses[200]
	busy := statuses[503]
	fmt.Fprintf(w, "requests     %d in %.1f s = %.0f/s; answered 200: %.0f/s; statuses %s\n", n, r.wall.Seconds(), rps,
		float64(ok)/r.wall.Seconds(), strings.Join(parts, ", "))
	if r.late > 0 {
		fmt.Fprintf(w, "late starts  %d (every connection was busy at the scheduled time: counted from the schedule)\n", r.late)
	}
	if r.errs > 0 {
		fmt.Fprintf(w, "errors       %d, first: %s\n", r.errs, r.firstErr)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "latency\tn\tp50\tp90\tp99\tmax\tmean\t")
	row := func(name string, s latStats) {
		if s.n == 0 {
			return
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", name, s.n, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), ms(s.mean))
	}
	all := latencies(r.samples, func(int) bool { return true })
	okLat := latencies(r.samples, func(s int) bool { return s == 200 })
	busyLat := latencies(r.samples, func(s int) bool { return s == 503 })
	row("all", all)
	row("200", okLat)
	row("503 busy", busyLat)
	other := latencies(r.samples, func(s int) bool { return s != 200 && s != 503 })
	row("other", other)
	var pr latStats
	var prStatus string
	if probe != nil {
		pr = latencies(probe.samples, func(int) bool { return true })
		row("signed-in probe", pr)
		prStatus = probe.statuses()
	}
	tw.Flush()
	if probe != nil {
		fmt.Fprintf(w, "probe        GET %s as a signed-in user every %s: statuses %s\n", probe.url, probe.every, prStatus)
	}
	// One line for scripts.
	fmt.Fprintf(w, "summary rps=%.0f ok_rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f ok=%d ok_p50_ms=%.2f ok_p99_ms=%.2f busy=%d busy_share=%.3f busy_p50_ms=%.2f busy_p99_ms=%.2f errors=%d late=%d probe_n=%d probe_p50_ms=%.2f probe_p99_ms=%.2f probe_max_ms=%.2f\n",
		rps, float64(ok)/r.wall.Seconds(), msf(all.p50), msf(all.p90), msf(all.p99), msf(all.max), ok, msf(okLat.p50), msf(okLat.p99),
		busy, float64(busy)/float64(max(n, 1)), msf(busyLat.p50), msf(busyLat.p99), r.errs, r.late, pr.n, msf(pr.p50), msf(pr.p99), msf(pr.max))
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// prober is the signed-in user: its own connection and session.
type prober struct {
	client  *http.Client
	url     string
	every   time.Duration
	samples []sample
}

func newProber(ctx context.Context, page, user, passFile string, timeout time.Duration) (*prober, error) {
	pw, err := os.ReadFile(passFile)
	if err != nil {
		return nil, fmt.Errorf("--probe-password-file: %w", err)
	}
	u, err := url.Parse(page)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("--probe-url: need an http:// or https:// URL")
	}
	jar, _ := cookiejar.New(nil)
	p := &prober{url: page, client: &http.Client{Jar: jar, Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 1},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	login := *u
	login.Path, login.RawQuery = "/api/v1/auth/login", ""
	body, _ := json.Marshal(map[string]string{"username": user, "password": strings.TrimSpace(string(pw))})
	req, err := http.NewRequestWithContext(ctx, "POST", login.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("probe sign-in: %w", err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("probe sign-in as %s: status %d", user, res.StatusCode)
	}
	// The page itself must be served to the signed-in user, not a redirect to sign-in.
	if st, err := p.get(ctx); err != nil || st != http.StatusOK {
		return nil, fmt.Errorf("probe page %s: status %d %v", page, st, err)
	}
	return p, nil
}

func (p *prober) get(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", p.url, nil)
	if err != nil {
		return 0, err
	}
	res, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, err
}

func (p *prober) run(ctx context.Context, every time.Duration) {
	p.every = every
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		t0 := time.Now()
		st, err := p.get(context.WithoutCancel(ctx))
		if err != nil {
			st = 0
		}
		p.samples = append(p.samples, sample{st, time.Since(t0)})
	}
}

func (p *prober) statuses() string {
	m := map[int]int{}
	for _, s := range p.samples {
		m[s.status]++
	}
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
