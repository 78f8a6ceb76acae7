package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/store"
)

// Citizens' accounts (role authz.Citizen) are accounts like any other:
// the same password hashing, sessions, throttling and audit events. Their
// user name is "w" and the account's ID, never the NIK, so that the audit
// trail's actor names carry no NIK; a citizen signs in with their NIK,
// phone number or e-mail address (internal/citizen keeps these), which
// SignIn turns into that user name before anything else sees it.

// CitizenUsername is the user name of the citizen account with the ID.
func CitizenUsername(id int64) string { return "w" + strconv.FormatInt(id, 10) }

// CitizenLogin tells whether what was typed as a user name is a citizen's
// sign-in name, and returns its column in citizen_account ("nik", "phone"
// or "email") and its normal form; "" when it is a user name. Back-office
// user names have neither "@" nor only digits.
func CitizenLogin(typed string) (column, value string) {
	t := strings.TrimSpace(typed)
	if strings.Contains(t, "@") {
		return "email", NormalizeEmail(t)
	}
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
			return -1
		}
		return 'x'
	}, strings.TrimPrefix(t, "+"))
	if digits == "" || strings.ContainsRune(digits, 'x') {
		return "", ""
	}
	if len(digits) == nik.Length {
		if _, err := nik.Parse(digits); err == nil {
			return "nik", digits
		}
	}
	if p, ok := NormalizePhone(t); ok {
		return "phone", p
	}
	return "", ""
}

// NormalizeEmail is the form e-mail addresses are kept and looked up in.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalizePhone returns an Indonesian mobile number as +62..., accepting
// 08..., 628... and +628... with spaces or dashes; false when it is not one.
func NormalizePhone(s string) (string, bool) {
	t := strings.NewReplacer(" ", "", "-", "", ".", "", "(", "", ")", "").Replace(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(t, "+62"):
		t = t[3:]
	case strings.HasPrefix(t, "62"):
		t = t[2:]
	case strings.HasPrefix(t, "0"):
		t = t[1:]
	default:
		return "", false
	}
	if !strings.HasPrefix(t, "8") || len(t) < 8 || len(t) > 13 {
		return "", false
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return "+62" + t, true
}

// signInName returns the user name an attempt is for. A citizen's NIK,
// phone or e-mail becomes their account's user name; one that no account
// has becomes a pseudonym ("w-" and 16 hex digits of a keyed hash), so
// that the throttle and the audit trail of a refused attempt keep no NIK.
func (s *Service) signInName(ctx context.Context, typed string) (string, error) {
	column, value := CitizenLogin(typed)
	if column == "" {
		return NormalizeUsername(typed), nil
	}
	var id int64
	err := s.DB.QueryRow(ctx, `SELECT user_id FROM citizen_account WHERE `+column+` = $1`, value).Scan(&id)
	if err == nil {
		return CitizenUsername(id), nil
	}
	if !store.IsNoRows(err) {
		return "", fmt.Errorf("auth: citizen sign-in name: %w", err)
	}
	key := s.Key
	if len(key) == 0 {
		key = []byte("jaring-citizen-sign-in")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(column + ":" + value))
	return "w-" + hex.EncodeToString(m.Sum(nil)[:8]), nil
}

// HashNewPassword checks a new password against the policy and hashes
// it, within the bound on parallel hashing.
func (s *Service) HashNewPassword(ctx context.Context, password string) (string, error) {
	if err := checkNewPassword(password); err != nil {
		return "", err
	}
	if s.hashing != nil {
		select {
		case s.hashing <- struct{}{}:
			defer func() { <-s.hashing }()
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return HashPassword(password)
}

// CreateCitizenTx adds a citizen's account bound to their village with a
// password hash from HashNewPassword, inside the caller's transaction, and
// records its creation. The caller checks the village.
func (s *Service) CreateCitizenTx(ctx context.Context, tx *store.Tx, hash, village string) (User, error) {
	if err := authz.CheckBinding(authz.Citizen, village); err != nil {
		return User{}, err
	}
	id, err := tx.ReserveIDs(ctx, "user", 1)
	if err != nil {
		return User{}, err
	}
	u := User{ID: id, Username: CitizenUsername(id), Role: string(authz.Citizen), RegionCode: village, CreatedAt: s.Now()}
	if p, ok := authz.From(ctx); ok {
		u.CreatedBy = p.Username
	} else {
		u.CreatedBy = u.Username
	}
	if _, err := tx.Exec(ctx, `INSERT INTO users (id, username, password_hash, role, region_code, disabled, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, u.Username, hash, u.Role, u.RegionCode, false, store.Micros(u.CreatedAt), u.CreatedBy); err != nil {
		return User{}, err
	}
	return u, s.record(ctx, tx, event{action: ActUserCreate, user: &u, data: map[string]any{"peran": u.Role, "wilayah": u.RegionCode, "mfa": false}})
}
