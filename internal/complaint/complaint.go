// Package complaint keeps complaints (pengaduan) and whistleblowing reports
// (WBS): anyone files one, anonymously or with contact details, with
// evidence files; the filer follows it with a tracking code and a secret,
// without an account. Each case is routed to the unit responsible for its
// region and category, with a time limit per category; a periodic durable
// job reminds before the limit and escalates to the level above when it
// passes. Handlers in scope record notes, replies, status changes and a
// resolution the filer can read. docs/complaints.md describes the rules.
//
// Visibility: a WBS report is seen only by the inspectorate (wbs.read), and
// its reporter's identity only through Reveal (wbs.reveal, audited with a
// reason). Complaints routed to the inspectorate (pungli, officer
// misconduct) are not shown to the social offices, whose staff they may
// concern. Everything is scoped by the principal's region (internal/authz);
// a context without a principal (the command line, the sweep job) is national.
package complaint

import (
	"context"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/store"
)

// Kind is a complaint or a whistleblowing report.
type Kind string

const (
	KindComplaint Kind = "pengaduan"
	KindWBS       Kind = "wbs"
)

// Category is what a case is about.
type Category string

const (
	Pungli      Category = "pungli"           // aid cut by an official or agent
	NotReceived Category = "tidak_diterima"   // aid not received
	WrongTarget Category = "salah_sasaran"    // aid given to someone not entitled
	DataError   Category = "kesalahan_data"   // wrong data in the register
	Misconduct  Category = "perilaku_petugas" // officer misconduct
	Other       Category = "lainnya"          // anything else
)

// UnitKind is the kind of office a case is routed to.
type UnitKind string

const (
	UnitSocial       UnitKind = "dinsos"      // the social office (dinas sosial) of the level
	UnitInspectorate UnitKind = "inspektorat" // the inspectorate of the level
)

// Status is where a case is.
type Status string

const (
	Received   Status = "diterima" // filed, not yet taken up
	Processing Status = "diproses" // a handler is working on it
	Resolved   Status = "selesai"  // closed with a resolution
	Rejected   Status = "ditolak"  // closed as unfounded or out of remit, with the reason
)

// Statuses lists the statuses in their order.
var Statuses = []Status{Received, Processing, Resolved, Rejected}

// Open reports whether a case in status s is still open (time limits run).
func (s Status) Open() bool { return s == Received || s == Processing }

// Rule is how a category is handled: which unit, within what time, and
// how long before the limit the unit is reminded.
type Rule struct {
	Kind     Kind
	Category Category
	Label    string // Indonesian
	Unit     UnitKind
	Limit    time.Duration
	Remind   time.Duration
}

const day = 24 * time.Hour

// Rules is the routing and time-limit table (docs/complaints.md). The
// limit starts again at each escalation.
var Rules = []Rule{
	{KindComplaint, Pungli, "Pungutan liar / potongan bantuan", UnitInspectorate, 14 * day, 3 * day},
	{KindComplaint, NotReceived, "Bantuan tidak diterima", UnitSocial, 14 * day, 3 * day},
	{KindComplaint, WrongTarget, "Salah sasaran", UnitSocial, 14 * day, 3 * day},
	{KindComplaint, DataError, "Kesalahan data", UnitSocial, 14 * day, 3 * day},
	{KindComplaint, Misconduct, "Perilaku petugas", UnitInspectorate, 30 * day, 7 * day},
	{KindComplaint, Other, "Lainnya", UnitSocial, 30 * day, 7 * day},
	{KindWBS, Pungli, "Pungutan liar, suap atau gratifikasi", UnitInspectorate, 30 * day, 7 * day},
	{KindWBS, Misconduct, "Penyalahgunaan wewenang atau pelanggaran disiplin", UnitInspectorate, 30 * day, 7 * day},
	{KindWBS, Other, "Pelanggaran lainnya", UnitInspectorate, 30 * day, 7 * day},
}

