package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

type shedAnswer struct {
	status int
	header http.Header
	body   string
}

func shedGet(t *testing.T, url, user string) shedAnswer {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Error(err)
		return shedAnswer{}
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return shedAnswer{}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return shedAnswer{res.StatusCode, res.Header, string(b)}
}

// waitFor waits until cond holds: a condition, not a clock, decides.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

func checkBusy(t *testing.T, what string, a shedAnswer, api bool) {
	t.Helper()
	if a.status != http.StatusServiceUnavailable {
		t.Fatalf("%s: status %d, want 503; body %s", what, a.status, a.body)
	}
	if got := a.header.Get("Retry-After"); got != "7" {
		t.Errorf("%s: Retry-After %q, want 7", what, got)
	}
	if api {
		var p httpx.Problem
		if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("%s: content type %q", what, ct)
		}
		if err := json.Unmarshal([]byte(a.body), &p); err != nil || p.Status != 503 || !strings.Contains(p.Detail, "7 detik") {
			t.Errorf("%s: problem %s (%v)", what, a.body, err)
		}
		return
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: content type %q", what, ct)
	}
	for _, want := range []string{"Layanan sedang sibuk", "coba lagi dalam 7 detik", "try again in 7 seconds"} {
		if !strings.Contains(a.body, want) {
			t.Errorf("%s: page lacks %q:\n%s", what, want, a.body)
		}
	}
	if len(a.body) > 1024 {
		t.Errorf("%s: busy page of %d bytes", what, len(a.body))
	}
}

// TestShedByPriority saturates the public allowance with handlers blocked
// on a channel: the next public request waits in the queue, the ones after
// it get 503 with Retry-After at once (the queue is full: nothing waits),
// while a signed-in request and the health check are still served; freeing
// a slot lets the queued request through.
func TestShedByPriority(t *testing.T) {
	reg := prometheus.NewRegistry()
	sh := newShedder(ShedDefaults(Shed{PublicInFlight: 2, PublicQueue: 1, PublicWait: time.Hour, BusyHold: time.Millisecond, UserInFlight: 2,
		RetryAfter: 7 * time.Second}, 16), reg)
	entered := make(chan string, 10)
	release := make(chan struct{})
	inner := http.NewServeMux()
	inner.HandleFunc("/block", func(w http.ResponseWriter, r *http.Request) {
		entered <- r.URL.Query().Get("n")
		<-release
		_, _ = io.WriteString(w, "done")
	})
	inner.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	// The test's stand-in for loadSession: a header names the signed-in user.
	withUser := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u := r.Header.Get("X-Test-User"); u != "" {
				role := "dinsos"
				if u == "warga" {
					role = string(authz.Citizen)
				}
				r = r.WithContext(httpx.WithSession(r.Context(), &auth.Session{User: auth.User{Username: u, Role: role}}))
			}
			next.ServeHTTP(w, r)
		})
	}
	ts := httptest.NewServer(withUser(sh.limit(inner)))
	defer ts.Close()

	var wg sync.WaitGroup
	got := make(chan shedAnswer, 10)
	for _, n := range []string{"1", "2"} {
		wg.Add(1)
		go func() { defer wg.Done(); got <- shedGet(t, ts.URL+"/block?n="+n, "") }()
		<-entered
	}
	wg.Add(1)
	go func() { defer wg.Done(); got <- shedGet(t, ts.URL+"/block?n=3", "") }()
	waitFor(t, "a public request waits in the queue", func() bool { return sh.public.queued.Load() == 1 })

	checkBusy(t, "public page, allowance and queue full", shedGet(t, ts.URL+"/cek", ""), false)
	checkBusy(t, "public API, allowance and queue full", shedGet(t, ts.URL+"/api/v1/publik/cek", ""), true)
	// A signed-in citizen is the public.
	checkBusy(t, "signed-in citizen, allowance and queue full", shedGet(t, ts.URL+"/warga", "warga"), false)
	if n := shedCount(reg, classPublic, "full"); n != 3 {
		t.Errorf("shed public/full = %v, want 3", n)
	}
	if a := shedGet(t, ts.URL+"/", "operator"); a.status != http.StatusOK || a.body != "ok" {
		t.Errorf("signed-in request while the public side is saturated: %d %s", a.status, a.body)
	}
	if a := shedGet(t, ts.URL+"/healthz", ""); a.status != http.StatusOK {
		t.Errorf("health check while the public side is saturated: %d %s", a.status, a.body)
	}
	if n := shedCount(reg, classUser, "full"); n != 0 {
		t.Errorf("shed user/full = %v, want 0", n)
	}

	// A freed slot goes to the queued request.
	release <- struct{}{}
	if n := <-entered; n != "3" {
		t.Errorf("request %s entered, want the queued one (3)", n)
	}
	close(release)
	wg.Wait()
	close(got)
	for a := range got {
		if a.status != http.StatusOK || a.body != "done" {
			t.Errorf("blocked request: %d %s", a.status, a.body)
		}
	}
	if a := shedGet(t, ts.URL+"/cek", ""); a.status != http.StatusOK {
		t.Errorf("public request after the crowd: %d", a.status)
	}
}

