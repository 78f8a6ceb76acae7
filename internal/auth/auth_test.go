package auth_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/auth/authtest"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

const (
	pass     = "kata-sandi-benar-1"
	village  = "32.04.28.2001"
	village2 = "32.04.28.2002"
	district = "32.04"
	province = "32"
)

type fixture struct {
	db  *store.DB
	svc *auth.Service
	mfa *authtest.MFA
	ctx context.Context
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := region.Import(ctx, db, region.Demo()); err != nil {
		t.Fatal(err)
	}
	svc := auth.New(db)
	return &fixture{db: db, svc: svc, mfa: authtest.Setup(svc), ctx: ctx}
}

func (f *fixture) user(t *testing.T, name, role, region string) auth.User {
	t.Helper()
	pw := pass
	if info, _ := authz.Info(authz.Role(role)); info.Machine {
		pw = ""
	}
	u, err := f.svc.CreateUser(f.ctx, name, pw, role, region)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// actions returns the audit trail's actions since seq, and the last seq.
func (f *fixture) actions(t *testing.T, since int64) ([]string, int64) {
	t.Helper()
	rows, err := f.db.Query(f.ctx, `SELECT seq, action FROM audit_log WHERE seq > $1 ORDER BY seq`, since)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	last := since
	for rows.Next() {
		var a string
		if err := rows.Scan(&last, &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out, last
}

func (f *fixture) lastSeq(t *testing.T) int64 {
	_, s := f.actions(t, 0)
	return s
}

// expectTrail fails unless the trail since seq holds exactly want, in order.
func (f *fixture) expectTrail(t *testing.T, since int64, want ...string) int64 {
	t.Helper()
	got, last := f.actions(t, since)
	if !slices.Equal(got, want) {
		t.Fatalf("audit trail %v, want %v", got, want)
	}
	return last
}

func (f *fixture) signIn(a auth.Attempt) (string, auth.Session, error) {
	if a.Address == "" {
		a.Address = "192.0.2.1"
	}
	return f.svc.SignIn(f.ctx, a)
}

func TestCreateUserValidates(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		for _, c := range []struct {
			name, user, password, role, region, field string
		}{
			{"bad name", "Budi Santoso", pass, "desa", village, "username"},
			{"short password", "budi", "pendek", "desa", village, "password"},
			{"unknown role", "budi", pass, "raja", "", "role"},
			{"village role at a district", "budi", pass, "desa", district, "region"},
			{"national role bound to a province", "budi", pass, "admin", province, "region"},
			{"unknown village", "budi", pass, "desa", "32.04.28.2999", "region"},
			{"machine account with a password", "bank", pass, "bank", "", "password"},
		} {
			_, err := f.svc.CreateUser(f.ctx, c.user, c.password, c.role, c.region)
			var inv *errs.Invalid
			if !errors.As(err, &inv) || inv.Fields[0].Field != c.field {
				t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
			}
		}
		seq := f.lastSeq(t)
		u := f.user(t, " Budi.Desa ", "desa", village)
		if u.Username != "budi.desa" || u.RegionCode != village {
			t.Errorf("created %+v", u)
		}
		f.expectTrail(t, seq, auth.ActUserCreate)
		if _, err := f.svc.CreateUser(f.ctx, "budi.desa", pass, "desa", village); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("same name again: %v", err)
		}
		if _, err := f.svc.CreateUser(f.ctx, "bank.bri", "", "bank", ""); err != nil {
			t.Errorf("machine account: %v", err)
		}
	})
}

