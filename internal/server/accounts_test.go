package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/public"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/server"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// The accounts part of "who may see and change what", through the real
// server on both engines: each kind of bad input is refused with the
// right status and leaves its audit entry.

const (
	villageA = "32.04.28.2001"
	villageB = "32.04.28.2002"
)

// acct is a server with direct access to its accounts and register.
type acct struct {
	*env
	db   *store.DB
	auth *auth.Service
	reg  *registry.Registry
	famA int64 // a family in villageA
	famB int64 // a family in villageB
}

func newAcct(t *testing.T, db *store.DB) *acct {
	t.Helper()
	x := &acct{db: db}
	x.env = newEnv(t, db, func(d *server.Deps) {
		x.auth, x.reg = d.Auth, d.Registry
		// The public check without challenge and limits: the matrix sends it many times.
		d.Public = public.New(public.Deps{DB: d.DB, Regions: region.Store{DB: d.DB}, LoadTest: true})
	})
	ctx := context.Background()
	edit := registry.Edit{Actor: "test:seed", Reason: "data awal"}
	fa, _, err := x.reg.CreateFamily(ctx, edit, registry.Family{KK: "3204281506100001", VillageCode: villageA},
		[]registry.Person{{NIK: "3204281205800001", Name: "Budi Santoso", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"}})
	if err != nil {
		t.Fatal(err)
	}
	fb, _, err := x.reg.CreateFamily(ctx, edit, registry.Family{KK: "3204281506100002", VillageCode: villageB},
		[]registry.Person{{NIK: "3204282008750001", Name: "Agus Salim", Sex: "L", BirthDate: "1975-08-20", Relation: "kepala_keluarga"}})
	if err != nil {
		t.Fatal(err)
	}
	x.famA, x.famB = fa.ID, fb.ID
	return x
}

// call sends a request with optional cookie, CSRF token and bearer token.
type call struct {
	method, path, body     string
	session, csrf, bearer  string
	contentType, forwarded string
}

func (x *acct) send(t *testing.T, c call) response {
	t.Helper()
	var rd io.Reader
	if c.body != "" {
		rd = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, x.ts.URL+c.path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.session != "" {
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: c.session})
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.forwarded != "" {
		req.Header.Set("X-Forwarded-Proto", c.forwarded)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func loginBody(user, pass, code string) string {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pass, "totp": code})
	return string(b)
}

// signIn signs in with a fresh code and returns the session and CSRF token.
func (x *acct) signIn(t *testing.T, user, pass string, previous string) (string, string) {
	t.Helper()
	r := x.send(t, call{method: "POST", path: "/api/v1/auth/login", body: loginBody(user, pass, x.mfa.Code(t, user)), session: previous})
	if r.Status != http.StatusOK {
		t.Fatalf("sign in %s: %d %s", user, r.Status, r.Body)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.Unmarshal(r.Body, &out)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == api.SessionCookie {
			return c.Value, out.CSRF
		}
	}
	t.Fatalf("sign in %s: no cookie", user)
	return "", ""
}

// trail returns the audit actions recorded since seq and the last seq.
func (x *acct) trail(t *testing.T, since int64) ([]string, int64) {
	t.Helper()
	rows, err := x.db.Query(context.Background(), `SELECT seq, action FROM audit_log WHERE seq > $1 ORDER BY seq`, since)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&since, &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out, since
}

func (x *acct) mark(t *testing.T) int64 {
	_, s := x.trail(t, 0)
	return s
}

// expectTrail fails unless the actions since seq include want, in order.
func (x *acct) expectTrail(t *testing.T, what string, since int64, want ...string) int64 {
	t.Helper()
	got, last := x.trail(t, since)
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	if i != len(want) {
		t.Errorf("%s: audit trail %v lacks %v", what, got, want)
	}
	return last
}

func TestBruteForceLockout(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newAcct(t, db)
		seq := x.mark(t)
		login := func(user, pass, code string) response {
			return x.send(t, call{method: "POST", path: "/api/v1/auth/login", body: loginBody(user, pass, code)})
		}
		var first []byte
		for i := 0; i < 5; i++ {
			r := login(adminUser, "tebakan-"+strconv.Itoa(i), "123456")
			checkProblem(t, "guess", r, http.StatusUnauthorized)
			if first == nil {
				first = r.Body
			} else if string(r.Body) != string(first) {
				t.Errorf("answers differ:\n%s\n%s", first, r.Body)
			}
			if len(r.Header.Values("Set-Cookie")) > 0 {
				t.Error("a failed sign-in sets a cookie")
			}
		}
		// An unknown user gets the very same answer.
		unknown := login("tidak-ada", "tebakan-0", "123456")
		if string(unknown.Body) != string(first) {
			t.Errorf("unknown user answered differently:\n%s\n%s", first, unknown.Body)
		}
		// Locked: the right password and code are refused too, with Retry-After.
		r := login(adminUser, adminPass, x.mfa.Code(t, adminUser))
		checkProblem(t, "locked", r, http.StatusTooManyRequests)
		if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 61 {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		x.expectTrail(t, "brute force", seq, auth.ActSignInFailed, auth.ActSignInFailed, auth.ActSignInFailed,
			auth.ActSignInFailed, auth.ActSignInFailed, auth.ActSignInLocked, auth.ActSignInFailed)
		// After the lockout the owner signs in.
		x.mfa.Clock.Advance(time.Minute)
		x.signIn(t, adminUser, adminPass, "")
	})
}

func TestSessionFixationAndCookie(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newAcct(t, db)
		// A cookie planted before sign-in is never the session after it.
		planted := "dipasang-penyerang-0123456789abcdef"
		r := x.send(t, call{method: "POST", path: "/api/v1/auth/login", body: loginBody(adminUser, adminPass, x.mfa.Code(t, adminUser)),
			session: planted, forwarded: "https"})
		if r.Status != http.StatusOK {
			t.Fatalf("login: %d %s", r.Status, r.Body)
		}
		var ck *http.Cookie
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == api.SessionCookie {
				ck = c
			}
		}
		if ck == nil || ck.Value == planted || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("cookie %+v: want a new value, HttpOnly, Secure behind TLS, SameSite=Lax", ck)
		}
		checkProblem(t, "planted cookie", x.send(t, call{method: "GET", path: "/api/v1/stats", session: planted}), http.StatusUnauthorized)
		// A real session held before signing in (one the attacker made and
		// planted, or the user's own) ends: the new one is another.
		old, _ := x.signIn(t, adminUser, adminPass, "")
		fresh, _ := x.signIn(t, adminUser, adminPass, old)
		if fresh == old {
			t.Fatal("session not rotated")
		}
		checkProblem(t, "previous session", x.send(t, call{method: "GET", path: "/api/v1/stats", session: old}), http.StatusUnauthorized)
		if r := x.send(t, call{method: "GET", path: "/api/v1/stats", session: fresh}); r.Status != http.StatusOK {
			t.Fatalf("new session: %d", r.Status)
		}
	})
}

