package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/auth/authtest"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/server"
	"github.com/kemensos/jaring/internal/store"
)

// logBuffer collects everything the server logs, for the privacy scan.
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

// env is a real server on a real database, seeded with the demo regions
// and an administrator.
type env struct {
	t    *testing.T
	db   *store.DB
	auth *auth.Service
	srv  *server.Server
	ts   *httptest.Server
	logs *logBuffer
	// mfa gives second-factor codes to users of roles that need one.
	mfa *authtest.MFA
	// secrets are strings that must never appear in the logs.
	secrets []string
}

const (
	adminUser = "admin"
	adminPass = "rahasia-sekali-123"
)

// newEnv starts a server on db. The default slog logger writes into the
// same buffer as the server's logger while the test runs, so that what
// packages log through slog.Default is scanned too.
func newEnv(t *testing.T, db *store.DB) *env {
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
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	prev := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(prev) })
	reg := registry.New(db)
	srv := server.New(server.Deps{DB: db, Registry: reg, Auth: a, Imports: registry.NewJobs(reg, t.TempDir()), Logger: logger})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &env{t: t, db: db, auth: a, srv: srv, ts: ts, logs: logs, mfa: mfa, secrets: []string{adminPass}}
}

// client is an API client with its own cookie jar.
type client struct {
	e    *env
	hc   *http.Client
	csrf string
}

func (e *env) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar}}
}

// login signs in and returns a client carrying the session and CSRF token.
func (e *env) login(t *testing.T, user, pass string) *client {
	t.Helper()
	c := e.anonymous()
	r := c.do(t, "POST", "/api/v1/auth/login", map[string]string{"username": user, "password": pass, "totp": e.mfa.Code(t, user)})
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", user, r.Status, r.Body)
	}
	var out struct {
		Username  string `json:"username"`
		Role      string `json:"role"`
		CSRFToken string `json:"csrf_token"`
	}
	r.decode(t, &out)
	if out.CSRFToken == "" || out.Username != user {
		t.Fatalf("login %s: body %s", user, r.Body)
	}
	c.csrf = out.CSRFToken
	tok := c.sessionToken(t)
	if tok == "" {
		t.Fatal("login: no session cookie")
	}
	e.secrets = append(e.secrets, pass, out.CSRFToken, tok)
	return c
}

func (c *client) sessionToken(t *testing.T) string {
	t.Helper()
	u, _ := url.Parse(c.e.ts.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == api.SessionCookie {
			return ck.Value
		}
	}
	return ""
}

// withoutCSRF returns a client with the same session and no CSRF token.
func (c *client) withoutCSRF() *client {
	return &client{e: c.e, hc: c.hc}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request. body is nil, a string or []byte (sent as is) or a
// value sent as JSON.
func (c *client) do(t *testing.T, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.e.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(t, req)
}

func (c *client) send(t *testing.T, req *http.Request) response {
	t.Helper()
	if c.csrf != "" && req.Method != "GET" && req.Method != "HEAD" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// upload posts a file as multipart form field "file".
func (c *client) upload(t *testing.T, path, name, content string) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(content))
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", c.e.ts.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(t, req)
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q, want application/json; body %s", ct, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// expect decodes a JSON answer with the given status.
func (r response) expect(t *testing.T, status int, v any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if v != nil {
		r.decode(t, v)
	}
}

type problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Errors []errs.FieldError `json:"errors"`
}

// problem checks that r is an RFC 9457 problem document with the status.
func (r response) problem(t *testing.T, status int) problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	var p problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("problem %s: %v", r.Body, err)
	}
	if p.Status != status || p.Title == "" || p.Type == "" {
		t.Fatalf("problem document %+v, want status %d with type and title", p, status)
	}
	checkSecurityHeaders(t, r.Header)
	return p
}

// invalid checks a 422 problem naming the field.
func (r response) invalid(t *testing.T, field string) problem {
	t.Helper()
	p := r.problem(t, http.StatusUnprocessableEntity)
	for _, e := range p.Errors {
		if e.Field == field {
			return p
		}
	}
	t.Fatalf("422 errors %+v do not name field %q", p.Errors, field)
	return p
}

func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if v := h.Get("Content-Security-Policy"); !strings.Contains(v, "default-src 'self'") || !strings.Contains(v, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q", v)
	}
	if v := h.Get("X-Frame-Options"); v != "DENY" {
		t.Errorf("X-Frame-Options = %q, want DENY", v)
	}
	if v := h.Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", v)
	}
}