func TestSignInSameAnswer(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.user(t, "budi", "desa", village)
		off := f.user(t, "mati", "desa", village)
		if _, err := f.svc.DisableUser(f.ctx, off.ID); err != nil {
			t.Fatal(err)
		}
		f.user(t, "mesin", "ewarong", village)
		f.user(t, "kepala", "admin", "") // MFA role, not enrolled
		seq := f.lastSeq(t)
		for _, a := range []auth.Attempt{
			{Username: "tidak-ada", Password: pass},
			{Username: "budi", Password: "salah-sekali-1"},
			{Username: "mati", Password: pass},
			{Username: "mesin", Password: pass}, // a machine account has no password anyone knows
			{Username: "kepala", Password: pass, TOTP: "123456"},
			{Username: "budi", Password: strings.Repeat("x", 10000)},
		} {
			tok, _, err := f.signIn(a)
			if err != auth.ErrBadCredentials || tok != "" {
				t.Errorf("%s: %v, want ErrBadCredentials", a.Username, err)
			}
		}
		f.expectTrail(t, seq, auth.ActSignInFailed, auth.ActSignInFailed, auth.ActSignInFailed, auth.ActSignInFailed, auth.ActSignInFailed, auth.ActSignInFailed)
		var reasons []string
		rows, err := db.Query(f.ctx, `SELECT after_data FROM audit_log WHERE seq > $1 ORDER BY seq`, seq)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			reasons = append(reasons, s)
		}
		rows.Close()
		for i, want := range []string{"akun_tidak_dikenal", "kata_sandi_salah", "akun_nonaktif", "kata_sandi_salah", "mfa_belum_terdaftar", "kata_sandi_salah"} {
			if !strings.Contains(reasons[i], want) || strings.Contains(reasons[i], pass) {
				t.Errorf("entry %d: %s, want reason %s and no password", i, reasons[i], want)
			}
		}
		// The right password signs in: the name is case-insensitive.
		tok, sess, err := f.signIn(auth.Attempt{Username: " BUDI ", Password: pass})
		if err != nil || tok == "" || sess.User.Username != "budi" || sess.CSRFToken == "" || sess.Via != auth.ViaSession {
			t.Fatalf("sign in: %v %+v", err, sess)
		}
	})
}

func TestLockout(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.user(t, "budi", "desa", village)
		clock := f.mfa.Clock
		seq := f.lastSeq(t)
		for i := 0; i < 5; i++ {
			if _, _, err := f.signIn(auth.Attempt{Username: "budi", Password: "salah-sekali-1"}); err != auth.ErrBadCredentials {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		f.expectTrail(t, seq, auth.ActSignInFailed, auth.ActSignInFailed, auth.ActSignInFailed, auth.ActSignInFailed,
			auth.ActSignInFailed, auth.ActSignInLocked)
		// Locked: even the right password is refused, from any address.
		_, _, err := f.signIn(auth.Attempt{Username: "budi", Password: pass, Address: "198.51.100.7"})
		var locked *auth.LockedError
		if !errors.As(err, &locked) {
			t.Fatalf("locked account: %v", err)
		}
		if d := locked.RetryAfter(clock.Now()); d < 50*time.Second || d > 62*time.Second {
			t.Errorf("first lockout retry after %v, want about a minute", d)
		}
		// An unknown name locks the same way: a lockout does not tell who exists.
		for i := 0; i < 5; i++ {
			_, _, _ = f.signIn(auth.Attempt{Username: "siapa", Password: "salah-sekali-1", Address: "198.51.100.8"})
		}
		if _, _, err := f.signIn(auth.Attempt{Username: "siapa", Password: pass, Address: "198.51.100.8"}); !errors.As(err, &locked) {
			t.Errorf("unknown name after 5 failures: %v", err)
		}
		// After the lockout the right password works, and resets the count.
		clock.Advance(61 * time.Second)
		if _, _, err := f.signIn(auth.Attempt{Username: "budi", Password: pass}); err != nil {
			t.Fatalf("after lockout: %v", err)
		}
		// The next lockout is longer: 5 more failures, then two minutes...
		// but the count was reset by the success, so it is the first again.
		for i := 0; i < 5; i++ {
			_, _, _ = f.signIn(auth.Attempt{Username: "budi", Password: "salah-sekali-1"})
		}
		_, _, err = f.signIn(auth.Attempt{Username: "budi", Password: pass})
		if !errors.As(err, &locked) || locked.RetryAfter(clock.Now()) > 62*time.Second {
			t.Fatalf("lockout after success: %v", err)
		}
		clock.Advance(61 * time.Second)
		for i := 0; i < 5; i++ {
			_, _, _ = f.signIn(auth.Attempt{Username: "budi", Password: "salah-sekali-1"})
		}
		_, _, err = f.signIn(auth.Attempt{Username: "budi", Password: pass})
		if !errors.As(err, &locked) || locked.RetryAfter(clock.Now()) < 110*time.Second {
			t.Fatalf("second lockout without a success between: %v, want about two minutes", err)
		}
	})
}