func TestCSRFForgedAndReplayed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newAcct(t, db)
		s1, c1 := x.signIn(t, adminUser, adminPass, "")
		s2, c2 := x.signIn(t, adminUser, adminPass, "")
		search := `{"q":"budi"}`
		seq := x.mark(t)
		// A token of another session.
		checkProblem(t, "other session's token", x.send(t, call{method: "POST", path: "/api/v1/people/search", body: search, session: s1, csrf: c2}), http.StatusForbidden)
		// A made-up one.
		checkProblem(t, "forged token", x.send(t, call{method: "POST", path: "/api/v1/people/search", body: search, session: s1, csrf: "palsu"}), http.StatusForbidden)
		// A token replayed after its session ended.
		if r := x.send(t, call{method: "POST", path: "/api/v1/auth/logout", session: s2, csrf: c2}); r.Status != http.StatusNoContent {
			t.Fatalf("logout: %d %s", r.Status, r.Body)
		}
		s3, _ := x.signIn(t, adminUser, adminPass, "")
		checkProblem(t, "replayed token", x.send(t, call{method: "POST", path: "/api/v1/people/search", body: search, session: s3, csrf: c2}), http.StatusForbidden)
		if r := x.send(t, call{method: "POST", path: "/api/v1/people/search", body: search, session: s1, csrf: c1}); r.Status != http.StatusOK {
			t.Errorf("own token: %d %s", r.Status, r.Body)
		}
		// One entry per minute per user and address, not one per request.
		x.expectTrail(t, "csrf", seq, auth.ActCSRFRefused, auth.ActSignOut, auth.ActSignIn)
		got, _ := x.trail(t, seq)
		if n := strings.Count(strings.Join(got, " "), auth.ActCSRFRefused); n != 1 {
			t.Errorf("%d CSRF entries, want 1 (limited): %v", n, got)
		}
		x.mfa.Clock.Advance(time.Minute)
		seq = x.mark(t)
		checkProblem(t, "forged later", x.send(t, call{method: "POST", path: "/api/v1/people/search", body: search, session: s3, csrf: "palsu"}), http.StatusForbidden)
		x.expectTrail(t, "csrf later", seq, auth.ActCSRFRefused)
	})
}

