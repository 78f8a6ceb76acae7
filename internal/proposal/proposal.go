// Package proposal carries the register's bottom-up changes: a citizen's
// or a village's usul, change requests on existing records, objections
// (sanggah) and resignations. Each is an item that moves through ordered
// steps — village check, the village meeting (Musdes/Muskel), district
// check, ratification for the regent or mayor — each by the level
// entitled to it and by someone other than the item's maker, and a
// ratified item is applied to the register through internal/registry.
// Every step is one transaction with its audit entries; decisions on many
// items are set-based (docs/proposals.md).
package proposal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/ratelimit"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// Kind is what an item asks for.
type Kind string

const (
	UsulRegister Kind = "usul_register" // a family not yet in the register enters it
	UsulProgram  Kind = "usul_program"  // a registered family is proposed for a program
	Resign       Kind = "mundur"        // a family resigns from a program (pengunduran diri)
	Birth        Kind = "kelahiran"     // a new member born into a family
	Death        Kind = "kematian"      // a member died
	Move         Kind = "pindah"        // a family moves to another village, or a member moves away
	NewKK        Kind = "kk_baru"       // the family's card is reissued with a new KK number
	Correction   Kind = "koreksi"       // a correction of a person's or family's data
	Objection    Kind = "sanggah"       // an objection to a recipient of a final determination
)

// Kinds lists the kinds with their Indonesian labels, in display order.
var Kinds = []struct {
	Kind  Kind
	Label string
}{
	{UsulRegister, "Usul masuk register"}, {UsulProgram, "Usul penerima program"}, {Resign, "Pengunduran diri dari program"},
	{Birth, "Kelahiran"}, {Death, "Kematian"}, {Move, "Pindah"}, {NewKK, "KK baru"}, {Correction, "Koreksi data"},
	{Objection, "Sanggahan"},
}

// Label returns the Indonesian label of a kind.
func (k Kind) Label() string {
	for _, x := range Kinds {
		if x.Kind == k {
			return x.Label
		}
	}
	return string(k)
}

// Status is where an item is on its path.
type Status string

const (
	Submitted       Status = "diajukan"         // waiting for the village (a sanggah: for the district)
	VillageChecked  Status = "diperiksa_desa"   // waiting for the village meeting
	MeetingAgreed   Status = "disetujui_musdes" // waiting for the district
	DistrictChecked Status = "diperiksa_dinsos" // in a batch, waiting for ratification
	Ratified        Status = "disahkan"         // ratified; applied to the register
	Rejected        Status = "ditolak"
	Upheld          Status = "diterima"    // a sanggah upheld: a verification of the family is opened
	Lapsed          Status = "kedaluwarsa" // a sanggah not decided within its deadline
)

// Statuses lists the statuses with labels, in path order.
var Statuses = []struct {
	Status Status
	Label  string
}{
	{Submitted, "Diajukan"}, {VillageChecked, "Diperiksa desa"}, {MeetingAgreed, "Disetujui Musdes/Muskel"},
	{DistrictChecked, "Diperiksa Dinsos"}, {Ratified, "Disahkan"}, {Rejected, "Ditolak"},
	{Upheld, "Sanggahan diterima"}, {Lapsed, "Kedaluwarsa"},
}

// Label returns the Indonesian label of a status.
func (s Status) Label() string {
	for _, x := range Statuses {
		if x.Status == s {
			return x.Label
		}
	}
	return string(s)
}

// Open reports whether an item in this status still waits for a step.
func (s Status) Open() bool {
	return s == Submitted || s == VillageChecked || s == MeetingAgreed || s == DistrictChecked
}

// ObjectionDays is how long the district has to decide a sanggah.
const ObjectionDays = 14

// Limits are how long an item may wait at each step before it counts as
// overdue on the dashboards (docs/proposals.md).
var Limits = map[Status]time.Duration{
	Submitted:       14 * 24 * time.Hour,
	VillageChecked:  60 * 24 * time.Hour, // Musdes is held a few times a year
	MeetingAgreed:   14 * 24 * time.Hour,
	DistrictChecked: 30 * 24 * time.Hour,
}

// File is an uploaded file: its name as given and its content.
type File struct {
	Name string
	Data []byte
}

// Size limits of uploads.
const (
	MaxEvidence = 2 << 20  // one evidence file or house photo
	MaxFiles    = 5        // evidence files per item
	MaxScan     = 10 << 20 // a meeting's signed minutes
)

// Proposer is who files an item: a verified citizen (CitizenID set) or,
// for a walk-in, a village operator (Operator set, UserID their account).
type Proposer struct {
	CitizenID   int64
	UserID      int64
	Name        string // user name or display name, for the item's history
	NIK         string
	KK          string
	VillageCode string
	Verified    bool
	Operator    bool
}

// OperatorProposer is the proposer of a walk-in item entered by p.
func OperatorProposer(p authz.Principal) Proposer {
	return Proposer{UserID: p.UserID, Name: p.Username, VillageCode: p.Region, Verified: true, Operator: true}
}

func (p Proposer) maker() string {
	if p.Operator {
		return p.Name
	}
	return fmt.Sprintf("warga:%d", p.CitizenID)
}

// Service runs proposals.
type Service struct {
	DB       *store.DB
	Registry *registry.Registry
	// Now is the clock; tests set a controllable one.
	Now func() time.Time
	// Jobs, when set, schedules each sanggah's lapse at its deadline and the
	// application of ratified items to the register, durably.
	Jobs *jobs.Runner
	// Notify, when set, is called inside the transaction of each decision
	// with the items decided (docs/proposals.md, notifications).
	Notify func(ctx context.Context, tx *store.Tx, ev Event) error
	// RefKey signs the recipient references of sanggah searches; every
	// node of one database needs the same. A random key when empty:
	// references are then good on this process only.
	RefKey []byte
	// SearchLimit bounds each account's recipient searches (New: 30 at
	// once, then one a minute); nil: no bound.
	SearchLimit *ratelimit.Keyed
}

// Event tells who should hear of a step: the items and their new status.
type Event struct {
	Items  []EventItem
	Status Status
	Reason string
}

// EventItem is one item of an Event.
type EventItem struct {
	ID          int64
	Kind        Kind
	VillageCode string
	CitizenID   int64
	MakerUserID int64
}

// New returns a service on db.
func New(db *store.DB) *Service {
	return &Service{DB: db, Registry: registry.New(db), Now: store.Now,
		SearchLimit: ratelimit.New(rate.Every(time.Minute), 30, 100000)}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return store.Now()
}

// invalid returns a field error.
func invalid(field, reason string) error {
	return &errs.Invalid{Fields: []errs.FieldError{{Field: field, Reason: reason}}}
}

// ErrNoPrincipal means a step was asked for without a signed-in person.
var ErrNoPrincipal = errors.New("proposal: a step needs a signed-in person")

// actor returns the principal of ctx, checking it may do action.
func actor(ctx context.Context, action authz.Action) (authz.Principal, error) {
	p, ok := authz.From(ctx)
	if !ok || p.UserID == 0 {
		return p, ErrNoPrincipal
	}
	if !authz.Can(p.Role, action) {
		return p, fmt.Errorf("peran %s tidak berwenang untuk %s: %w", p.Role, action, errs.ErrForbidden)
	}
	return p, nil
}

func clean(s string) string { return strings.TrimSpace(s) }
