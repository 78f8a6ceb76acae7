// Package citizen keeps citizens' accounts: a resident registers with NIK,
// KK number, name, village, phone or e-mail, a password, a photo of the KTP
// and a selfie holding it; a village or district operator approves the
// account or rejects it with one of the published reasons.
//
// A citizen account is an account of internal/auth with the role
// authz.Citizen, bound to the citizen's village, with the user name "w"
// followed by its ID: a NIK is never a user name, so the audit trail's
// actor names and the logs never carry one. The profile (NIK, KK, name,
// contact, status) is in citizen_account, the photos in citizen_photo.
//
// Other packages (usul, sanggah) reach the signed-in citizen with From or
// Verified; the server puts the account in the request context for every
// request of a citizen.
package citizen

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Status is where an account stands.
type Status string

const (
	Pending  Status = "menunggu"      // waiting for an operator
	Verified Status = "terverifikasi" // approved: may file usul and sanggah
	Rejected Status = "ditolak"       // rejected with a reason
)

// Label is the status in Indonesian, for pages.
func (s Status) Label() string {
	switch s {
	case Pending:
		return "Menunggu verifikasi"
	case Verified:
		return "Terverifikasi"
	case Rejected:
		return "Ditolak"
	}
	return string(s)
}

// Account is a citizen's account.
type Account struct {
	// ID is the account's user ID (internal/auth).
	ID          int64
	NIK         string
	KK          string
	Name        string
	VillageCode string
	Phone       string // +62..., "" when not given
	Email       string // lower case, "" when not given
	Status      Status
	// Verified is Status == Verified.
	Verified bool
	// Flags are what the register check found (Flag codes), for the operator.
	Flags []string
	// PersonID is the register's person with this NIK, 0 when not known.
	PersonID int64
	// RejectReason is a Reasons code when rejected, RejectNote the operator's words.
	RejectReason string
	RejectNote   string
	DecidedBy    string
	DecidedAt    time.Time
	CreatedAt    time.Time
}

// Username is the user name of the account with the given ID: "w" and the ID.
func Username(id int64) string { return "w" + strconv.FormatInt(id, 10) }

type ctxKey struct{}

// With returns ctx carrying the signed-in citizen's account.
func With(ctx context.Context, a Account) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// From returns the signed-in citizen's account, if the request is a
// citizen's. The account may still be waiting or rejected: see Verified.
func From(ctx context.Context) (Account, bool) {
	a, ok := ctx.Value(ctxKey{}).(Account)
	return a, ok
}

// ErrNotVerified refuses what only a verified citizen may do.
var ErrNotVerified = fmt.Errorf("akun warga belum terverifikasi oleh operator desa atau dinas sosial: %w", errs.ErrForbidden)

// RequireVerified returns the signed-in verified citizen's account; an error
// matching errs.ErrForbidden when the request is not a citizen's or the
// account is not verified.
func RequireVerified(ctx context.Context) (Account, error) {
	a, ok := From(ctx)
	if !ok {
		return Account{}, fmt.Errorf("hanya untuk warga yang masuk dengan akunnya: %w", errs.ErrForbidden)
	}
	if !a.Verified {
		return a, ErrNotVerified
	}
	return a, nil
}

// accountColumnsOf lists the columns scanAccount reads, of the table
// named by prefix ("" or "c.").
func accountColumnsOf(p string) string {
	return fmt.Sprintf(`%[1]suser_id, %[1]snik, %[1]skk, %[1]sname, %[1]svillage_code, COALESCE(%[1]sphone, ''), COALESCE(%[1]semail, ''),
%[1]sstatus, %[1]sflags, COALESCE(%[1]sperson_id, 0), %[1]sreject_reason, %[1]sreject_note, %[1]sdecided_by, %[1]sdecided_at, %[1]screated_at`, p)
}

var accountColumns = accountColumnsOf("")

func scanAccount(sc interface{ Scan(...any) error }, extra ...any) (Account, error) {
	var a Account
	var flags string
	var decided *int64
	var created int64
	err := sc.Scan(append([]any{&a.ID, &a.NIK, &a.KK, &a.Name, &a.VillageCode, &a.Phone, &a.Email, &a.Status, &flags,
		&a.PersonID, &a.RejectReason, &a.RejectNote, &a.DecidedBy, &decided, &created}, extra...)...)
	if err != nil {
		return a, err
	}
	a.Verified = a.Status == Verified
	a.Flags = splitFlags(flags)
	if decided != nil {
		a.DecidedAt = store.FromMicros(*decided)
	}
	a.CreatedAt = store.FromMicros(created)
	return a, nil
}

// ByUser returns the citizen account of a user ID, errs.ErrNotFound when
// the user has none. It applies no scope: the server calls it for the
// signed-in citizen themselves.
func ByUser(ctx context.Context, db *store.DB, userID int64) (Account, error) {
	a, err := scanAccount(db.QueryRow(ctx, `SELECT `+accountColumns+` FROM citizen_account WHERE user_id = $1`, userID))
	if store.IsNoRows(err) {
		return a, errs.NotFound("akun warga %d", userID)
	}
	if err != nil {
		return a, fmt.Errorf("citizen: account: %w", err)
	}
	return a, nil
}

// Attach puts the account of a signed-in citizen (principal p) into ctx. For
// any other role, or a citizen role's user without a profile, it returns
// ctx unchanged: From then reports false.
func Attach(ctx context.Context, db *store.DB, p authz.Principal) (context.Context, error) {
	if p.Role != authz.Citizen {
		return ctx, nil
	}
	a, err := ByUser(ctx, db, p.UserID)
	if errors.Is(err, errs.ErrNotFound) {
		return ctx, nil
	}
	if err != nil {
		return ctx, err
	}
	return With(ctx, a), nil
}

func splitFlags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
