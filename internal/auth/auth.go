package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// RoleAdmin is the national administrator's role.
const RoleAdmin = string(authz.Admin)

// User is an account.
type User struct {
	ID         int64
	Username   string
	Role       string
	RegionCode string // "" = the whole nation
	Disabled   bool
	// TOTP says a second factor is enrolled.
	TOTP      bool
	CreatedAt time.Time
	CreatedBy string
}

// Session is a signed-in browser or API session, or an API token's use.
type Session struct {
	User      User
	CSRFToken string    // "" for a token: bearer requests carry no cookies to forge
	ExpiresAt time.Time // the absolute end
	// Via is how the user signed in: "sesi" (a session cookie) or "token" (Authorization: Bearer).
	Via string
	// TokenID is the API token used, when Via is "token".
	TokenID int64
}

// Ways of signing in, as authz.Principal.Via.
const (
	ViaSession = "sesi"
	ViaToken   = "token"
)

// ErrBadCredentials is the one answer for every refused sign-in that is
// not a lockout: unknown user, wrong password, disabled account, machine
// account, and a missing, wrong or replayed second factor. What went
// wrong is in the audit trail, never in the answer.
var ErrBadCredentials = errors.New("nama pengguna atau kata sandi salah")

// Policy holds the timeouts and throttling limits.
type Policy struct {
	// IdleTimeout ends a session unused this long; SessionLifetime ends
	// every session this long after sign-in.
	IdleTimeout     time.Duration
	SessionLifetime time.Duration
	// TouchEvery is how often a used session's last-seen time is written:
	// not on every request.
	TouchEvery time.Duration
	// AccountLimit failures for one user name, or AddressLimit from one
	// client address, within FailureWindow lock it out.
	AccountLimit  int
	AddressLimit  int
	FailureWindow time.Duration
	// LockBase is the first lockout; each next one doubles, up to LockMax.
	// After LockMemory without failures a key starts over at LockBase.
	LockBase   time.Duration
	LockMax    time.Duration
	LockMemory time.Duration
	// MaxTokenLifetime caps an API token's lifetime.
	MaxTokenLifetime time.Duration
}

// DefaultPolicy is Jaring's policy.
func DefaultPolicy() Policy {
	return Policy{
		IdleTimeout:      30 * time.Minute,
		SessionLifetime:  12 * time.Hour,
		TouchEvery:       time.Minute,
		AccountLimit:     5,
		AddressLimit:     50,
		FailureWindow:    15 * time.Minute,
		LockBase:         time.Minute,
		LockMax:          time.Hour,
		LockMemory:       24 * time.Hour,
		MaxTokenLifetime: 366 * 24 * time.Hour,
	}
}

// Service manages accounts, sessions and tokens.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Key seals secrets at rest (TOTP secrets); KeySize bytes. Without it
	// second factors can be neither enrolled nor checked.
	Key    []byte
	Policy Policy

	// hashing bounds the argon2id computations running at once: each takes
	// 64 MiB, and a burst of sign-ins must not exhaust memory.
	hashing  chan struct{}
	refusals limiter
}