func TestSessionTimeoutsAndSignOutEverywhere(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newAcct(t, db)
		clock := x.mfa.Clock
		stats := func(s string) response { return x.send(t, call{method: "GET", path: "/api/v1/stats", session: s}) }
		// Idle: 29 minutes is fine, 30 more without use ends it.
		s, _ := x.signIn(t, adminUser, adminPass, "")
		clock.Advance(29 * time.Minute)
		if r := stats(s); r.Status != http.StatusOK {
			t.Fatalf("after 29 min: %d", r.Status)
		}
		clock.Advance(30 * time.Minute)
		seq := x.mark(t)
		checkProblem(t, "idle", stats(s), http.StatusUnauthorized)
		x.expectTrail(t, "idle", seq, auth.ActSessionExpired)
		// Absolute: used every 25 minutes, it still ends 12 hours after sign-in.
		s, _ = x.signIn(t, adminUser, adminPass, "")
		start := clock.Now()
		for clock.Now().Sub(start) < 12*time.Hour-25*time.Minute {
			clock.Advance(25 * time.Minute)
			if r := stats(s); r.Status != http.StatusOK {
				t.Fatalf("at %v: %d", clock.Now().Sub(start), r.Status)
			}
		}
		clock.Set(start.Add(12 * time.Hour))
		seq = x.mark(t)
		checkProblem(t, "absolute", stats(s), http.StatusUnauthorized)
		x.expectTrail(t, "absolute", seq, auth.ActSessionExpired)
		// Sign out everywhere ends every session of the user, from any one of them.
		a, ca := x.signIn(t, adminUser, adminPass, "")
		b, _ := x.signIn(t, adminUser, adminPass, "")
		checkProblem(t, "logout-all without CSRF", x.send(t, call{method: "POST", path: "/api/v1/auth/logout-all", session: a}), http.StatusForbidden)
		seq = x.mark(t)
		r := x.send(t, call{method: "POST", path: "/api/v1/auth/logout-all", session: a, csrf: ca})
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"sessions_ended":2`) {
			t.Fatalf("logout-all: %d %s", r.Status, r.Body)
		}
		x.expectTrail(t, "logout-all", seq, auth.ActSignOutAll)
		for _, s := range []string{a, b} {
			checkProblem(t, "after logout-all", stats(s), http.StatusUnauthorized)
		}
	})
}

// created is the answer to POST /api/v1/users.
type created struct {
	User struct {
		ID int64 `json:"id"`
	} `json:"user"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret"`
	TOTPURL    string `json:"totp_url"`
}

