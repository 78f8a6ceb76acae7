// Package server assembles Jaring's HTTP surface: the JSON API, the back
// office, health and metrics, behind one middleware chain.
package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/complaint/publicweb"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/public"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/web"
)

// Deps are what the server needs.
type Deps struct {
	DB       *store.DB
	Registry *registry.Registry
	Auth     *auth.Service
	Imports  *registry.Jobs
	Logger   *slog.Logger
	// Complaints serves complaints and WBS reports; nil makes one on DB
	// with the Auth service's key.
	Complaints *complaint.Service
	// Shed is the load shedding by priority (shed.go); zero fields take defaults.
	Shed Shed
	// Proposals is the proposal service with the server's job runner; nil: one without.
	Proposals *proposal.Service
	// Public is the citizens' site; New makes one with defaults when nil.
	Public *public.Site
	// TrustedProxies are the reverse proxies whose X-Forwarded-For gives
	// the client's address (none: the peer's address).
	TrustedProxies httpx.TrustedProxies
	// Citizens and Notify default to services on DB; CitizenLimit to
	// citizen.DefaultLimiter (registrations per client address).
	Citizens     *citizen.Service
	Notify       *notify.Service
	CitizenLimit *citizen.Limiter
}

// Server is the HTTP handler of Jaring.
type Server struct {
	deps     Deps
	routes   []httpx.Route
	mux      *http.ServeMux
	handler  http.Handler
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	metrics  http.Handler
	shed     *shedder
	// The second of the last busy answer logged, and the busy answers
	// since, not logged (see busyLogged).
	busySecond atomic.Int64
	busyQuiet  atomic.Int64
}

// New builds the server.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Server{deps: d, mux: http.NewServeMux()}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jaring_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "jaring_http_request_duration_seconds", Help: "HTTP request duration by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}}, []string{"route"})
	reg.MustRegister(s.requests, s.duration)
	s.metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	pool := 0
	if d.DB != nil {
		pool = d.DB.PoolSize()
	}
	s.shed = newShedder(ShedDefaults(d.Shed, pool), reg)

	if d.Notify == nil {
		d.Notify = notify.New(d.DB)
	}
	if d.Citizens == nil {
		d.Citizens = citizen.New(d.DB, d.Auth, d.Notify)
		d.Citizens.Limiter = d.CitizenLimit
		if d.Citizens.Limiter == nil {
			d.Citizens.Limiter = citizen.DefaultLimiter()
		}
	}
	regions := region.Store{DB: d.DB}
	if d.Complaints == nil {
		var key []byte
		if d.Auth != nil {
			key = d.Auth.Key
		}
		d.Complaints = complaint.New(d.DB, key)
		d.Complaints.Notify = d.Notify
	}
	if d.Proposals == nil {
		// One service for the pages and the API: one search limit, one
		// reference key.
		d.Proposals = proposal.New(d.DB)
		d.Proposals.Notify = proposal.Notifier(d.Notify)
		if d.Auth != nil {
			d.Proposals.RefKey = proposal.RefKeyFrom(d.Auth.Key)
		}
	}
	s.deps = d
	a := &api.API{Registry: d.Registry, Regions: regions, Auth: d.Auth, Imports: d.Imports, Complaints: d.Complaints, Citizens: d.Citizens, Notify: d.Notify,
		Proposals: d.Proposals}
	w := web.New(web.Deps{Registry: d.Registry, Regions: regions, Auth: d.Auth, Imports: d.Imports, Complaints: d.Complaints, Proposals: d.Proposals, Citizens: d.Citizens, Notify: d.Notify})
	s.routes = append(s.routes,
		httpx.Route{Method: "GET", Pattern: "/healthz", Action: authz.Public, Handler: s.healthz},
		httpx.Route{Method: "GET", Pattern: "/readyz", Action: authz.Public, Handler: s.readyz},
		httpx.Route{Method: "GET", Pattern: "/metrics", Action: authz.Public, Handler: s.metrics.ServeHTTP},
	)
	s.routes = append(s.routes, a.Routes()...)
	s.routes = append(s.routes, w.Routes()...)
	if d.Public == nil {
		d.Public = public.New(public.Deps{DB: d.DB, Regions: regions, Logger: d.Logger})
	}
	// The public complaint and whistleblowing pages (no sign-in), behind
	// the public site's challenge.
	s.routes = append(s.routes, publicweb.New(publicweb.Deps{Complaints: d.Complaints, Regions: regions, Logger: d.Logger,
		Gate: d.Public.Gate()}).Routes()...)
	s.routes = append(s.routes, d.Public.Routes()...)
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt))
	}
	// observe must see the request the mux sets Pattern on: nothing between them copies it.
	// The inner recoverer turns a handler's panic into a 500 that observe logs
	// and counts under its route; the outer one covers the middleware. The
	// shedder classifies by the session loadSession found, and its busy
	// answers are observed under the route "shed".
	s.handler = s.recoverer(s.requestID(s.securityHeaders(s.loadSession(s.observe(s.shed.limit(s.recoverer(s.mux)))))))
	return s
}

