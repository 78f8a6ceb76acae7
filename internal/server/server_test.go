package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/auth/authtest"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/server"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type env struct {
	srv  *server.Server
	ts   *httptest.Server
	logs *logBuffer
	mfa  *authtest.MFA
}

const (
	adminUser = "admin"
	adminPass = "rahasia-sekali-123"
)

// newEnv serves a server on db, seeded with the demo regions and an
// administrator. change, if not nil, may alter the dependencies.
func newEnv(t *testing.T, db *store.DB, change func(*server.Deps)) *env {
	t.Helper()
	ctx := context.Background()
	if _, err := region.Import(ctx, db, region.Demo()); err != nil {
		t.Fatal(err)
	}
	a := auth.New(db)
	mfa := authtest.Setup(a)
	if _, err := a.CreateUser(ctx, adminUser, adminPass, auth.RoleAdmin, ""); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	reg := registry.New(db)
	d := server.Deps{DB: db, Registry: reg, Auth: a, Imports: registry.NewJobs(reg, t.TempDir()),
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), CitizenLimit: citizen.NewLimiter(time.Millisecond, 1000)}
	if change != nil {
		change(&d)
	}
	srv := server.New(d)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &env{srv: srv, ts: ts, logs: logs, mfa: mfa}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request with optional session cookie and CSRF token.
func (e *env) do(t *testing.T, method, path, body, session, csrf string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: session})
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	// Do not follow redirects: the back office answers 303 to /masuk.
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// login returns the session token and CSRF token of the administrator.
func (e *env) login(t *testing.T) (session, csrf string) {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/auth/login", `{"username":"`+adminUser+`","password":"`+adminPass+`","totp":"`+e.mfa.Code(t, adminUser)+`"}`, "", "")
	if r.Status != http.StatusOK {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == api.SessionCookie {
			session = c.Value
		}
	}
	if session == "" || out.CSRFToken == "" {
		t.Fatalf("login: no session or CSRF token: %s", r.Body)
	}
	return session, out.CSRFToken
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	if v := h.Get("Content-Security-Policy"); !strings.Contains(v, "default-src 'self'") || !strings.Contains(v, "frame-ancestors 'none'") {
		t.Errorf("%s: Content-Security-Policy = %q", what, v)
	}
	if v := h.Get("X-Frame-Options"); v != "DENY" {
		t.Errorf("%s: X-Frame-Options = %q, want DENY", what, v)
	}
	if v := h.Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q, want nosniff", what, v)
	}
	if h.Get("X-Request-ID") == "" {
		t.Errorf("%s: no X-Request-ID", what)
	}
}

// checkProblem checks an RFC 9457 problem answer with the status.
func checkProblem(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %d, want %d; body %s", what, r.Status, status, r.Body)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: content type %q", what, ct)
	}
	var p httpx.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil || p.Status != status || p.Title == "" || p.Type == "" {
		t.Errorf("%s: problem %s (%v)", what, r.Body, err)
	}
	checkSecurityHeaders(t, what, r.Header)
}

func TestHealth(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, nil)
		for _, path := range []string{"/healthz", "/readyz"} {
			r := e.do(t, "GET", path, "", "", "")
			if r.Status != http.StatusOK {
				t.Errorf("%s: %d %s", path, r.Status, r.Body)
			}
			checkSecurityHeaders(t, path, r.Header)
		}
	})
}

func TestReadyzUnmigrated(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kosong.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := registry.New(db)
	srv := server.New(server.Deps{DB: db, Registry: reg, Auth: auth.New(db), Imports: registry.NewJobs(reg, t.TempDir()),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for path, want := range map[string]int{"/readyz": http.StatusServiceUnavailable, "/healthz": http.StatusOK} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("%s on an unmigrated database: %d, want %d (%s)", path, rec.Code, want, rec.Body)
		}
	}
	// Once migrated, it is ready.
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("/readyz after migrating: %d", rec.Code)
	}
}

