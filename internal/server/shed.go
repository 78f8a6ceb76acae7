package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/httpx"
)

// Shed sets the load shedding by priority. Requests fall in four classes:
// health and metrics (never shed), signed-in (a valid session or token of
// staff or a machine client), the public status check (the anonymous
// POSTs of Cek Bansos, see CheckPaths) and public (everything else: the
// citizens' side, signed-in citizens included). Each of the last three has
// its own allowance: at most InFlight requests handled at once, at most
// Queue more waiting for a slot, each for at most Wait. The check's
// allowance is larger than the other public pages': a check holds no
// database connection of its own (concurrent checks share their lookup
// statements and audit transactions), so its crowd cannot take the
// connections the signed-in operators need, only processor time.
// Beyond that a request is answered at once with 503, Retry-After and a
// tiny "busy" page (problem+json under /api/), so that a crowd on the
// public side gets a fast answer instead of a timeout and cannot take the
// signed-in operators' capacity. Zero fields take the defaults of
// ShedDefaults.
type Shed struct {
	PublicInFlight int
	PublicQueue    int
	PublicWait     time.Duration
	CheckInFlight  int
	CheckQueue     int
	CheckWait      time.Duration
	UserInFlight   int
	UserQueue      int
	UserWait       time.Duration
	// RetryAfter is the wait the busy answer asks for, in whole seconds.
	RetryAfter time.Duration
	// BusyHold is how long an anonymous request refused because its
	// class's queue is full waits before its busy answer. A crowd that
	// retries at once, ignoring Retry-After, then asks once per hold and
	// connection instead of as fast as it is answered, and leaves the
	// processors to the requests being served. At most maxHeld requests
	// are held at once; the rest are answered at once, as are signed-in
	// users. 1ns holds none.
	BusyHold time.Duration
}

// maxHeld bounds the refused requests BusyHold holds at once: each holds a
// goroutine and its connection.
const maxHeld = 10000

// ShedDefaults fills the zero (or negative) fields of s from the database pool size
// (connections a request can hold) and GOMAXPROCS. The public side gets
// at most three quarters of the pool, and no more than 8 requests per
// processor, so that a signed-in request always finds a connection and
// the processor; the status check 16 per processor, enough to fill the
// batches that keep the processors busy (docs/benchmarks.md; a caller
// whose checks each hold a connection, on SQLite, sets it to the public
// allowance); signed-in users get the whole pool and a longer wait.
func ShedDefaults(s Shed, pool int) Shed {
	if pool < 1 {
		pool = 1
	}
	procs := runtime.GOMAXPROCS(0)
	if s.PublicInFlight <= 0 {
		s.PublicInFlight = max(2, min(pool*3/4, 8*procs))
	}
	if s.PublicQueue <= 0 {
		s.PublicQueue = 8 * s.PublicInFlight
	}
	if s.PublicWait <= 0 {
		s.PublicWait = 500 * time.Millisecond
	}
	if s.CheckInFlight <= 0 {
		s.CheckInFlight = 16 * procs
	}
	if s.CheckQueue <= 0 {
		s.CheckQueue = 8 * s.CheckInFlight
	}
	if s.CheckWait <= 0 {
		s.CheckWait = 500 * time.Millisecond
	}
	if s.UserInFlight <= 0 {
		s.UserInFlight = max(4, pool)
	}
	if s.UserQueue <= 0 {
		s.UserQueue = 16 * s.UserInFlight
	}
	if s.UserWait <= 0 {
		s.UserWait = 5 * time.Second
	}
	if s.RetryAfter < time.Second {
		s.RetryAfter = 5 * time.Second
	}
	if s.BusyHold <= 0 {
		s.BusyHold = time.Second
	}
	return s
}

// Request classes of the shedder, as the metrics label them.
const (
	classSystem = "system"
	classUser   = "user"
	classPublic = "public"
	classCheck  = "check"
)

// CheckPaths are the paths whose anonymous POSTs are the status check's
// class: the JSON check and the check form.
var CheckPaths = []string{"/api/v1/publik/cek", "/cek-bansos"}

// limiter is one class's allowance: slots is a semaphore of InFlight
// places; waiting requests queue on it in arrival order (a channel's
// senders are served first come, first served).
type limiter struct {
	slots  chan struct{}
	queued atomic.Int64
	queue  int64
	wait   time.Duration
}

func newLimiter(inFlight, queue int, wait time.Duration) *limiter {
	return &limiter{slots: make(chan struct{}, inFlight), queue: int64(queue), wait: wait}
}

// acquire takes a slot, or waits in the queue for one; reason says why not.
func (l *limiter) acquire(ctx context.Context) (ok bool, reason string) {
	select {
	case l.slots <- struct{}{}:
		return true, ""
	default:
	}
	if l.queued.Add(1) > l.queue {
		l.queued.Add(-1)
		return false, "full"
	}
	defer l.queued.Add(-1)
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return true, ""
	case <-t.C:
		return false, "timeout"
	case <-ctx.Done():
		return false, "gone"
	}
}

func (l *limiter) release() { <-l.slots }