// Routes returns the whole URL surface, for tests and documentation.
func (s *Server) Routes() []httpx.Route { return s.routes }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.deps.DB.Ping(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	v, err := s.deps.DB.SchemaVersion(ctx)
	if err != nil || v < s.deps.DB.LatestVersion() {
		http.Error(w, "schema not migrated", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ready\n"))
}

// guard enforces a route's policy from the permission matrix, puts the
// principal (and so the region scope) in the context, and checks CSRF.
func (s *Server) guard(rt httpx.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refused, _ := r.Context().Value(bearerRefusedKey).(bool); refused {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			httpx.WriteProblem(w, httpx.Problem{Status: http.StatusUnauthorized, Title: "Token tidak berlaku",
				Detail: "Token tidak dikenal, kedaluwarsa, dicabut, atau akunnya nonaktif."})
			return
		}
		sess := httpx.SessionFrom(r.Context())
		if !rt.Public() {
			// Answers to signed-in users carry personal data: no cache may keep them.
			w.Header().Set("Cache-Control", "no-store")
			if sess == nil {
				if isAPI(r) {
					httpx.WriteProblem(w, httpx.Problem{Status: http.StatusUnauthorized, Title: "Belum masuk", Detail: "Masuk dulu melalui /api/v1/auth/login."})
				} else if strings.HasPrefix(r.URL.Path, "/warga/") {
					http.Redirect(w, r, "/warga/masuk", http.StatusSeeOther)
				} else {
					http.Redirect(w, r, "/masuk", http.StatusSeeOther)
				}
				return
			}
			p := principal(sess)
			if !authz.Can(p.Role, rt.Action) {
				httpx.WriteProblem(w, httpx.Problem{Status: http.StatusForbidden, Title: "Tidak berwenang",
					Detail: "Peran Anda tidak mencakup tindakan ini."})
				return
			}
			ctx, err := citizen.Attach(authz.With(r.Context(), p), s.deps.DB, p)
			if err != nil {
				httpx.WriteError(w, r, err)
				return
			}
			r = r.WithContext(ctx)
		}
		// Cap the body before anything reads it, the CSRF check included.
		limit := rt.MaxBody
		if limit == 0 {
			limit = httpx.DefaultMaxBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		// A bearer request carries no cookie a foreign site could ride on: no CSRF token.
		if sess != nil && sess.Via != auth.ViaToken && !rt.NoCSRF && unsafeMethod(r.Method) && !validCSRF(r, sess) {
			s.deps.Auth.RecordCSRFRefused(r.Context(), sess, api.ClientAddr(r), rt.Method+" "+rt.Pattern)
			httpx.WriteProblem(w, httpx.Problem{Status: http.StatusForbidden, Title: "Token CSRF tidak valid",
				Detail: "Kirim header X-CSRF-Token (API) atau muat ulang formulir (peramban)."})
			return
		}
		rt.Handler(w, r)
	})
}

func principal(sess *auth.Session) authz.Principal {
	return authz.Principal{UserID: sess.User.ID, Username: sess.User.Username, Role: authz.Role(sess.User.Role),
		Region: sess.User.RegionCode, Via: sess.Via}
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func validCSRF(r *http.Request, sess *auth.Session) bool {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" && !isAPI(r) {
		// Forms: multipart forms are parsed by the handler; read the field here.
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			_ = r.ParseMultipartForm(32 << 20)
		}
		tok = r.FormValue("csrf_token")
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(sess.CSRFToken)) == 1
}

