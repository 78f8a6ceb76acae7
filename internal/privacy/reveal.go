// Package privacy serves the rights and duties of UU PDP No. 27/2022 that
// the register must answer for: showing a full NIK only as an explicit,
// audited act; a data subject's report (everything held about a person,
// its history and who viewed it); and the list of people a leaked account
// or token could reach, for a breach notice within 3 × 24 hours.
//
// Everything here is scoped like the register: by the principal of ctx
// (internal/authz), national when there is none (the command line).
package privacy

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// Audit actions of this package.
const (
	// ActRevealNIK: a full NIK was shown to someone who asked for it.
	ActRevealNIK = "nik.tampil"
	// ActReport: a data subject's report was produced.
	ActReport = "privasi.laporan"
	// ActBreach: a breach list was produced for an account.
	ActBreach = "privasi.kebocoran"
)

// Actions lists the audit actions of this package.
var Actions = []string{ActRevealNIK, ActReport, ActBreach}

// MaxReason is the longest reason accepted, in characters.
const MaxReason = 200

// checkReason requires a short reason: purpose limitation means saying why.
func checkReason(field, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReason {
		return "", &errs.Invalid{Fields: []errs.FieldError{{Field: field, Reason: "alasan wajib diisi, paling panjang 200 karakter"}}}
	}
	return reason, nil
}

// RevealNIK returns the current record of a person in the caller's region
// with its full NIK, after writing the reveal to the audit trail (who,
// whose, why, from where). A person outside the region is not found. The
// reason's digits are masked in the trail: it must not carry a NIK.
func RevealNIK(ctx context.Context, reg *registry.Registry, id int64, reason string) (registry.Person, error) {
	reason, err := checkReason("reason", reason)
	if err != nil {
		return registry.Person{}, err
	}
	p, err := reg.GetPerson(ctx, id, time.Time{})
	if err != nil {
		return registry.Person{}, err
	}
	err = reg.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: ActRevealNIK, ObjectType: audit.ObjPerson, ObjectID: id, PersonID: id,
			Region: p.VillageCode, After: map[string]any{"alasan": audit.MaskDigits(reason)}})
	})
	if err != nil {
		return registry.Person{}, err
	}
	return p, nil
}