// RuleFor returns the rule of a kind and category.
func RuleFor(k Kind, c Category) (Rule, bool) {
	for _, r := range Rules {
		if r.Kind == k && r.Category == c {
			return r, true
		}
	}
	return Rule{}, false
}

// Categories lists the categories of a kind, in table order.
func Categories(k Kind) []Rule {
	var out []Rule
	for _, r := range Rules {
		if r.Kind == k {
			out = append(out, r)
		}
	}
	return out
}

// Unit is a responsible office: its kind and the region it serves (a
// regency, a province, or "" for the nation).
type Unit struct {
	Kind   UnitKind `json:"kind"`
	Region string   `json:"region"`
}

// String names the unit as "dinsos:32.04" ("dinsos:" for the nation).
func (u Unit) String() string { return string(u.Kind) + ":" + u.Region }

// ParseUnit reverses String.
func ParseUnit(s string) (Unit, bool) {
	for _, k := range []UnitKind{UnitSocial, UnitInspectorate} {
		if len(s) > len(k) && s[:len(k)+1] == string(k)+":" {
			r := s[len(k)+1:]
			if r == "" || len(r) == 2 || len(r) == 5 {
				return Unit{k, r}, true
			}
		}
	}
	return Unit{}, false
}

// Up is the unit one level above: regency → province → nation. The
// nation has none.
func (u Unit) Up() (Unit, bool) {
	switch len(u.Region) {
	case 5:
		return Unit{u.Kind, u.Region[:2]}, true
	case 2:
		return Unit{u.Kind, ""}, true
	}
	return u, false
}

// Level names the unit's level: "kabupaten/kota", "provinsi" or "nasional".
func (u Unit) Level() string {
	switch len(u.Region) {
	case 5:
		return "kabupaten/kota"
	case 2:
		return "provinsi"
	}
	return "nasional"
}

// route returns the unit first responsible for a case in region: the
// regency's office (the province's or the nation's for a report that
// names only those).
func route(r Rule, region string) Unit {
	switch {
	case len(region) >= 5:
		return Unit{r.Unit, region[:5]}
	case len(region) == 2:
		return Unit{r.Unit, region}
	}
	return Unit{r.Unit, ""}
}

// Service files, routes and serves cases.
type Service struct {
	DB *store.DB
	// Key is the service's secret key (internal/auth): it seals contacts.
	Key []byte
	// Now is the clock; nil means store.Now. Tests set it.
	Now func() time.Time
	// Notify tells handlers of the sweep's reminders and escalations
	// (notifySweep); none are sent when nil.
	Notify *notify.Service
	// HoldCap is the most bytes the files of refused tries keep at once
	// (Hold); zero means DefaultHoldCap.
	HoldCap int64
}

// New returns a service on db with the secret key.
func New(db *store.DB, key []byte) *Service { return &Service{DB: db, Key: key} }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return store.Now()
}

// seesKind reports which kinds and unit kinds the principal of ctx sees:
// the inspectorate sees everything (WBS included); other readers see
// complaints routed to the social offices only. No principal sees all.
func sees(ctx context.Context) (wbs, inspectorate bool) {
	p, ok := authz.From(ctx)
	if !ok {
		return true, true
	}
	if authz.Can(p.Role, authz.WBSRead) {
		return true, true
	}
	return false, false
}

// canHandle reports whether the principal of ctx may act on a case of unit u.
func canHandle(ctx context.Context, u Unit) bool {
	p, ok := authz.From(ctx)
	if !ok {
		return true
	}
	if !authz.Can(p.Role, authz.ComplaintHandle) || !authz.Contains(p.Region, u.Region) {
		return false
	}
	return (u.Kind == UnitInspectorate) == (p.Role == authz.Inspectorate)
}

// CanHandle reports whether the principal of ctx may act on cases of unit u.
func CanHandle(ctx context.Context, u Unit) bool { return canHandle(ctx, u) }