// loadSession attaches the session named by the cookie, if valid, or on
// the API the token of an Authorization: Bearer header. A refused token
// is not anonymous: guard answers it 401 (and the refusal is recorded).
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" && isAPI(r) {
			scheme, tok, _ := strings.Cut(h, " ")
			sess, err := s.deps.Auth.LookupToken(r.Context(), strings.TrimSpace(tok), api.ClientAddr(r))
			switch {
			case err == nil && strings.EqualFold(scheme, "Bearer"):
				r = r.WithContext(httpx.WithSession(r.Context(), &sess))
			case err == nil || errors.Is(err, auth.ErrTokenRefused):
				r = r.WithContext(context.WithValue(r.Context(), bearerRefusedKey, true))
			default:
				s.deps.Logger.ErrorContext(r.Context(), "token lookup", "err", err)
				httpx.WriteProblem(w, httpx.Problem{Status: http.StatusInternalServerError, Title: "Internal Server Error"})
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(api.SessionCookie); err == nil && c.Value != "" {
			if sess, err := s.deps.Auth.Lookup(r.Context(), c.Value); err == nil {
				r = r.WithContext(httpx.WithSession(r.Context(), &sess))
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	bearerRefusedKey
)

func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 10)
		_, _ = rand.Read(b)
		// A letter first, then base 32 (letters and the digits 2 to 7): hex
		// gave runs of 12 and more digits, which look like a NIK to log scanners.
		id := "r" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
		w.Header().Set("X-Request-ID", id)
		// The audit trail, throttling and the public site's limits take the
		// client's address from here (api.ClientAddr): the peer's, or behind a
		// trusted proxy the one it forwards.
		ctx := audit.WithRequest(context.WithValue(r.Context(), requestIDKey, id), id, s.deps.TrustedProxies.ClientAddr(r))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	route  string // set by a middleware that answers before the mux
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs and measures each request by its route pattern. It never
// logs the query string or body, where personal data could travel.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if sw.route != "" {
			route = sw.route
		} else if route == "" {
			route = "unmatched"
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		s.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.duration.WithLabelValues(route).Observe(d.Seconds())
		attrs := make([]slog.Attr, 0, 6)
		if route == "shed" {
			quiet, log := s.busyLogged(start)
			if !log {
				return
			}
			attrs = append(attrs, slog.Int64("busy_unlogged", quiet))
		}
		id, _ := r.Context().Value(requestIDKey).(string)
		attrs = append(attrs, slog.String("id", id), slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", sw.status), slog.Duration("took", d))
		s.deps.Logger.LogAttrs(r.Context(), slog.LevelInfo, "http", attrs...)
	})
}

// busyLogged tells whether a busy answer (route "shed") given at t is
// logged: the first of each second is, with the number of busy answers
// since the line before that were not. A crowd answered busy at tens of
// thousands a second must not become as many log lines, which cost the
// processor the crowd is kept from; the metrics count every one.
func (s *Server) busyLogged(t time.Time) (quiet int64, log bool) {
	sec := t.Unix()
	if last := s.busySecond.Load(); last != sec && s.busySecond.CompareAndSwap(last, sec) {
		return s.busyQuiet.Swap(0), true
	}
	s.busyQuiet.Add(1)
	return 0, false
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				// The panic's value may quote input: its digits are masked like a NIK.
				s.deps.Logger.Error("panic", "route", r.Pattern, "panic", audit.MaskDigits(fmt.Sprint(v)), "stack", string(debug.Stack()))
				httpx.WriteProblem(w, httpx.Problem{Status: http.StatusInternalServerError, Title: "Internal Server Error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}