func (x *acct) createUser(t *testing.T, session, csrf, body string, want int) created {
	t.Helper()
	r := x.send(t, call{method: "POST", path: "/api/v1/users", body: body, session: session, csrf: csrf})
	if r.Status != want {
		t.Fatalf("create user %s: %d, want %d: %s", body, r.Status, want, r.Body)
	}
	var c created
	if want == http.StatusCreated {
		if err := json.Unmarshal(r.Body, &c); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestDisabledWhileSignedIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newAcct(t, db)
		as, ac := x.signIn(t, adminUser, adminPass, "")
		c := x.createUser(t, as, ac, `{"username":"op-a","role":"desa","region":"`+villageA+`","password":"kata-sandi-op-a-1"}`, http.StatusCreated)
		if c.Password != "" || c.TOTPSecret != "" {
			t.Errorf("given password echoed or MFA for a village role: %+v", c)
		}
		s, _ := x.signIn(t, "op-a", "kata-sandi-op-a-1", "")
		r := x.send(t, call{method: "POST", path: "/api/v1/users/" + strconv.FormatInt(c.User.ID, 10) + "/tokens", body: `{"expires":"1h"}`, session: as, csrf: ac})
		var tok struct {
			Token string `json:"token"`
		}
		if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &tok) != nil {
			t.Fatalf("token: %d %s", r.Status, r.Body)
		}
		fam := fmt.Sprintf("/api/v1/families/%d", x.famA)
		if r := x.send(t, call{method: "GET", path: fam, session: s}); r.Status != http.StatusOK {
			t.Fatalf("before: %d", r.Status)
		}
		seq := x.mark(t)
		r = x.send(t, call{method: "POST", path: "/api/v1/users/" + strconv.FormatInt(c.User.ID, 10) + "/disable", session: as, csrf: ac})
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"disabled":true`) {
			t.Fatalf("disable: %d %s", r.Status, r.Body)
		}
		checkProblem(t, "session of a disabled user", x.send(t, call{method: "GET", path: fam, session: s}), http.StatusUnauthorized)
		checkProblem(t, "token of a disabled user", x.send(t, call{method: "GET", path: fam, bearer: tok.Token}), http.StatusUnauthorized)
		checkProblem(t, "sign-in of a disabled user", x.send(t, call{method: "POST", path: "/api/v1/auth/login", body: loginBody("op-a", "kata-sandi-op-a-1", "")}), http.StatusUnauthorized)
		x.expectTrail(t, "disabled", seq, auth.ActUserDisable, auth.ActTokenRefused, auth.ActSignInFailed)
		// Disabling oneself is refused.
		admin, _ := x.auth.UserByName(context.Background(), adminUser)
		checkProblem(t, "disable oneself", x.send(t, call{method: "POST", path: "/api/v1/users/" + strconv.FormatInt(admin.ID, 10) + "/disable", session: as, csrf: ac}), http.StatusConflict)
	})
}

func TestTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newAcct(t, db)
		ctx := context.Background()
		op, err := x.auth.CreateUser(ctx, "op-desa", "kata-sandi-op-desa-1", "desa", villageA)
		if err != nil {
			t.Fatal(err)
		}
		plain, tk, err := x.auth.CreateToken(ctx, op.ID, "skrip", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		get := func(path, bearer string) response { return x.send(t, call{method: "GET", path: path, bearer: bearer}) }
		// The village's own family, and the other village's: not found.
		if r := get(fmt.Sprintf("/api/v1/families/%d", x.famA), plain); r.Status != http.StatusOK {
			t.Fatalf("own village's family: %d %s", r.Status, r.Body)
		}
		checkProblem(t, "other village's family", get(fmt.Sprintf("/api/v1/families/%d", x.famB), plain), http.StatusNotFound)
		// Bearer requests need no CSRF token.
		if r := x.send(t, call{method: "POST", path: "/api/v1/families/lookup", body: `{"no_kk":"3204281506100001"}`, bearer: plain}); r.Status != http.StatusOK {
			t.Errorf("bearer POST without CSRF: %d %s", r.Status, r.Body)
		}
		if r := x.send(t, call{method: "POST", path: "/api/v1/families/lookup", body: `{"no_kk":"3204281506100002"}`, bearer: plain}); r.Status != http.StatusNotFound {
			t.Errorf("bearer lookup in another village: %d %s", r.Status, r.Body)
		}
		// A village operator does not manage accounts, token or not.
		checkProblem(t, "users with a village token", get("/api/v1/users", plain), http.StatusForbidden)
		// The back office does not take tokens.
		if r := get("/", plain); r.Status != http.StatusSeeOther {
			t.Errorf("back office with a token: %d", r.Status)
		}
		// Unknown, malformed, expired and revoked tokens: 401 with WWW-Authenticate.
		seq := x.mark(t)
		for what, bad := range map[string]string{"unknown": auth.TokenPrefix + "tidak-ada", "malformed": "x"} {
			r := get("/api/v1/stats", bad)
			checkProblem(t, what, r, http.StatusUnauthorized)
			if !strings.Contains(r.Header.Get("WWW-Authenticate"), "invalid_token") {
				t.Errorf("%s: WWW-Authenticate %q", what, r.Header.Get("WWW-Authenticate"))
			}
		}
		// A refused token is refused on a public route too, not treated as anonymous.
		checkProblem(t, "refused on login", x.send(t, call{method: "POST", path: "/api/v1/auth/login", body: loginBody("a", "b", ""), bearer: "x"}), http.StatusUnauthorized)
		x.mfa.Clock.Advance(time.Hour)
		checkProblem(t, "expired", get("/api/v1/stats", plain), http.StatusUnauthorized)
		x.expectTrail(t, "expired", seq, auth.ActTokenRefused, auth.ActTokenRefused)
		_ = tk

		// Through the API: an administrator creates, lists and revokes.
		as, ac := x.signIn(t, adminUser, adminPass, "")
		path := "/api/v1/users/" + strconv.FormatInt(op.ID, 10) + "/tokens"
		r := x.send(t, call{method: "POST", path: path, body: `{"name":"kedua","expires":"30d"}`, session: as, csrf: ac})
		var out struct {
			Token string `json:"token"`
			Info  struct {
				ID     int64  `json:"id"`
				Prefix string `json:"prefix"`
			} `json:"info"`
		}
		if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &out) != nil || !strings.HasPrefix(out.Token, out.Info.Prefix) {
			t.Fatalf("create token: %d %s", r.Status, r.Body)
		}
		if r := get("/api/v1/stats", out.Token); r.Status != http.StatusOK {
			t.Fatalf("new token: %d", r.Status)
		}
		r = x.send(t, call{method: "GET", path: path, session: as})
		if r.Status != http.StatusOK || strings.Contains(string(r.Body), out.Token) || !strings.Contains(string(r.Body), `"active":true`) {
			t.Fatalf("list tokens: %d %s", r.Status, r.Body)
		}
		seq = x.mark(t)
		r = x.send(t, call{method: "POST", path: "/api/v1/tokens/" + strconv.FormatInt(out.Info.ID, 10) + "/revoke", session: as, csrf: ac})
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"active":false`) {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		checkProblem(t, "revoked", get("/api/v1/stats", out.Token), http.StatusUnauthorized)
		x.expectTrail(t, "revoked", seq, auth.ActTokenRevoke, auth.ActTokenRefused)
		checkProblem(t, "token too long", x.send(t, call{method: "POST", path: path, body: `{"expires":"400d"}`, session: as, csrf: ac}), http.StatusUnprocessableEntity)
		checkProblem(t, "revoke unknown", x.send(t, call{method: "POST", path: "/api/v1/tokens/999999/revoke", session: as, csrf: ac}), http.StatusNotFound)
		if strings.Contains(x.logs.String(), out.Token) || strings.Contains(x.logs.String(), plain) {
			t.Error("a token reached the log")
		}
	})
}