func TestAddressLockout(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.svc.Policy.AddressLimit = 8
		f.user(t, "budi", "desa", village)
		// Four names, two failures each: no name is locked, the address is.
		for i := 0; i < 8; i++ {
			name := []string{"a1", "a2", "a3", "a4"}[i%4]
			if _, _, err := f.signIn(auth.Attempt{Username: name, Password: "salah-sekali-1", Address: "203.0.113.9"}); err != auth.ErrBadCredentials {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		var locked *auth.LockedError
		if _, _, err := f.signIn(auth.Attempt{Username: "budi", Password: pass, Address: "203.0.113.9"}); !errors.As(err, &locked) {
			t.Fatalf("locked address: %v", err)
		}
		if _, _, err := f.signIn(auth.Attempt{Username: "budi", Password: pass, Address: "203.0.113.10"}); err != nil {
			t.Fatalf("other address: %v", err)
		}
	})
}

func TestMFA(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		clock := f.mfa.Clock
		for _, role := range []string{"admin", "pusdatin", "provinsi"} {
			region := ""
			if role == "provinsi" {
				region = province
			}
			name := "u-" + role
			c, err := f.svc.AddUser(f.ctx, auth.NewUser{Username: name, Role: role, Region: region, Password: pass})
			if err != nil {
				t.Fatal(err)
			}
			if c.TOTP == nil || !strings.HasPrefix(c.TOTP.URL, "otpauth://totp/Jaring:"+name) || !c.User.TOTP {
				t.Fatalf("%s: no enrollment %+v", role, c)
			}
			secret := c.TOTP.Secret
			// The secret is sealed in the database, not kept in the clear.
			var stored string
			if err := db.QueryRow(f.ctx, `SELECT totp_secret FROM users WHERE id = $1`, c.User.ID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(stored, secret) || !strings.HasPrefix(stored, "v1.") {
				t.Fatalf("stored secret %q", stored)
			}
			seq := f.lastSeq(t)
			if _, _, err := f.signIn(auth.Attempt{Username: name, Password: pass}); err != auth.ErrBadCredentials {
				t.Errorf("%s without a code: %v", role, err)
			}
			code, _ := auth.TOTPCode(secret, clock.Now())
			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			if _, _, err := f.signIn(auth.Attempt{Username: name, Password: pass, TOTP: wrong}); err != auth.ErrBadCredentials {
				t.Errorf("%s with a wrong code: %v", role, err)
			}
			if _, _, err := f.signIn(auth.Attempt{Username: name, Password: "salah-sekali-1", TOTP: code}); err != auth.ErrBadCredentials {
				t.Errorf("%s with the code and a wrong password: %v", role, err)
			}
			if _, _, err := f.signIn(auth.Attempt{Username: name, Password: pass, TOTP: code}); err != nil {
				t.Errorf("%s with the code: %v", role, err)
			}
			// A code signs in once.
			if _, _, err := f.signIn(auth.Attempt{Username: name, Password: pass, TOTP: code}); err != auth.ErrBadCredentials {
				t.Errorf("%s with the same code again: %v", role, err)
			}
			// The previous step's code is late but in the window; after the step used, no.
			clock.Advance(30 * time.Second)
			next, _ := auth.TOTPCode(secret, clock.Now())
			if _, _, err := f.signIn(auth.Attempt{Username: name, Password: pass, TOTP: next}); err != nil {
				t.Errorf("%s with the next step's code: %v", role, err)
			}
			f.expectTrail(t, seq, auth.ActSignInFailed, auth.ActSignInFailed, auth.ActSignInFailed, auth.ActSignIn, auth.ActSignInFailed, auth.ActSignIn)
			clock.Advance(10 * time.Minute) // past the failure window
		}
		// A role without MFA signs in without a code, until it enrolls one.
		u := f.user(t, "desa1", "desa", village)
		if _, _, err := f.signIn(auth.Attempt{Username: "desa1", Password: pass}); err != nil {
			t.Fatalf("desa without MFA: %v", err)
		}
		enr, err := f.svc.EnrollTOTP(f.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.signIn(auth.Attempt{Username: "desa1", Password: pass}); err != auth.ErrBadCredentials {
			t.Errorf("enrolled desa without a code: %v", err)
		}
		clock.Advance(30 * time.Second)
		code, _ := auth.TOTPCode(enr.Secret, clock.Now())
		if _, _, err := f.signIn(auth.Attempt{Username: "desa1", Password: pass, TOTP: code}); err != nil {
			t.Errorf("enrolled desa with the code: %v", err)
		}
		// Another key cannot open the secrets: the sign-in fails, it does not pass.
		f.svc.Key = make([]byte, auth.KeySize)
		clock.Advance(30 * time.Second)
		code, _ = auth.TOTPCode(enr.Secret, clock.Now())
		if _, _, err := f.signIn(auth.Attempt{Username: "desa1", Password: pass, TOTP: code}); err != auth.ErrBadCredentials {
			t.Errorf("with another key: %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		clock := f.mfa.Clock
		u := f.user(t, "budi", "desa", village)
		start := clock.Now()
		tok, sess, err := f.signIn(auth.Attempt{Username: "budi", Password: pass})
		if err != nil {
			t.Fatal(err)
		}
		if !sess.ExpiresAt.Equal(start.Add(12 * time.Hour)) {
			t.Errorf("expires %v, want 12 h after %v", sess.ExpiresAt, start)
		}
		// Used every 20 minutes, the session lives to its absolute end.
		for clock.Now().Before(start.Add(12*time.Hour - 20*time.Minute)) {
			clock.Advance(20 * time.Minute)
			if _, err := f.svc.Lookup(f.ctx, tok); err != nil {
				t.Fatalf("at %v: %v", clock.Now().Sub(start), err)
			}
		}
		seq := f.lastSeq(t)
		clock.Set(start.Add(12 * time.Hour))
		if _, err := f.svc.Lookup(f.ctx, tok); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("after 12 h: %v", err)
		}
		seq = f.expectTrail(t, seq, auth.ActSessionExpired)
		if _, err := f.svc.Lookup(f.ctx, tok); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("again after 12 h: %v", err)
		}
		f.expectTrail(t, seq) // recorded once

		// Idle: 30 minutes unused ends it; the last-seen time is written at most once a minute.
		tok, _, err = f.signIn(auth.Attempt{Username: "budi", Password: pass})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(29 * time.Minute)
		if _, err := f.svc.Lookup(f.ctx, tok); err != nil {
			t.Fatalf("after 29 min: %v", err)
		}
		clock.Advance(29 * time.Minute)
		if _, err := f.svc.Lookup(f.ctx, tok); err != nil {
			t.Fatalf("29 min after the last use: %v", err)
		}
		clock.Advance(30 * time.Minute)
		if _, err := f.svc.Lookup(f.ctx, tok); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("after 30 idle minutes: %v", err)
		}
		var seen1, seen2 int64
		tok, _, _ = f.signIn(auth.Attempt{Username: "budi", Password: pass})
		clock.Advance(2 * time.Minute)
		_, _ = f.svc.Lookup(f.ctx, tok)
		_ = db.QueryRow(f.ctx, `SELECT MAX(last_seen_at) FROM sessions`).Scan(&seen1)
		clock.Advance(30 * time.Second)
		_, _ = f.svc.Lookup(f.ctx, tok)
		_ = db.QueryRow(f.ctx, `SELECT MAX(last_seen_at) FROM sessions`).Scan(&seen2)
		if seen1 != seen2 || seen1 != store.Micros(clock.Now().Add(-30*time.Second)) {
			t.Errorf("last seen %d then %d: touched more than once a minute", seen1, seen2)
		}

		// Rotation: the session held before sign-in ends; the new token is new.
		tok2, _, err := f.signIn(auth.Attempt{Username: "budi", Password: pass, Previous: tok})
		if err != nil || tok2 == tok {
			t.Fatalf("rotation: %v", err)
		}
		if _, err := f.svc.Lookup(f.ctx, tok); err == nil {
			t.Error("the previous session still works")
		}
		// Sign out everywhere.
		tok3, _, _ := f.signIn(auth.Attempt{Username: "budi", Password: pass})
		seq = f.lastSeq(t)
		if n, err := f.svc.SignOutAll(f.ctx, u.ID); err != nil || n != 2 {
			t.Fatalf("sign out all: %d %v", n, err)
		}
		f.expectTrail(t, seq, auth.ActSignOutAll)
		for _, tk := range []string{tok2, tok3} {
			if _, err := f.svc.Lookup(f.ctx, tk); err == nil {
				t.Error("a session survived signing out everywhere")
			}
		}
		// Disabled while signed in: the next lookup fails.
		tok4, _, _ := f.signIn(auth.Attempt{Username: "budi", Password: pass})
		err = db.Write(f.ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(f.ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, true, u.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		seq = f.lastSeq(t)
		if _, err := f.svc.Lookup(f.ctx, tok4); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("disabled: %v", err)
		}
		f.expectTrail(t, seq, auth.ActSessionRefused)
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		clock := f.mfa.Clock
		u := f.user(t, "warung", "ewarong", village)
		seq := f.lastSeq(t)
		plain, tok, err := f.svc.CreateToken(f.ctx, u.ID, "kasir", 24*time.Hour)
		if err != nil || !strings.HasPrefix(plain, auth.TokenPrefix) || !strings.HasPrefix(plain, tok.Prefix) {
			t.Fatalf("create: %q %+v %v", plain, tok, err)
		}
		var n int
		_ = db.QueryRow(f.ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1 OR prefix = $1`, plain).Scan(&n)
		if n != 0 {
			t.Error("the token is stored in the clear")
		}
		seq = f.expectTrail(t, seq, auth.ActTokenCreate)
		s, err := f.svc.LookupToken(f.ctx, plain, "192.0.2.1")
		if err != nil || s.User.ID != u.ID || s.Via != auth.ViaToken || s.User.RegionCode != village || s.User.Role != "ewarong" {
			t.Fatalf("lookup: %+v %v", s, err)
		}
		// Expired.
		clock.Advance(24 * time.Hour)
		if _, err := f.svc.LookupToken(f.ctx, plain, "192.0.2.1"); err != auth.ErrTokenRefused {
			t.Fatalf("expired: %v", err)
		}
		// Refusals are recorded once a minute, not per request.
		_, _ = f.svc.LookupToken(f.ctx, plain, "192.0.2.1")
		seq = f.expectTrail(t, seq, auth.ActTokenRefused)
		// Revoked.
		plain2, tok2, _ := f.svc.CreateToken(f.ctx, u.ID, "", time.Hour)
		if _, err := f.svc.LookupToken(f.ctx, plain2, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RevokeToken(f.ctx, tok2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.LookupToken(f.ctx, plain2, ""); err != auth.ErrTokenRefused {
			t.Fatalf("revoked: %v", err)
		}
		seq = f.expectTrail(t, seq, auth.ActTokenCreate, auth.ActTokenRevoke, auth.ActTokenRefused)
		// Unknown, and garbage.
		for _, bad := range []string{auth.TokenPrefix + "abc", "bukan-token", ""} {
			if _, err := f.svc.LookupToken(f.ctx, bad, "192.0.2.99"); err != auth.ErrTokenRefused {
				t.Fatalf("unknown %q: %v", bad, err)
			}
		}
		seq = f.expectTrail(t, seq, auth.ActTokenRefused) // once a minute per address
		// Disabling the account revokes its tokens at once.
		plain3, _, _ := f.svc.CreateToken(f.ctx, u.ID, "", time.Hour)
		if _, err := f.svc.DisableUser(f.ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.LookupToken(f.ctx, plain3, ""); err != auth.ErrTokenRefused {
			t.Fatalf("disabled: %v", err)
		}
		list, err := f.svc.Tokens(f.ctx, u.ID)
		if err != nil || len(list) != 3 {
			t.Fatalf("tokens: %d %v", len(list), err)
		}
		for _, tk := range list {
			if tk.Active(clock.Now()) {
				t.Errorf("token %d still active", tk.ID)
			}
		}
		if _, _, err := f.svc.CreateToken(f.ctx, u.ID, "", time.Hour); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("token for a disabled account: %v", err)
		}
		if _, _, err := f.svc.CreateToken(f.ctx, 999, "", 400*24*time.Hour); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("token of 400 days: %v", err)
		}
	})
}

func TestManageScope(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		prov := f.user(t, "dinsos-jabar", "provinsi", province)
		other := f.user(t, "dinsos-jatim", "provinsi", "35")
		as := authz.With(f.ctx, authz.Principal{UserID: prov.ID, Username: prov.Username, Role: authz.Province, Region: province, Via: "sesi"})
		for _, c := range []struct {
			role, region string
			ok           bool
		}{
			{"admin", "", false},         // national role
			{"program", "", false},       // national role
			{"provinsi", "35", false},    // another province
			{"inspektorat", "32", false}, // oversight the province lacks
			{"dinsos", district, true},
			{"desa", village, true},
			{"provinsi", province, true},
			{"ewarong", village2, true},
		} {
			_, err := f.svc.AddUser(as, auth.NewUser{Username: "x-" + c.role + strings.ReplaceAll(c.region, ".", ""), Role: c.role, Region: c.region})
			if c.ok != (err == nil) || err != nil && !errors.Is(err, errs.ErrForbidden) {
				t.Errorf("province creates %s at %q: %v", c.role, c.region, err)
			}
		}
		list, err := f.svc.ListUsers(as)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range list {
			if !authz.Contains(province, u.RegionCode) {
				t.Errorf("province lists %s of %q", u.Username, u.RegionCode)
			}
		}
		if len(list) != 5 {
			t.Errorf("province lists %d users, want 5", len(list))
		}
		if _, err := f.svc.DisableUser(as, other.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("disable a user of another province: %v", err)
		}
		if _, err := f.svc.DisableUser(as, prov.ID); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("disable oneself: %v", err)
		}
		// An inspector inside the province is visible but not the province's to manage.
		insp, err := f.svc.CreateUser(f.ctx, "irjen-jabar", pass, "inspektorat", province)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DisableUser(as, insp.ID); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("disable an inspector: %v", err)
		}
		// A generated password is returned once, and works.
		c, err := f.svc.AddUser(as, auth.NewUser{Username: "op-desa", Role: "desa", Region: village})
		if err != nil || len(c.Password) < 16 || c.TOTP != nil {
			t.Fatalf("generated: %+v %v", c, err)
		}
		if _, _, err := f.signIn(auth.Attempt{Username: "op-desa", Password: c.Password}); err != nil {
			t.Errorf("sign in with the generated password: %v", err)
		}
	})
}

func TestParseLifetime(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "12h": 12 * time.Hour, "30m": 30 * time.Minute} {
		if got, err := auth.ParseLifetime(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"", "d", "x9d", "90 hari"} {
		if _, err := auth.ParseLifetime(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	k := auth.NewKey()
	a, err := auth.ParseKey(k)
	if err != nil || len(a) != auth.KeySize {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "abc", strings.Repeat("z", 64)} {
		if _, err := auth.ParseKey(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	path := t.TempDir() + "/secret.key"
	k1, err := auth.LoadKeyFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := auth.LoadKeyFile(path, true)
	if err != nil || string(k1) != string(k2) {
		t.Fatalf("key file not kept: %v", err)
	}
}
