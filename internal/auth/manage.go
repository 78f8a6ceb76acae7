package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Managing accounts. The principal of ctx acts (authz.From); without one
// (the command line) the caller acts nationally, as authz.System does.
//
// A manager (authz.UsersManage) reaches the accounts bound inside their
// region: others are answered as not found. Within it, they may grant a
// role only when they hold every oversight action the role carries
// (audit.read, privacy.report, users.manage): a province office can
// create district and village operators but neither an inspector nor a
// national role, and nobody hands out more oversight than they have.

// oversight are the actions a manager must hold to grant.
var oversight = []authz.Action{authz.AuditRead, authz.PrivacyReport, authz.UsersManage}

// manager returns the acting principal, or the national system.
func manager(ctx context.Context) authz.Principal {
	if p, ok := authz.From(ctx); ok {
		return p
	}
	return authz.System("cli")
}

// CanGrant reports whether p may hold an account of role bound to region:
// create it, disable it, or issue tokens for it. The error matches
// errs.ErrForbidden.
func CanGrant(p authz.Principal, role authz.Role, region string) error {
	if err := canGrantRole(p, role); err != nil {
		return err
	}
	if !authz.Contains(p.Region, region) {
		where := region
		if where == "" {
			where = "nasional"
		}
		return fmt.Errorf("wilayah %s di luar cakupan Anda: %w", where, errs.ErrForbidden)
	}
	return nil
}

// canGrantRole is CanGrant without the region.
func canGrantRole(p authz.Principal, role authz.Role) error {
	if !authz.Can(p.Role, authz.UsersManage) {
		return fmt.Errorf("peran %s tidak mengelola akun: %w", p.Role, errs.ErrForbidden)
	}
	for _, a := range oversight {
		if authz.Can(role, a) && !authz.Can(p.Role, a) {
			return fmt.Errorf("peran %s membawa wewenang %s yang tidak Anda miliki: %w", role, a, errs.ErrForbidden)
		}
	}
	return nil
}

// GrantableRoles lists the roles p may grant somewhere in their region:
// bound at their own level or below, and carrying no oversight p lacks.
func GrantableRoles(p authz.Principal) []authz.RoleInfo {
	level := 0
	if p.Region != "" {
		level = strings.Count(p.Region, ".") + 1
	}
	var out []authz.RoleInfo
	for _, ri := range authz.Roles {
		if !slices.ContainsFunc(ri.Levels, func(l int) bool { return l >= level }) {
			continue
		}
		if ri.Role == authz.Citizen || canGrantRole(p, ri.Role) != nil {
			continue
		}
		out = append(out, ri)
	}
	return out
}

// NewUser is an account to create.
type NewUser struct {
	Username string
	Role     string
	Region   string
	// Password is the account's password; "" generates one (returned once).
	// Machine accounts take none.
	Password string
}

// Created is a new account with what is shown once: the generated
// password, and for a role that requires a second factor its enrollment.
type Created struct {
	User     User
	Password string      // generated password, "" when given or a machine account
	TOTP     *Enrollment // nil unless the role requires MFA
}

// AddUser creates an account as the principal of ctx. A role that
// requires MFA is enrolled at once, so that the account can sign in.
func (s *Service) AddUser(ctx context.Context, nu NewUser) (Created, error) {
	info, ok := authz.Info(authz.Role(nu.Role))
	if !ok {
		return Created{}, &errs.Invalid{Fields: []errs.FieldError{{Field: "role", Value: nu.Role, Reason: "peran tidak dikenal"}}}
	}
	if info.Role == authz.Citizen {
		return Created{}, &errs.Invalid{Fields: []errs.FieldError{{Field: "role", Value: nu.Role,
			Reason: "akun warga dibuat oleh warga sendiri melalui pendaftaran (/warga/daftar), lalu diverifikasi operator"}}}
	}
	if err := CanGrant(manager(ctx), info.Role, nu.Region); err != nil {
		return Created{}, err
	}
	var c Created
	if nu.Password == "" && !info.Machine {
		nu.Password = GeneratePassword()
		c.Password = nu.Password
	}
	u, enr, err := s.create(ctx, nu.Username, nu.Password, nu.Role, nu.Region, info.MFA)
	if err != nil {
		return Created{}, err
	}
	c.User, c.TOTP = u, enr
	return c, nil
}