// shedder is the middleware of Shed.
type shedder struct {
	cfg    Shed
	public *limiter
	check  *limiter
	user   *limiter
	shed   *prometheus.CounterVec
	held   atomic.Int64 // refused requests waiting out BusyHold
	// The busy answers, made once.
	retry       string
	page, probl []byte
}

func newShedder(cfg Shed, reg prometheus.Registerer) *shedder {
	sh := &shedder{cfg: cfg,
		public: newLimiter(cfg.PublicInFlight, cfg.PublicQueue, cfg.PublicWait),
		check:  newLimiter(cfg.CheckInFlight, cfg.CheckQueue, cfg.CheckWait),
		user:   newLimiter(cfg.UserInFlight, cfg.UserQueue, cfg.UserWait),
		shed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jaring_http_shed_total",
			Help: "Requests answered 503 busy by the load shedder, by class and reason (full: queue full, timeout: waited too long, gone: client left)."},
			[]string{"class", "reason"}),
	}
	secs := int(cfg.RetryAfter / time.Second)
	sh.retry = strconv.Itoa(secs)
	sh.page = []byte(fmt.Sprintf(busyPage, secs, secs))
	sh.probl, _ = json.Marshal(httpx.Problem{Type: "about:blank", Title: "Layanan sedang sibuk", Status: http.StatusServiceUnavailable,
		Detail: fmt.Sprintf("Terlalu banyak permintaan saat ini. Coba lagi dalam %d detik. (Service busy: try again in %d seconds.)", secs, secs)})
	sh.probl = append(sh.probl, '\n')
	help := map[string]string{"inflight": "Requests being handled, by class.", "queued": "Requests waiting for a slot, by class.",
		"inflight_limit": "Requests a class may have in flight at once."}
	gauge := func(class, what string, f func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jaring_http_" + what, Help: help[what],
			ConstLabels: prometheus.Labels{"class": class}}, f))
	}
	for class, l := range map[string]*limiter{classPublic: sh.public, classCheck: sh.check, classUser: sh.user} {
		gauge(class, "inflight", func() float64 { return float64(len(l.slots)) })
		gauge(class, "queued", func() float64 { return float64(l.queued.Load()) })
		gauge(class, "inflight_limit", func() float64 { return float64(cap(l.slots)) })
	}
	reg.MustRegister(sh.shed)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jaring_http_shed_held",
		Help: "Refused anonymous requests waiting out the busy hold before their 503."}, func() float64 { return float64(sh.held.Load()) }))
	return sh
}

// busyPage is the whole busy answer of the back office and the public
// pages: Indonesian first, English below; no style, script or image.
const busyPage = `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sedang sibuk — Busy</title></head><body>
<h1>Layanan sedang sibuk</h1>
<p>Terlalu banyak orang sedang memakai layanan ini. Silakan coba lagi dalam %d detik.</p>
<p lang="en">The service is busy. Please try again in %d seconds.</p>
</body></html>
`

// classify tells a request's class; it runs after loadSession.
func classify(r *http.Request) string {
	switch r.URL.Path {
	case "/healthz", "/readyz", "/metrics":
		return classSystem
	}
	// A signed-in citizen is the public: only staff and machine clients
	// are served from the signed-in allowance.
	if sess := httpx.SessionFrom(r.Context()); sess != nil && authz.Role(sess.User.Role) != authz.Citizen {
		return classUser
	}
	if r.Method == http.MethodPost && slices.Contains(CheckPaths, r.URL.Path) {
		return classCheck
	}
	return classPublic
}

// limit is the middleware: it holds a slot of the request's class while
// the rest of the chain runs, or answers busy.
func (sh *shedder) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		class := classify(r)
		var l *limiter
		switch class {
		case classSystem:
			next.ServeHTTP(w, r)
			return
		case classUser:
			l = sh.user
		case classCheck:
			l = sh.check
		default:
			l = sh.public
		}
		ok, reason := l.acquire(r.Context())
		if !ok {
			sh.shed.WithLabelValues(class, reason).Inc()
			if reason == "full" && class != classUser {
				sh.hold(r.Context())
			}
			sh.busy(w, r)
			return
		}
		defer l.release()
		next.ServeHTTP(w, r)
	})
}

// hold waits BusyHold, or until the client leaves, unless maxHeld
// requests already wait.
func (sh *shedder) hold(ctx context.Context) {
	if sh.held.Add(1) > maxHeld {
		sh.held.Add(-1)
		return
	}
	defer sh.held.Add(-1)
	t := time.NewTimer(sh.cfg.BusyHold)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// busy writes the 503 answer. The route of the metrics and the log is
// "shed": the mux never saw the request.
func (sh *shedder) busy(w http.ResponseWriter, r *http.Request) {
	if sw, ok := w.(*statusWriter); ok {
		sw.route = "shed"
	}
	h := w.Header()
	h.Set("Retry-After", sh.retry)
	h.Set("Cache-Control", "no-store")
	if isAPI(r) {
		h.Set("Content-Type", "application/problem+json; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(sh.probl)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(sh.page)
}