func TestMFARolesAndGranting(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newAcct(t, db)
		as, ac := x.signIn(t, adminUser, adminPass, "")
		login := func(user, pass, code string) response {
			return x.send(t, call{method: "POST", path: "/api/v1/auth/login", body: loginBody(user, pass, code)})
		}
		passwords := map[string]string{}
		for _, c := range []struct{ user, role, region string }{
			{"pusdatin1", "pusdatin", ""}, {"jabar", "provinsi", "32"}, {"admin2", "admin", ""},
		} {
			u := x.createUser(t, as, ac, `{"username":"`+c.user+`","role":"`+c.role+`","region":"`+c.region+`"}`, http.StatusCreated)
			if u.Password == "" || u.TOTPSecret == "" || !strings.HasPrefix(u.TOTPURL, "otpauth://totp/") {
				t.Fatalf("%s: no generated password or enrollment: %+v", c.role, u)
			}
			x.mfa.Remember(c.user, u.TOTPSecret)
			passwords[c.user] = u.Password
			// Without a code: 401, and the answer names the code without
			// saying whether the password was right.
			right := login(c.user, u.Password, "")
			wrong := login(c.user, "salah-sekali-123", "")
			checkProblem(t, c.role+" without code", right, http.StatusUnauthorized)
			if string(right.Body) != string(wrong.Body) || !strings.Contains(string(right.Body), "totp") {
				t.Errorf("%s: answers without a code:\n%s\n%s", c.role, right.Body, wrong.Body)
			}
			checkProblem(t, c.role+" wrong code", login(c.user, u.Password, "000000"), http.StatusUnauthorized)
			if r := login(c.user, u.Password, x.mfa.Code(t, c.user)); r.Status != http.StatusOK {
				t.Errorf("%s with code: %d %s", c.role, r.Status, r.Body)
			}
			x.mfa.Clock.Advance(16 * time.Minute) // past the failure window
		}
		// A village role signs in without a code.
		x.createUser(t, as, ac, `{"username":"desa1","role":"desa","region":"`+villageA+`","password":"kata-sandi-desa-1"}`, http.StatusCreated)
		if r := login("desa1", "kata-sandi-desa-1", ""); r.Status != http.StatusOK {
			t.Errorf("desa without code: %d %s", r.Status, r.Body)
		}
		x.createUser(t, as, ac, `{"username":"jatim","role":"provinsi","region":"35"}`, http.StatusCreated)

		// A province office manages the accounts bound inside its province:
		// no national role, no other province, no oversight it lacks.
		ps, pc := x.signIn(t, "jabar", passwords["jabar"], "")
		x.createUser(t, ps, pc, `{"username":"admin3","role":"admin"}`, http.StatusForbidden)
		x.createUser(t, ps, pc, `{"username":"pusat","role":"pusdatin","region":""}`, http.StatusForbidden)
		x.createUser(t, ps, pc, `{"username":"jatim2","role":"dinsos","region":"35.01"}`, http.StatusForbidden)
		x.createUser(t, ps, pc, `{"username":"irjen","role":"inspektorat","region":"32"}`, http.StatusForbidden)
		x.createUser(t, ps, pc, `{"username":"bandung","role":"dinsos","region":"32.04"}`, http.StatusCreated)
		r := x.send(t, call{method: "GET", path: "/api/v1/users", session: ps})
		var list struct {
			Users []struct {
				ID       int64  `json:"id"`
				Username string `json:"username"`
				Region   string `json:"region"`
			} `json:"users"`
		}
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &list) != nil {
			t.Fatalf("province list: %d %s", r.Status, r.Body)
		}
		var names []string
		for _, u := range list.Users {
			names = append(names, u.Username)
		}
		if !slices.Equal(names, []string{"bandung", "desa1", "jabar"}) {
			t.Errorf("province lists %v", names)
		}
		// Accounts outside the province do not exist for it.
		jatim, _ := x.auth.UserByName(context.Background(), "jatim")
		admin, _ := x.auth.UserByName(context.Background(), adminUser)
		for _, id := range []int64{jatim.ID, admin.ID} {
			checkProblem(t, "disable outside the province", x.send(t, call{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/disable", id), session: ps, csrf: pc}), http.StatusNotFound)
			checkProblem(t, "tokens outside the province", x.send(t, call{method: "GET", path: fmt.Sprintf("/api/v1/users/%d/tokens", id), session: ps}), http.StatusNotFound)
		}
		// The national administrator reaches every account.
		jabar, _ := x.auth.UserByName(context.Background(), "jabar")
		if r := x.send(t, call{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/tokens", jabar.ID), body: `{}`, session: as, csrf: ac}); r.Status != http.StatusCreated {
			t.Errorf("national admin issues a token for the province: %d %s", r.Status, r.Body)
		}
		// Roles without users.manage are refused outright.
		ds, _ := x.signIn(t, "desa1", "kata-sandi-desa-1", "")
		checkProblem(t, "village lists users", x.send(t, call{method: "GET", path: "/api/v1/users", session: ds}), http.StatusForbidden)
	})
}