// ListUsers lists the accounts bound inside the principal's region, by
// user name. Citizens' accounts are not listed: operators reach them
// through the citizens' queue (internal/citizen).
func (s *Service) ListUsers(ctx context.Context) ([]User, error) {
	scope := authz.Scope(ctx)
	rows, err := s.DB.Query(ctx, `SELECT `+userColumns+` FROM users WHERE ($1 = '' OR region_code = $1 OR region_code LIKE $2) AND role <> $3 ORDER BY username`,
		scope, scope+".%", string(authz.Citizen))
	if err != nil {
		return nil, fmt.Errorf("auth: users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// User returns an account bound inside the principal's region; others are
// not found.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	u, err := s.userByID(ctx, id)
	if err != nil {
		return u, err
	}
	if !authz.Contains(authz.Scope(ctx), u.RegionCode) {
		return User{}, errs.NotFound("akun %d", id)
	}
	return u, nil
}

// ManagedUser returns an account the principal may manage: not found
// outside their region, forbidden when its role is not theirs to grant.
func (s *Service) ManagedUser(ctx context.Context, id int64) (User, error) {
	u, err := s.User(ctx, id)
	if err != nil {
		return u, err
	}
	if err := CanGrant(manager(ctx), authz.Role(u.Role), u.RegionCode); err != nil {
		return User{}, err
	}
	return u, nil
}

// DisableUser disables an account the principal manages. Its sessions
// end and its tokens are revoked in the same transaction, so nothing it
// held opens anything after the commit. Disabling oneself is refused.
func (s *Service) DisableUser(ctx context.Context, id int64) (User, error) {
	u, err := s.ManagedUser(ctx, id)
	if err != nil {
		return u, err
	}
	p := manager(ctx)
	if p.UserID != 0 && p.UserID == u.ID {
		return User{}, errs.Conflict("akun sendiri tidak dapat dinonaktifkan")
	}
	now := store.Micros(s.Now())
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE users SET disabled = $1, disabled_at = $2 WHERE id = $3 AND NOT disabled`, true, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already disabled
		}
		res, err = tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		if err != nil {
			return err
		}
		sessions, _ := res.RowsAffected()
		res, err = tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE user_id = $3 AND revoked_at IS NULL`, now, p.Username, id)
		if err != nil {
			return err
		}
		tokens, _ := res.RowsAffected()
		u.Disabled = true
		return s.record(ctx, tx, event{action: ActUserDisable, user: &u, data: map[string]any{"sesi": sessions, "token": tokens}})
	})
	if err != nil {
		return User{}, fmt.Errorf("auth: disable: %w", err)
	}
	u.Disabled = true
	return u, nil
}

// ManagedToken returns a token whose account the principal manages.
func (s *Service) ManagedToken(ctx context.Context, id int64) (Token, error) {
	t, err := s.TokenByID(ctx, id)
	if err != nil {
		return t, err
	}
	if _, err := s.ManagedUser(ctx, t.UserID); err != nil {
		if errors.Is(err, errs.ErrNotFound) {
			return Token{}, errs.NotFound("token %d", id)
		}
		return Token{}, err
	}
	return t, nil
}

// ParseLifetime reads a token lifetime: "90d", "12h", "30m" or any Go duration.
func ParseLifetime(s string) (time.Duration, error) {
	if n := len(s); n > 1 && s[n-1] == 'd' {
		var days int
		if _, err := fmt.Sscanf(s[:n-1], "%d", &days); err == nil && fmt.Sprint(days) == s[:n-1] {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, &errs.Invalid{Fields: []errs.FieldError{{Field: "expires", Value: s, Reason: "tulis seperti 90d, 12h atau 30m"}}}
	}
	return d, nil
}