// TestShedSignedInAllowance: the signed-in class has its own allowance,
// and a request that waited its whole wait is shed as a timeout.
func TestShedSignedInAllowance(t *testing.T) {
	reg := prometheus.NewRegistry()
	sh := newShedder(ShedDefaults(Shed{PublicInFlight: 1, UserInFlight: 1, UserQueue: 1, UserWait: time.Millisecond,
		RetryAfter: 7 * time.Second}, 16), reg)
	entered := make(chan struct{})
	release := make(chan struct{})
	h := sh.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			entered <- struct{}{}
			<-release
		}
	}))
	user := func(path string) *http.Request {
		r := httptest.NewRequest("GET", path, nil)
		return r.WithContext(httpx.WithSession(r.Context(), &auth.Session{User: auth.User{Username: "operator"}}))
	}
	done := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, user("/block"))
		done <- w.Code
	}()
	<-entered
	w := httptest.NewRecorder()
	h.ServeHTTP(w, user("/api/v1/families"))
	checkBusy(t, "signed-in request after its wait", shedAnswer{w.Code, w.Header(), w.Body.String()}, true)
	if n := shedCount(reg, classUser, "timeout"); n != 1 {
		t.Errorf("shed user/timeout = %v, want 1", n)
	}
	// The public allowance is untouched by the signed-in crowd.
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/cek", nil))
	if w.Code != http.StatusOK {
		t.Errorf("public request while signed-in saturated: %d", w.Code)
	}
	close(release)
	if code := <-done; code != http.StatusOK {
		t.Errorf("blocked request: %d", code)
	}
}

// TestShedCheckAllowance: the status check's POSTs have their own
// allowance, apart from the other public pages': a crowd on either leaves
// the other served, and a GET of a check path is an ordinary public page.
func TestShedCheckAllowance(t *testing.T) {
	reg := prometheus.NewRegistry()
	sh := newShedder(ShedDefaults(Shed{PublicInFlight: 1, PublicQueue: 1, PublicWait: time.Millisecond,
		CheckInFlight: 1, CheckQueue: 1, CheckWait: time.Millisecond, RetryAfter: 7 * time.Second}, 16), reg)
	entered := make(chan struct{})
	release := make(chan struct{})
	h := sh.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("block") {
			entered <- struct{}{}
			<-release
		}
	}))
	serve := func(method, path string) shedAnswer {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader("{}")))
		return shedAnswer{w.Code, w.Header(), w.Body.String()}
	}
	for _, c := range []struct {
		method, path string // the request that takes its class's one slot
		class        string
		others       []string // "METHOD path" served meanwhile
		busy         string   // "METHOD path" of the same class, shed
	}{
		{"POST", "/api/v1/publik/cek", classCheck, []string{"GET /cek-bansos", "GET /api/v1/publik/cek", "POST /pengaduan"}, "POST /cek-bansos"},
		{"GET", "/cek-bansos", classPublic, []string{"POST /api/v1/publik/cek", "POST /cek-bansos"}, "GET /pengaduan"},
	} {
		done := make(chan int)
		go func() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(c.method, c.path+"?block", strings.NewReader("{}")))
			done <- w.Code
		}()
		<-entered
		for _, o := range c.others {
			m, p, _ := strings.Cut(o, " ")
			if a := serve(m, p); a.status != http.StatusOK {
				t.Errorf("%s while %s %s holds the %s allowance: %d", o, c.method, c.path, c.class, a.status)
			}
		}
		m, p, _ := strings.Cut(c.busy, " ")
		checkBusy(t, c.busy+" with the "+c.class+" allowance taken", serve(m, p), strings.HasPrefix(p, "/api/"))
		if n := shedCount(reg, c.class, "timeout"); n != 1 {
			t.Errorf("shed %s/timeout = %v, want 1", c.class, n)
		}
		release <- struct{}{}
		if code := <-done; code != http.StatusOK {
			t.Errorf("blocked request: %d", code)
		}
	}
}

