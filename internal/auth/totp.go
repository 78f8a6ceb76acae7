package auth

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/kemensos/jaring/internal/store"
)

// TOTP parameters: RFC 6238 defaults, which every authenticator app knows.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	// totpSkew accepts the step before and after the current one, for
	// clocks a little off and codes typed at the turn of a step.
	totpSkew = 1
	// TOTPIssuer names Jaring in authenticator apps.
	TOTPIssuer = "Jaring"
)

// Enrollment is a new second factor, shown once.
type Enrollment struct {
	Secret string // base32, for typing into an app
	URL    string // otpauth:// URL, for a QR code or a link
}

// EnrollTOTP gives the user a new TOTP secret, replacing any previous one,
// and returns it to be shown once. The secret is stored sealed with the
// service key.
func (s *Service) EnrollTOTP(ctx context.Context, userID int64) (Enrollment, error) {
	u, err := s.userByID(ctx, userID)
	if err != nil {
		return Enrollment{}, err
	}
	enr, sealed, err := s.newTOTP(u)
	if err != nil {
		return Enrollment{}, err
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = $1, totp_last_step = 0 WHERE id = $2`, sealed, u.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, event{action: ActTOTPEnroll, user: &u, data: map[string]any{"mfa": "totp"}})
	})
	if err != nil {
		return Enrollment{}, fmt.Errorf("auth: totp: %w", err)
	}
	return enr, nil
}

// newTOTP makes a secret for u and returns it with its sealed form.
func (s *Service) newTOTP(u User) (Enrollment, string, error) {
	if len(s.Key) != KeySize {
		return Enrollment{}, "", ErrNoKey
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: u.Username, Period: totpPeriod,
		Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrollment{}, "", fmt.Errorf("auth: totp: %w", err)
	}
	sealed, err := s.seal(key.Secret(), totpContext(u.ID))
	if err != nil {
		return Enrollment{}, "", err
	}
	return Enrollment{Secret: key.Secret(), URL: key.URL()}, sealed, nil
}

func totpContext(userID int64) string { return "totp:" + strconv.FormatInt(userID, 10) }

// TOTPCode returns the code of secret at t, for tests and tools.
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
}

// checkTOTP returns the time step that code is valid for at now, within
// the skew, or 0. It does not know which steps were used before.
func (s *Service) checkTOTP(sealed string, userID int64, code string, now time.Time) (int64, error) {
	secret, err := s.open(sealed, totpContext(userID))
	if err != nil {
		return 0, err
	}
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != int(totpDigits) {
		return 0, nil
	}
	step := now.Unix() / totpPeriod
	var found int64
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := TOTPCode(secret, time.Unix((step+d)*totpPeriod, 0))
		if err != nil {
			return 0, err
		}
		// Compare every candidate, so timing does not tell which matched.
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = step + d
		}
	}
	return found, nil
}