func TestReadyzDatabaseClosed(t *testing.T) {
	db := storetest.OpenSQLite(t)
	reg := registry.New(db)
	srv := server.New(server.Deps{DB: db, Registry: reg, Auth: auth.New(db), Imports: registry.NewJobs(reg, t.TempDir()),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	db.Close()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with a closed database: %d", rec.Code)
	}
}

// concrete turns a route pattern into a path that matches it.
func concrete(pattern string) string {
	pattern = strings.ReplaceAll(pattern, "{$}", "")
	return regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(pattern, "1")
}

// signInPage is where the guard sends an anonymous browser: citizens' pages
// to the citizens' sign-in, the rest to the back office's.
func signInPage(path string) string {
	if strings.HasPrefix(path, "/warga/") {
		return "/warga/masuk"
	}
	return "/masuk"
}

func isUnsafe(m string) bool { return m != "GET" && m != "HEAD" && m != "OPTIONS" }

// TestGuard checks every route's access rule: signed-in routes refuse
// anonymous callers (401 problem for the API, a redirect for pages), and
// every unsafe signed-in route refuses a session without the CSRF token.
func TestGuard(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, nil)
		session, csrf := e.login(t)
		var signedIn, unsafe int
		for _, rt := range e.srv.Routes() {
			path := concrete(rt.Pattern)
			what := rt.Method + " " + rt.Pattern
			if !rt.Public() {
				signedIn++
				r := e.do(t, rt.Method, path, "{}", "", "")
				if strings.HasPrefix(path, "/api/") {
					checkProblem(t, what+" anonymous", r, http.StatusUnauthorized)
				} else if want := signInPage(path); r.Status != http.StatusSeeOther || r.Header.Get("Location") != want {
					t.Errorf("%s anonymous: %d Location %q, want 303 to %s", what, r.Status, r.Header.Get("Location"), want)
				}
				// A session that does not exist is anonymous too.
				if strings.HasPrefix(path, "/api/") {
					checkProblem(t, what+" unknown session", e.do(t, rt.Method, path, "{}", "bukan-sesi", csrf), http.StatusUnauthorized)
				}
			}
			if !rt.Public() && isUnsafe(rt.Method) && !rt.NoCSRF {
				unsafe++
				checkProblem(t, what+" without CSRF", e.do(t, rt.Method, path, "{}", session, ""), http.StatusForbidden)
				checkProblem(t, what+" wrong CSRF", e.do(t, rt.Method, path, "{}", session, csrf+"x"), http.StatusForbidden)
			}
		}
		if signedIn == 0 || unsafe == 0 {
			t.Fatalf("%d signed-in routes, %d unsafe: the route table is empty?", signedIn, unsafe)
		}
		// The only routes open to anyone, or exempt from CSRF, are the known ones.
		for _, rt := range e.srv.Routes() {
			key := rt.Method + " " + rt.Pattern
			// The public site's forms have no session to ride on: a challenge and rate limits instead.
			publicForm := key == "POST /cek-bansos" || key == "POST /api/v1/publik/cek" || strings.HasPrefix(rt.Pattern, "/pengaduan") ||
				key == "POST /api/v1/citizens/register" || key == "POST /warga/daftar" || key == "POST /warga/masuk"
			if rt.NoCSRF && key != "POST /api/v1/auth/login" && !strings.HasPrefix(rt.Pattern, "/masuk") && !publicForm {
				t.Errorf("%s is exempt from CSRF", key)
			}
			if rt.Public() && strings.HasPrefix(rt.Pattern, "/api/") &&
				key != "POST /api/v1/auth/login" && key != "GET /api/v1/openapi.json" && key != "POST /api/v1/citizens/register" && !strings.HasPrefix(rt.Pattern, "/api/v1/publik/") {
				t.Errorf("%s is public", key)
			}
		}
		// With the token the guard lets the request through.
		r := e.do(t, "POST", "/api/v1/people/search", `{"q":"budi"}`, session, csrf)
		if r.Status != http.StatusOK {
			t.Errorf("search with session and CSRF: %d %s", r.Status, r.Body)
		}
	})
}

func TestSecurityHeadersOnErrors(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, nil)
		session, _ := e.login(t)
		checkProblem(t, "401", e.do(t, "GET", "/api/v1/stats", "", "", ""), http.StatusUnauthorized)
		checkProblem(t, "404", e.do(t, "GET", "/api/v1/families/424242", "", session, ""), http.StatusNotFound)
		checkProblem(t, "422", e.do(t, "GET", "/api/v1/families/x", "", session, ""), http.StatusUnprocessableEntity)
		for _, path := range []string{"/api/v1/openapi.json", "/api/v1/tidak-ada", "/tidak-ada", "/metrics"} {
			r := e.do(t, "GET", path, "", "", "")
			checkSecurityHeaders(t, path, r.Header)
		}
		r := e.do(t, "DELETE", "/api/v1/families/1", "", session, "")
		if r.Status != http.StatusMethodNotAllowed {
			t.Errorf("DELETE family: %d", r.Status)
		}
		checkSecurityHeaders(t, "405", r.Header)
	})
}

