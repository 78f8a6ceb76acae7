package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// TokenPrefix starts every API token, so that secret scanners can find
// one that leaked into a repository or a log.
const TokenPrefix = "jrg_"

// Token is an API token for a machine client or a script. The token
// itself is shown once when created; only its SHA-256 is kept.
type Token struct {
	ID       int64
	UserID   int64
	Username string
	Name     string
	// Prefix is the token's first characters, to recognise it in a list.
	Prefix     string
	CreatedAt  time.Time
	CreatedBy  string
	ExpiresAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	RevokedBy  string
}

// Active reports whether the token still opens the API at now.
func (t Token) Active(now time.Time) bool { return t.RevokedAt == nil && now.Before(t.ExpiresAt) }

// ErrTokenRefused is the answer for an unknown, expired or revoked token,
// or one whose account is disabled.
var ErrTokenRefused = errors.New("token tidak berlaku: tidak dikenal, kedaluwarsa, dicabut, atau akunnya nonaktif")

// CreateToken issues a token for the user, valid for lifetime, and
// returns it (to be shown once) with its record.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string, lifetime time.Duration) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "token"
	}
	var fields []errs.FieldError
	if len(name) > 64 {
		fields = append(fields, errs.FieldError{Field: "name", Reason: "nama token paling panjang 64 karakter"})
	}
	if lifetime <= 0 || lifetime > s.Policy.MaxTokenLifetime {
		fields = append(fields, errs.FieldError{Field: "expires", Value: lifetime.String(),
			Reason: fmt.Sprintf("masa berlaku token lebih dari 0 dan paling lama %d hari", int(s.Policy.MaxTokenLifetime.Hours()/24))})
	}
	if len(fields) > 0 {
		return "", Token{}, &errs.Invalid{Fields: fields}
	}
	plain := TokenPrefix + RandomToken(32)
	now := s.Now()
	t := Token{UserID: userID, Name: name, Prefix: plain[:len(TokenPrefix)+6], CreatedAt: now, ExpiresAt: now.Add(lifetime)}
	if p, ok := authz.From(ctx); ok {
		t.CreatedBy = p.Username
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
		if store.IsNoRows(err) {
			return errs.NotFound("akun %d", userID)
		}
		if err != nil {
			return err
		}
		if u.Disabled {
			return errs.Conflict("akun %s nonaktif", u.Username)
		}
		t.Username = u.Username
		if t.ID, err = tx.ReserveIDs(ctx, "api_token", 1); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at, created_by, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.ID, userID, t.Name, tokenHash(plain), t.Prefix, store.Micros(now), t.CreatedBy, store.Micros(t.ExpiresAt)); err != nil {
			return err
		}
		return s.record(ctx, tx, event{action: ActTokenCreate, user: &u, token: t.ID,
			data: map[string]any{"nama": t.Name, "akun": u.Username, "berlaku_sampai": t.ExpiresAt.UTC().Format(time.RFC3339)}})
	})
	if err != nil {
		return "", Token{}, err
	}
	return plain, t, nil
}

const tokenColumns = `t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.created_by, t.expires_at, t.last_used_at, t.revoked_at, COALESCE(t.revoked_by, '')`

func scanToken(sc interface{ Scan(...any) error }, extra ...any) (Token, error) {
	var t Token
	var created, expires int64
	var used, revoked *int64
	err := sc.Scan(append([]any{&t.ID, &t.UserID, &t.Username, &t.Name, &t.Prefix, &created, &t.CreatedBy, &expires, &used, &revoked, &t.RevokedBy}, extra...)...)
	t.CreatedAt, t.ExpiresAt = store.FromMicros(created), store.FromMicros(expires)
	if used != nil {
		x := store.FromMicros(*used)
		t.LastUsedAt = &x
	}
	if revoked != nil {
		x := store.FromMicros(*revoked)
		t.RevokedAt = &x
	}
	return t, err
}

// Tokens lists a user's tokens, newest first.
func (s *Service) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.user_id = $1 ORDER BY t.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TokenByID returns a token's record.
func (s *Service) TokenByID(ctx context.Context, id int64) (Token, error) {
	t, err := scanToken(s.DB.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`, id))
	if store.IsNoRows(err) {
		return t, errs.NotFound("token %d", id)
	}
	return t, err
}

// RevokeToken ends a token at once. Revoking a revoked token changes nothing.
func (s *Service) RevokeToken(ctx context.Context, id int64) (Token, error) {
	by := ""
	if p, ok := authz.From(ctx); ok {
		by = p.Username
	}
	now := s.Now()
	var t Token
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`, id))
		if store.IsNoRows(err) {
			return errs.NotFound("token %d", id)
		}
		if err != nil || t.RevokedAt != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3`, store.Micros(now), by, id); err != nil {
			return err
		}
		t.RevokedAt, t.RevokedBy = &now, by
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, t.UserID))
		if err != nil {
			return err
		}
		return s.record(ctx, tx, event{action: ActTokenRevoke, user: &u, token: id, data: map[string]any{"nama": t.Name, "akun": u.Username}})
	})
	return t, err
}

// LookupToken returns the session-like view of a bearer token: its user,
// with Via "token". An unknown, expired or revoked token, or one whose
// account is disabled, gives ErrTokenRefused and an audit entry (at most
// one a minute per token, or per address for unknown tokens, so that
// replaying a dead token cannot flood the trail).
func (s *Service) LookupToken(ctx context.Context, plain, addr string) (Session, error) {
	now := s.Now()
	us := store.Micros(now)
	var t Token
	var u User
	var err error
	if strings.HasPrefix(plain, TokenPrefix) && len(plain) < 200 {
		row := s.DB.QueryRow(ctx, `SELECT `+tokenColumns+`, `+prefixed("u.", userColumns)+`
FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`, tokenHash(plain))
		var created int64
		t, err = scanToken(row, &u.ID, &u.Username, &u.Role, &u.RegionCode, &u.Disabled, &u.TOTP, &created, &u.CreatedBy)
		u.CreatedAt = store.FromMicros(created)
	} else {
		err = store.ErrNoRows
	}
	reason := ""
	switch {
	case store.IsNoRows(err):
		reason = "tidak_dikenal"
	case err != nil:
		return Session{}, fmt.Errorf("auth: token: %w", err)
	case t.RevokedAt != nil:
		reason = "dicabut"
	case !now.Before(t.ExpiresAt):
		reason = "kedaluwarsa"
	case u.Disabled:
		reason = "akun_nonaktif"
	}
	if reason != "" {
		key := "token:" + fmt.Sprint(t.ID)
		ev := event{action: ActTokenRefused, addr: addr, data: map[string]any{"sebab": reason}}
		if t.ID == 0 {
			key = "token:?|" + addr
		} else {
			ev.user, ev.token = &u, t.ID
		}
		if s.refusals.allow(key, now) {
			s.recordAlone(ctx, ev)
		}
		return Session{}, ErrTokenRefused
	}
	if t.LastUsedAt == nil || us-store.Micros(*t.LastUsedAt) >= s.Policy.TouchEvery.Microseconds() {
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, us, t.ID)
			return err
		})
		if err != nil {
			return Session{}, fmt.Errorf("auth: touch token: %w", err)
		}
	}
	return Session{User: u, ExpiresAt: t.ExpiresAt, Via: ViaToken, TokenID: t.ID}, nil
}

// prefixed qualifies each column of a list with p.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = p + c
	}
	return strings.Join(parts, ", ")
}