// New returns a Service on db with the default policy and no key.
func New(db *store.DB) *Service {
	return &Service{DB: db, Now: store.Now, Policy: DefaultPolicy(), hashing: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
}

// checkPassword runs CheckPassword within the bound on parallel hashing.
func (s *Service) checkPassword(ctx context.Context, encoded, password string) (bool, error) {
	if s.hashing != nil {
		select {
		case s.hashing <- struct{}{}:
			defer func() { <-s.hashing }()
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	return CheckPassword(encoded, password)
}

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// citizenLike are the user names kept for citizens' accounts ("w" and an
// ID, "w-" and a pseudonym) and names of digits only, which could be a
// NIK or a phone number a citizen signs in with.
var citizenLike = regexp.MustCompile(`^(w[0-9]+|w-[0-9a-f]*|[0-9]+)$`)

// NormalizeUsername is the form user names are kept and looked up in.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Password limits. The upper one keeps hashing cost bounded.
const (
	MinPassword = 10
	MaxPassword = 256
)

func checkNewPassword(p string) error {
	if len(p) < MinPassword || len(p) > MaxPassword {
		return &errs.Invalid{Fields: []errs.FieldError{{Field: "password", Reason: fmt.Sprintf("kata sandi %d s.d. %d karakter", MinPassword, MaxPassword)}}}
	}
	return nil
}

// CreateUser adds an account with the given password, after checking the
// role's binding and that the region exists. A machine role's account
// gets no usable password (pass ""): it signs in only with tokens. It
// enrolls no second factor: see AddUser.
func (s *Service) CreateUser(ctx context.Context, username, password, role, region string) (User, error) {
	u, _, err := s.create(ctx, username, password, role, region, false)
	return u, err
}

// create adds an account, with a new TOTP secret when enroll is set, in
// one transaction with its audit entry.
func (s *Service) create(ctx context.Context, username, password, role, region string, enroll bool) (User, *Enrollment, error) {
	u := User{Username: NormalizeUsername(username), Role: role, RegionCode: strings.TrimSpace(region)}
	var fields []errs.FieldError
	if !usernameRe.MatchString(u.Username) || citizenLike.MatchString(u.Username) {
		fields = append(fields, errs.FieldError{Field: "username", Value: truncate(username, 64),
			Reason: "nama pengguna 1 s.d. 64 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung; bukan angka saja, dan bukan w diikuti angka (untuk akun warga)"})
	}
	info, known := authz.Info(authz.Role(role))
	if !known {
		fields = append(fields, errs.FieldError{Field: "role", Value: role, Reason: "peran tidak dikenal"})
	} else if err := authz.CheckBinding(info.Role, u.RegionCode); err != nil {
		fields = append(fields, errs.FieldError{Field: "region", Value: u.RegionCode, Reason: err.Error()})
	}
	if known && info.Machine {
		if password != "" {
			fields = append(fields, errs.FieldError{Field: "password", Reason: "akun mesin tidak memakai kata sandi: buat token untuknya"})
		}
		password = RandomToken(32) // never shown: nobody can sign in with it
	} else if err := checkNewPassword(password); err != nil {
		fields = append(fields, err.(*errs.Invalid).Fields...)
	}
	if len(fields) > 0 {
		return User{}, nil, &errs.Invalid{Fields: fields}
	}
	if enroll && len(s.Key) != KeySize {
		return User{}, nil, ErrNoKey
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, nil, err
	}
	if p, ok := authz.From(ctx); ok {
		u.CreatedBy = p.Username
	}
	u.CreatedAt = s.Now()
	var enr *Enrollment
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if u.RegionCode != "" {
			var active bool
			err := tx.QueryRow(ctx, `SELECT active FROM regions WHERE code = $1`, u.RegionCode).Scan(&active)
			if store.IsNoRows(err) || err == nil && !active {
				return &errs.Invalid{Fields: []errs.FieldError{{Field: "region", Value: u.RegionCode, Reason: "kode wilayah tidak dikenal atau tidak aktif"}}}
			}
			if err != nil {
				return err
			}
		}
		id, err := tx.ReserveIDs(ctx, "user", 1)
		if err != nil {
			return err
		}
		u.ID = id
		sealed := ""
		if enroll {
			e, s2, err := s.newTOTP(u)
			if err != nil {
				return err
			}
			enr, sealed, u.TOTP = &e, s2, true
		}
		if _, err = tx.Exec(ctx, `INSERT INTO users (id, username, password_hash, role, region_code, disabled, created_at, created_by, totp_secret) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, u.Username, hash, u.Role, u.RegionCode, false, store.Micros(u.CreatedAt), u.CreatedBy, sealed); err != nil {
			return err
		}
		return s.record(ctx, tx, event{action: ActUserCreate, user: &u, data: map[string]any{"peran": u.Role, "wilayah": u.RegionCode, "mfa": enroll}})
	})
	if store.IsUniqueViolation(err) {
		return User{}, nil, errs.Conflict("nama pengguna %q sudah dipakai", u.Username)
	}
	if err != nil {
		return User{}, nil, err
	}
	return u, enr, nil
}

// CountUsers returns the number of accounts.
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

const userColumns = `id, username, role, region_code, disabled, totp_secret <> '', created_at, created_by`

func scanUser(sc interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	var created int64
	err := sc.Scan(append([]any{&u.ID, &u.Username, &u.Role, &u.RegionCode, &u.Disabled, &u.TOTP, &created, &u.CreatedBy}, extra...)...)
	u.CreatedAt = store.FromMicros(created)
	return u, err
}

func (s *Service) userByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.DB.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return u, errs.NotFound("akun %d", id)
	}
	return u, err
}

// UserByName returns the account with the user name.
func (s *Service) UserByName(ctx context.Context, username string) (User, error) {
	u, err := scanUser(s.DB.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, NormalizeUsername(username)))
	if store.IsNoRows(err) {
		return u, errs.NotFound("akun %q", NormalizeUsername(username))
	}
	return u, err
}

// Attempt is one sign-in.
type Attempt struct {
	Username string
	Password string
	// TOTP is the second factor's code, "" when none was given.
	TOTP string
	// Address is the client's address, for throttling and the audit trail.
	Address string
	// Previous is the session token the client held before, if any: it
	// ends when the sign-in succeeds. The new session never reuses it.
	Previous string
}

// SignIn checks an attempt and starts a session. It returns the session
// token (for the cookie) and the session, ErrBadCredentials for every
// refusal but one, and a *LockedError while the user name or the address
// is locked out. Every outcome is in the audit trail.
//
// An unknown user, a wrong password, a disabled or machine account and a
// bad second factor take the same answer and the same work (one argon2id
// hash and two writes), so neither the answer nor its timing tells them
// apart. A lockout is answered without hashing.
func (s *Service) SignIn(ctx context.Context, a Attempt) (string, Session, error) {
	name, err := s.signInName(ctx, a.Username)
	if err != nil {
		return "", Session{}, err
	}
	now := s.Now()
	keys := s.throttleKeys(name, a.Address)
	if err := s.reserve(ctx, keys, now); err != nil {
		return "", Session{}, err
	}
	var u User
	var hash, sealed string
	var lastStep int64
	row := s.DB.QueryRow(ctx, `SELECT `+userColumns+`, password_hash, totp_secret, totp_last_step FROM users WHERE username = $1`, name)
	u, err = scanUser(row, &hash, &sealed, &lastStep)
	known := err == nil
	if err != nil && !store.IsNoRows(err) {
		return "", Session{}, fmt.Errorf("auth: sign in: %w", err)
	}
	if !known || len(a.Password) > MaxPassword {
		hash = dummyHash
	}
	ok, err := s.checkPassword(ctx, hash, a.Password)
	if err != nil && ctx.Err() != nil {
		return "", Session{}, ctx.Err()
	}
	reason := ""
	var step int64
	info, roleKnown := authz.Info(authz.Role(u.Role))
	switch {
	case !known:
		reason = "akun_tidak_dikenal"
	case err != nil || !ok || len(a.Password) > MaxPassword:
		reason = "kata_sandi_salah"
	case u.Disabled:
		reason = "akun_nonaktif"
	case !roleKnown:
		reason = "peran_tidak_dikenal"
	case info.Machine:
		reason = "akun_mesin"
	case sealed == "" && info.MFA:
		reason = "mfa_belum_terdaftar"
	case sealed != "" && strings.TrimSpace(a.TOTP) == "":
		reason = "kode_mfa_kosong"
	case sealed != "":
		step, err = s.checkTOTP(sealed, u.ID, a.TOTP, now)
		switch {
		case err != nil:
			slog.ErrorContext(ctx, "auth: second factor cannot be checked", "user", u.Username, "err", err)
			reason = "kode_mfa_tidak_dapat_diperiksa"
		case step == 0:
			reason = "kode_mfa_salah"
		case step <= lastStep:
			reason = "kode_mfa_dipakai_ulang"
		}
	}
	if reason == "" {
		token, sess, err := s.startSession(ctx, u, step, a, keys, now)
		if !errors.Is(err, errReplayed) {
			return token, sess, err
		}
		reason = "kode_mfa_dipakai_ulang"
	}
	var user *User
	if known {
		user = &u
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		locked, until, err := s.failed(ctx, tx, keys, now)
		if err != nil {
			return err
		}
		if err := s.record(ctx, tx, event{action: ActSignInFailed, user: user, name: name, addr: a.Address,
			data: map[string]any{"sebab": reason}}); err != nil {
			return err
		}
		if len(locked) > 0 {
			return s.record(ctx, tx, event{action: ActSignInLocked, user: user, name: name, addr: a.Address,
				data: map[string]any{"kunci": strings.Join(locked, ","), "sampai": until.UTC().Format(time.RFC3339)}})
		}
		return nil
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("auth: sign in: %w", err)
	}
	return "", Session{}, ErrBadCredentials
}

var errReplayed = errors.New("auth: second factor code used before")

// startSession writes a new session for a successful attempt, with the
// throttle reset, the previous session ended and the audit entry, in one
// transaction.
func (s *Service) startSession(ctx context.Context, u User, step int64, a Attempt, keys []throttleKey, now time.Time) (string, Session, error) {
	token := RandomToken(32)
	sess := Session{User: u, CSRFToken: RandomToken(32), ExpiresAt: now.Add(s.Policy.SessionLifetime), Via: ViaSession}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if step != 0 {
			// The same code twice, even in parallel, signs in once.
			res, err := tx.Exec(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, u.ID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return errReplayed
			}
		}
		if a.Previous != "" {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(a.Previous)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)`,
			tokenHash(token), u.ID, sess.CSRFToken, store.Micros(now), store.Micros(sess.ExpiresAt)); err != nil {
			return err
		}
		if err := s.succeeded(ctx, tx, keys); err != nil {
			return err
		}
		if rand.IntN(64) == 0 {
			// Now and then, delete sessions that ended unseen (a browser
			// closed and never back): nobody presents them again.
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`,
				store.Micros(now), store.Micros(now.Add(-s.Policy.IdleTimeout))); err != nil {
				return err
			}
		}
		data := map[string]any{"mfa": step != 0}
		return s.record(ctx, tx, event{action: ActSignIn, user: &u, addr: a.Address, data: data})
	})
	if err != nil {
		if errors.Is(err, errReplayed) {
			return "", Session{}, err
		}
		return "", Session{}, fmt.Errorf("auth: sign in: %w", err)
	}
	return token, sess, nil
}

var dummyHash, _ = HashPassword("jaring-dummy-password")

// errSessionEnded is what Lookup answers for a session that ended.
var errSessionEnded = fmt.Errorf("sesi berakhir: %w", errs.ErrNotFound)

// Lookup returns the session of a token, or an error matching
// errs.ErrNotFound when it is unknown, ended or its account disabled. A
// session found past its idle or absolute timeout, or of a disabled
// account, is deleted and the event recorded.
func (s *Service) Lookup(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, errs.ErrNotFound
	}
	h := tokenHash(token)
	var created, expires, seen int64
	var csrf string
	u, err := scanUser(s.DB.QueryRow(ctx, `SELECT u.id, u.username, u.role, u.region_code, u.disabled, u.totp_secret <> '', u.created_at, u.created_by,
s.csrf_token, s.created_at, s.expires_at, s.last_seen_at
FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`, h), &csrf, &created, &expires, &seen)
	if store.IsNoRows(err) {
		return Session{}, errs.ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("auth: session: %w", err)
	}
	now := s.Now()
	us := store.Micros(now)
	action, reason := "", ""
	switch {
	case u.Disabled:
		action, reason = ActSessionRefused, "akun_nonaktif"
	case us >= expires:
		action, reason = ActSessionExpired, "batas_mutlak"
	case us-seen >= s.Policy.IdleTimeout.Microseconds():
		action, reason = ActSessionExpired, "tidak_aktif"
	}
	if action != "" {
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, h)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // a parallel request ended it and recorded why
			}
			return s.record(ctx, tx, event{action: action, user: &u, data: map[string]any{"sebab": reason}})
		})
		if err != nil {
			return Session{}, fmt.Errorf("auth: end session: %w", err)
		}
		return Session{}, errSessionEnded
	}
	if us-seen >= s.Policy.TouchEvery.Microseconds() {
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1`, us, h)
			return err
		})
		if err != nil {
			return Session{}, fmt.Errorf("auth: touch session: %w", err)
		}
	}
	return Session{User: u, CSRFToken: csrf, ExpiresAt: store.FromMicros(expires), Via: ViaSession}, nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id`, tokenHash(token)).Scan(&id)
		if store.IsNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
		if err != nil {
			return err
		}
		return s.record(ctx, tx, event{action: ActSignOut, user: &u})
	})
}

// SignOutAll ends every session of the user ("sign out everywhere") and
// returns how many there were. API tokens are not sessions: they stay
// until revoked or expired.
func (s *Service) SignOutAll(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
		if store.IsNoRows(err) {
			return errs.NotFound("akun %d", userID)
		}
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return s.record(ctx, tx, event{action: ActSignOutAll, user: &u, data: map[string]any{"sesi": n}})
	})
	return int(n), err
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