// TestShedWiring runs the whole server with its public allowance taken:
// anonymous pages and API calls get the busy answers (logged and counted
// under the route "shed"), a signed-in operator's page and the health
// check are served, and /metrics shows the shed counts.
func TestShedWiring(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := region.Import(ctx, db, region.Demo()); err != nil {
			t.Fatal(err)
		}
		a := auth.New(db)
		const pass = "kata-sandi-operator-1"
		if _, err := a.CreateUser(ctx, "operator", pass, "dinsos", "32.04"); err != nil {
			t.Fatal(err)
		}
		reg := registry.New(db)
		srv := New(Deps{DB: db, Registry: reg, Auth: a, Imports: registry.NewJobs(reg, t.TempDir()),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Shed: Shed{RetryAfter: 7 * time.Second}})
		ts := httptest.NewServer(srv)
		defer ts.Close()
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		do := func(method, path, body, session string) shedAnswer {
			t.Helper()
			req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if session != "" {
				req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: session})
			}
			res, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return shedAnswer{res.StatusCode, res.Header, string(b)}
		}
		login := do("POST", "/api/v1/auth/login", `{"username":"operator","password":"`+pass+`"}`, "")
		var session string
		for _, c := range (&http.Response{Header: login.header}).Cookies() {
			if c.Name == api.SessionCookie {
				session = c.Value
			}
		}
		if login.status != http.StatusOK || session == "" {
			t.Fatalf("login: %d %s", login.status, login.body)
		}

		// Take every public slot and queue place, as a crowd of slow requests would.
		pub := srv.shed.public
		for range cap(pub.slots) {
			pub.slots <- struct{}{}
		}
		pub.queued.Store(pub.queue)
		checkBusy(t, "sign-in page", do("GET", "/masuk", "", ""), false)
		checkBusy(t, "API sign-in", do("POST", "/api/v1/auth/login", `{"username":"operator","password":"`+pass+`"}`, ""), true)
		if r := do("GET", "/", "", session); r.status != http.StatusOK || !strings.Contains(r.body, "operator") {
			t.Errorf("operator's dashboard while the public side is saturated: %d", r.status)
		}
		if r := do("GET", "/healthz", "", ""); r.status != http.StatusOK {
			t.Errorf("health check: %d", r.status)
		}
		m := do("GET", "/metrics", "", "").body
		for _, want := range []string{`jaring_http_shed_total{class="public",reason="full"} 2`,
			`jaring_http_requests_total{route="shed",status="503"} 2`,
			`jaring_http_inflight{class="public"} ` + strconv.Itoa(cap(pub.slots)),
			`jaring_http_inflight_limit{class="user"} `} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		pub.queued.Store(0)
		for range cap(pub.slots) {
			pub.release()
		}
		if r := do("GET", "/masuk", "", ""); r.status != http.StatusOK {
			t.Errorf("sign-in page after the crowd: %d", r.status)
		}
	})
}

// shedCount reads jaring_http_shed_total{class, reason} from reg.
func shedCount(reg *prometheus.Registry, class, reason string) float64 {
	mfs, err := reg.Gather()
	if err != nil {
		return -1
	}
	for _, mf := range mfs {
		if mf.GetName() != "jaring_http_shed_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			if got["class"] == class && got["reason"] == reason {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestBusyLogged: of the busy answers, the first of each second is logged,
// carrying the number of those since the line before that were not.
func TestBusyLogged(t *testing.T) {
	var s Server
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var got []string
	for i, at := range []time.Duration{0, 100 * time.Millisecond, 900 * time.Millisecond, time.Second, 1500 * time.Millisecond, 3 * time.Second} {
		if quiet, log := s.busyLogged(t0.Add(at)); log {
			got = append(got, strconv.Itoa(i)+":"+strconv.FormatInt(quiet, 10))
		}
	}
	if want := "0:0 3:2 5:1"; strings.Join(got, " ") != want {
		t.Errorf("logged %q, want %q", strings.Join(got, " "), want)
	}
}

// TestShedBusyHold: an anonymous request refused because its queue is full
// gets its 503 only after BusyHold, or as soon as its client leaves; a
// signed-in user's refusal comes at once.
func TestShedBusyHold(t *testing.T) {
	const hold = 300 * time.Millisecond
	sh := newShedder(ShedDefaults(Shed{PublicInFlight: 1, PublicQueue: 1, UserInFlight: 1, UserQueue: 1,
		RetryAfter: 7 * time.Second, BusyHold: hold}, 16), prometheus.NewRegistry())
	for _, l := range []*limiter{sh.public, sh.user} {
		l.slots <- struct{}{}
		l.queued.Store(l.queue)
	}
	h := sh.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	serve := func(r *http.Request) (shedAnswer, time.Duration) {
		start := time.Now()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return shedAnswer{w.Code, w.Header(), w.Body.String()}, time.Since(start)
	}

	a, took := serve(httptest.NewRequest("GET", "/cek-bansos", nil))
	checkBusy(t, "public page, queue full", a, false)
	if took < hold {
		t.Errorf("public refusal after %s, want at least the hold %s", took, hold)
	}

	// A client that leaves is let go without waiting out the hold.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, took := serve(httptest.NewRequest("GET", "/cek-bansos", nil).WithContext(ctx)); took >= hold {
		t.Errorf("refusal of a client that left took %s, the whole hold", took)
	}

	// The signed-in allowance answers at once: hold the test far longer
	// than any scheduling delay, and ask for much less.
	sh.cfg.BusyHold = time.Minute
	r := httptest.NewRequest("GET", "/", nil)
	r = r.WithContext(httpx.WithSession(r.Context(), &auth.Session{User: auth.User{Username: "operator", Role: "dinsos"}}))
	a, took = serve(r)
	checkBusy(t, "signed-in page, queue full", a, false)
	if took > 30*time.Second {
		t.Errorf("signed-in refusal after %s: held", took)
	}
	if n := sh.held.Load(); n != 0 {
		t.Errorf("%d requests still counted as held", n)
	}
}