func TestMetricsByRoutePattern(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, nil)
		session, _ := e.login(t)
		for _, id := range []string{"11", "22", "33"} {
			e.do(t, "GET", "/api/v1/families/"+id, "", session, "")
			e.do(t, "GET", "/api/v1/people/"+id+"/history", "", session, "")
		}
		e.do(t, "GET", "/api/v1/regions/32.04", "", session, "")
		e.do(t, "GET", "/tidak/ada/99", "", "", "")
		r := e.do(t, "GET", "/metrics", "", "", "")
		if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("/metrics: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		body := string(r.Body)
		for _, want := range []string{
			`jaring_http_requests_total{route="GET /api/v1/families/{id}",status="404"} 3`,
			`jaring_http_requests_total{route="GET /api/v1/people/{id}/history",status="404"} 3`,
			`jaring_http_requests_total{route="GET /api/v1/regions/{code}",status="200"} 1`,
			`jaring_http_requests_total{route="POST /api/v1/auth/login",status="200"} 1`,
			`jaring_http_request_duration_seconds_count{route="GET /api/v1/families/{id}"} 3`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if m := regexp.MustCompile(`route="[^"]*(/\d+|32\.04|tidak)[^"]*"`).FindString(body); m != "" {
			t.Errorf("metrics carry a raw path: %s", m)
		}
		// Every label is a route pattern, or "unmatched".
		known := map[string]bool{"unmatched": true}
		for _, rt := range e.srv.Routes() {
			known[rt.Method+" "+rt.Pattern] = true
		}
		for _, m := range regexp.MustCompile(`(?m)^jaring_http_requests_total\{route="([^"]*)"`).FindAllStringSubmatch(body, -1) {
			if !known[m[1]] {
				t.Errorf("metrics route label %q is not a route pattern", m[1])
			}
		}
		// The request log names the pattern, never the path.
		logs := e.logs.String()
		if !strings.Contains(logs, `"route":"GET /api/v1/families/{id}"`) || strings.Contains(logs, "/api/v1/families/11") {
			t.Errorf("request log:\n%s", logs)
		}
		if strings.Contains(logs, session) {
			t.Error("the session token is logged")
		}
	})
}

// TestPanicRecovered makes a handler panic through the real route table:
// the server is built without a registry, so the first registry call
// dereferences nil. The client gets a 500 problem; the log and the metrics
// record it under its route, and the server keeps serving.
func TestPanicRecovered(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, func(d *server.Deps) { d.Registry = nil })
		session, _ := e.login(t)
		r := e.do(t, "GET", "/api/v1/families?region=32.04", "", session, "")
		checkProblem(t, "panic", r, http.StatusInternalServerError)
		if bytes.Contains(r.Body, []byte("nil pointer")) || bytes.Contains(r.Body, []byte("goroutine")) {
			t.Errorf("500 answer reveals the panic: %s", r.Body)
		}
		logs := e.logs.String()
		if !strings.Contains(logs, `"msg":"panic"`) || !strings.Contains(logs, `"route":"GET /api/v1/families"`) {
			t.Errorf("panic log does not name the route:\n%s", logs)
		}
		if !regexp.MustCompile(`"msg":"http".*"route":"GET /api/v1/families","status":500`).MatchString(logs) {
			t.Errorf("request log lacks the 500:\n%s", logs)
		}
		m := string(e.do(t, "GET", "/metrics", "", "", "").Body)
		if !strings.Contains(m, `jaring_http_requests_total{route="GET /api/v1/families",status="500"} 1`) {
			t.Error("metrics do not count the 500")
		}
		if r := e.do(t, "GET", "/healthz", "", "", ""); r.Status != http.StatusOK {
			t.Errorf("after a panic /healthz: %d", r.Status)
		}
	})
}

// TestSessionEndsWhenAccountDisabled: a disabled account's live session no
// longer opens the API.
func TestSessionEndsWhenAccountDisabled(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, nil)
		session, _ := e.login(t)
		if r := e.do(t, "GET", "/api/v1/stats", "", session, ""); r.Status != http.StatusOK {
			t.Fatalf("stats: %d", r.Status)
		}
		ctx := context.Background()
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE users SET disabled = $1 WHERE username = $2`, true, adminUser)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		checkProblem(t, "disabled", e.do(t, "GET", "/api/v1/stats", "", session, ""), http.StatusUnauthorized)
		checkProblem(t, "disabled login", e.do(t, "POST", "/api/v1/auth/login", `{"username":"`+adminUser+`","password":"`+adminPass+`"}`, "", ""), http.StatusUnauthorized)
	})
}
