package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Roles. Roles with their scopes and permissions arrive with the
// permission matrix; until then an administrator can do everything.
const RoleAdmin = "admin"

// User is an account.
type User struct {
	ID         int64
	Username   string
	Role       string
	RegionCode string // "" = the whole nation
	Disabled   bool
}

// Session is a signed-in browser or API session.
type Session struct {
	User      User
	CSRFToken string
	ExpiresAt time.Time
}

// ErrBadCredentials is the one answer for an unknown user and a wrong password.
var ErrBadCredentials = errors.New("nama pengguna atau kata sandi salah")

// SessionLifetime is the absolute lifetime of a session.
const SessionLifetime = 12 * time.Hour

// Service manages accounts and sessions.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// New returns a Service on db.
func New(db *store.DB) *Service { return &Service{DB: db, Now: store.Now} }

// CreateUser adds an account with the given password.
func (s *Service) CreateUser(ctx context.Context, username, password, role, region string) (User, error) {
	username = strings.TrimSpace(username)
	if username == "" || len(username) > 64 {
		return User{}, &errs.Invalid{Fields: []errs.FieldError{{Field: "username", Reason: "nama pengguna 1 s.d. 64 karakter"}}}
	}
	if len(password) < 10 {
		return User{}, &errs.Invalid{Fields: []errs.FieldError{{Field: "password", Reason: "kata sandi minimal 10 karakter"}}}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	u := User{Username: username, Role: role, RegionCode: region}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.ReserveIDs(ctx, "user", 1)
		if err != nil {
			return err
		}
		u.ID = id
		_, err = tx.Exec(ctx, `INSERT INTO users (id, username, password_hash, role, region_code, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, username, hash, role, region, false, store.Micros(s.Now()))
		return err
	})
	if store.IsUniqueViolation(err) {
		return User{}, errs.Conflict("nama pengguna %q sudah dipakai", username)
	}
	return u, err
}

// CountUsers returns the number of accounts.
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// SignIn checks credentials and starts a session. It returns the session
// token (for the cookie) and the session.
func (s *Service) SignIn(ctx context.Context, username, password string) (string, Session, error) {
	var u User
	var hash string
	err := s.DB.QueryRow(ctx, `SELECT id, username, role, region_code, disabled, password_hash FROM users WHERE username = $1`,
		strings.TrimSpace(username)).Scan(&u.ID, &u.Username, &u.Role, &u.RegionCode, &u.Disabled, &hash)
	if store.IsNoRows(err) {
		// Spend the same time as a real check, so timing does not tell.
		_, _ = CheckPassword(dummyHash, password)
		return "", Session{}, ErrBadCredentials
	}
	if err != nil {
		return "", Session{}, fmt.Errorf("auth: sign in: %w", err)
	}
	ok, err := CheckPassword(hash, password)
	if err != nil || !ok || u.Disabled {
		return "", Session{}, ErrBadCredentials
	}
	token := RandomToken(32)
	sess := Session{User: u, CSRFToken: RandomToken(32), ExpiresAt: s.Now().Add(SessionLifetime)}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			tokenHash(token), u.ID, sess.CSRFToken, store.Micros(s.Now()), store.Micros(sess.ExpiresAt))
		return err
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("auth: sign in: %w", err)
	}
	return token, sess, nil
}

var dummyHash, _ = HashPassword("jaring-dummy-password")

// Lookup returns the session of a token, or errs.ErrNotFound when it is
// unknown, expired or its account disabled.
func (s *Service) Lookup(ctx context.Context, token string) (Session, error) {
	var sess Session
	var expires int64
	err := s.DB.QueryRow(ctx, `SELECT u.id, u.username, u.role, u.region_code, u.disabled, s.csrf_token, s.expires_at
FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`, tokenHash(token)).Scan(
		&sess.User.ID, &sess.User.Username, &sess.User.Role, &sess.User.RegionCode, &sess.User.Disabled, &sess.CSRFToken, &expires)
	if store.IsNoRows(err) {
		return sess, errs.ErrNotFound
	}
	if err != nil {
		return sess, fmt.Errorf("auth: session: %w", err)
	}
	sess.ExpiresAt = store.FromMicros(expires)
	if sess.User.Disabled || !s.Now().Before(sess.ExpiresAt) {
		return sess, errs.ErrNotFound
	}
	return sess, nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token))
		return err
	})
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
