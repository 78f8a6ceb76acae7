// Package authtest helps tests sign in as users whose role requires a
// second factor: a fixed secret key, a settable clock, and fresh TOTP codes.
package authtest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/store"
)

// Key is the secret key of test services.
var Key = bytes.Repeat([]byte{0x5a}, auth.KeySize)

// Clock is a settable clock for auth.Service.Now, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t.UTC().Truncate(time.Microsecond)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.UTC().Truncate(time.Microsecond)
}

// MFA gives tests second-factor codes.
type MFA struct {
	Svc   *auth.Service
	Clock *Clock
	mu    sync.Mutex
	keys  map[string]string // user name → TOTP secret
}

// Setup gives svc the test key (when it has none) and a clock starting
// now, and returns the helper. Call it before serving requests.
func Setup(svc *auth.Service) *MFA {
	if svc.Key == nil {
		svc.Key = Key
	}
	c := NewClock(store.Now())
	svc.Now = c.Now
	return &MFA{Svc: svc, Clock: c, keys: map[string]string{}}
}

// Enroll enrolls the user's second factor and remembers its secret.
func (m *MFA) Enroll(t testing.TB, username string) string {
	t.Helper()
	u, err := m.Svc.UserByName(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	enr, err := m.Svc.EnrollTOTP(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	m.Remember(username, enr.Secret)
	return enr.Secret
}

// Remember records a secret enrolled elsewhere.
func (m *MFA) Remember(username, secret string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[auth.NormalizeUsername(username)] = secret
}

// Code returns a code for the user's next sign-in: "" when the account
// needs none, else a code of a step no sign-in used yet (the clock moves
// on one step, since a code is accepted once). A user of an MFA role not
// enrolled yet is enrolled first.
func (m *MFA) Code(t testing.TB, username string) string {
	t.Helper()
	u, err := m.Svc.UserByName(context.Background(), username)
	if err != nil {
		return "" // unknown: the sign-in fails as it should
	}
	m.mu.Lock()
	secret, ok := m.keys[u.Username]
	m.mu.Unlock()
	if !ok {
		info, _ := authz.Info(authz.Role(u.Role))
		if !info.MFA && !u.TOTP {
			return ""
		}
		if u.TOTP {
			t.Fatalf("authtest: %s enrolled a second factor the helper does not know", username)
		}
		secret = m.Enroll(t, username)
	}
	m.Clock.Advance(30 * time.Second)
	code, err := auth.TOTPCode(secret, m.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}
