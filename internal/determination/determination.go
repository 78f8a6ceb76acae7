// Package determination decides who receives a program in a payment
// period: the determination engine. A determination (penetapan) is a
// numbered, immutable list of every family of the register (or every
// person, for per-person programs such as PBI-JK) with its status (new,
// continuing, excluded, graduated, error), the amount for the period and
// the reasons — machine-readable codes and Indonesian sentences from
// internal/program — compared with the program's previous final
// determination. It is made by a durable job (internal/jobs) that streams
// the register in family ID order, evaluates each family once for every
// program run together, writes items in bulk with the checkpoint in the
// same transaction, applies quotas in a second, set-based pass, and leaves
// a draft that a program manager other than its runner approves
// (maker-checker) before it becomes final. A simulation (simulasi) runs the
// same engine with a what-if rule set beside the live rules and can never
// become final. docs/determinations.md describes the model.
package determination

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/store"
)

// Kinds of determination.
const (
	KindDetermination = "penetapan" // can become final
	KindSimulation    = "simulasi"  // what-if rules; never final
)

// Status of a determination.
type Status string

const (
	StatusRunning    Status = "running"    // the job is writing its items
	StatusDraft      Status = "draft"      // finished, waiting for approval
	StatusFinal      Status = "final"      // approved: feeds the status check and payments
	StatusSuperseded Status = "superseded" // replaced by a later determination of the same program and period
	StatusRejected   Status = "rejected"   // refused by an approver
	StatusFailed     Status = "failed"     // the job failed or was cancelled
	StatusDone       Status = "done"       // a finished simulation
)

// Label is the status in Indonesian.
func (s Status) Label() string {
	switch s {
	case StatusRunning:
		return "berjalan"
	case StatusDraft:
		return "draf"
	case StatusFinal:
		return "final"
	case StatusSuperseded:
		return "diganti"
	case StatusRejected:
		return "ditolak"
	case StatusFailed:
		return "gagal"
	case StatusDone:
		return "selesai"
	}
	return string(s)
}

// Item statuses.
const (
	ItemNew        = "new"        // receives; did not in the base
	ItemContinuing = "continuing" // receives, as in the base
	ItemExcluded   = "excluded"   // does not receive, did not in the base
	ItemGraduated  = "graduated"  // received in the base, not now
	ItemError      = "error"      // a rule could not be evaluated: not paid until fixed
)

// ItemStatuses lists the item statuses in display order.
var ItemStatuses = []string{ItemNew, ItemContinuing, ItemExcluded, ItemGraduated, ItemError}

// ItemLabel is an item status in Indonesian.
func ItemLabel(s string) string {
	switch s {
	case ItemNew:
		return "baru"
	case ItemContinuing:
		return "lanjutan"
	case ItemExcluded:
		return "tidak menerima"
	case ItemGraduated:
		return "keluar (graduasi)"
	case ItemError:
		return "galat aturan"
	}
	return s
}

// Recipient reports whether an item status receives the benefit.
func Recipient(status string) bool { return status == ItemNew || status == ItemContinuing }

// Reason codes the engine gives itself (program reasons are in internal/program).
const (
	ReasonEligible  = "layak"           // an eligible family or person: the benefit and amount
	ReasonNotInBase = "tidak_terdaftar" // diff: a base recipient no longer in the register
	// ReasonResigned: the family resigned from the program through a
	// ratified proposal (program_request 'mundur'); it is not a recipient.
	ReasonResigned = "mengundurkan_diri"
	// ReasonProposed: a ratified proposal asked for the family to receive
	// the program (program_request 'masuk'); the rules still decide, and a
	// binding quota takes proposed families of a decile before the others.
	ReasonProposed = "diusulkan_musdes"
)

// Determination is one numbered determination or simulation.
type Determination struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"`
	Program        string     `json:"program"`
	Period         string     `json:"period"`
	Number         int        `json:"number"`
	Channel        string     `json:"channel"`
	PeriodStart    string     `json:"period_start"`
	PeriodEnd      string     `json:"period_end"`
	ProgramVersion int        `json:"program_version"`
	Unit           string     `json:"unit"` // family or person
	WelfareRun     int64      `json:"welfare_run,omitempty"`
	BaseID         int64      `json:"base_id,omitempty"`
	Status         Status     `json:"status"`
	StatusLabel    string     `json:"status_label"`
	JobID          int64      `json:"job_id,omitempty"`
	DataAsOf       time.Time  `json:"data_as_of"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	FinishedAt     *time.Time `json:"finished_at,omitempty"`
	ApprovedBy     string     `json:"approved_by,omitempty"`
	ApprovedAt     *time.Time `json:"approved_at,omitempty"`
	ClosedBy       string     `json:"closed_by,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	CloseReason    string     `json:"close_reason,omitempty"`
	Units          int64      `json:"units"`
	Recipients     int64      `json:"recipients"`
	Amount         int64      `json:"amount"`
	Summary        *Summary   `json:"summary,omitempty"`
	Error          string     `json:"error,omitempty"`
	rules          string
}

// Title names a determination for people: "Penetapan PKH 2026-Q1 no. 2".
func (d *Determination) Title() string {
	k := "Penetapan"
	if d.Kind == KindSimulation {
		k = "Simulasi"
	}
	return fmt.Sprintf("%s %s %s no. %d", k, d.Program, d.Period, d.Number)
}

// Summary holds a finished determination's counts: units and rupiah per
// item status, base recipients no longer in the register (Missing), and the
// base's totals for comparison.
type Summary struct {
	Status     map[string]Count `json:"status"`
	Missing    int64            `json:"missing"`
	BaseUnits  int64            `json:"base_recipients"`
	BaseAmount int64            `json:"base_amount"`
	Changed    int64            `json:"changed_amount"`
	QuotaCut   int64            `json:"quota_cut"`
	ElapsedMS  int64            `json:"elapsed_ms"`
	// Busy time of the job's stages in its last attempt; reading, deciding
	// and writing overlap, so the elapsed time is about the largest.
	ReadMS      int64 `json:"read_ms"`
	DecideMS    int64 `json:"decide_ms"`
	WriteMS     int64 `json:"write_ms"`
	QuotaMS     int64 `json:"quota_ms"`
	Families    int64 `json:"families"`
	LiveVersion int   `json:"live_version,omitempty"`
}

// Count is a number of units and their rupiah.
type Count struct {
	Units  int64 `json:"units"`
	Amount int64 `json:"amount"`
}

const detCols = `id, kind, program, period, number, channel, unit, period_start, period_end, program_version, rules,
	welfare_run, base_id, status, job_id, data_as_of, created_by, created_at, finished_at, approved_by, approved_at,
	closed_by, closed_at, close_reason, units, recipients, amount, summary, error`

type scanner interface{ Scan(...any) error }

func scanDet(s scanner) (*Determination, error) {
	var (
		d                              Determination
		run, base, job                 sql.NullInt64
		asOf, created                  int64
		finished, approvedAt, closedAt sql.NullInt64
		approvedBy, closedBy           sql.NullString
		summary                        string
		status                         string
	)
	err := s.Scan(&d.ID, &d.Kind, &d.Program, &d.Period, &d.Number, &d.Channel, &d.Unit, &d.PeriodStart, &d.PeriodEnd,
		&d.ProgramVersion, &d.rules, &run, &base, &status, &job, &asOf, &d.CreatedBy, &created, &finished,
		&approvedBy, &approvedAt, &closedBy, &closedAt, &d.CloseReason, &d.Units, &d.Recipients, &d.Amount,
		&summary, &d.Error)
	if err != nil {
		return nil, err
	}
	d.WelfareRun, d.BaseID, d.JobID = run.Int64, base.Int64, job.Int64
	d.Status = Status(status)
	d.StatusLabel = d.Status.Label()
	d.DataAsOf, d.CreatedAt = store.FromMicros(asOf), store.FromMicros(created)
	d.FinishedAt, d.ApprovedAt, d.ClosedAt = optTime(finished), optTime(approvedAt), optTime(closedAt)
	d.ApprovedBy, d.ClosedBy = approvedBy.String, closedBy.String
	if summary != "" {
		var sm Summary
		if err := json.Unmarshal([]byte(summary), &sm); err != nil {
			return nil, fmt.Errorf("determination %d: summary: %w", d.ID, err)
		}
		d.Summary = &sm
	}
	return &d, nil
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := store.FromMicros(v.Int64)
	return &t
}

// Service runs, reads and approves determinations.
type Service struct {
	DB       *store.DB
	Programs *program.Store
	// Jobs enqueues the determination jobs. It needs the kind registered
	// (RegisterJob); it does not have to be started: any runner of the
	// same database with the kind registered runs the job.
	Jobs *jobs.Runner
}

// New returns a Service on db that enqueues with r (nil: a runner of its
// own, for enqueueing only).
func New(db *store.DB, r *jobs.Runner) *Service {
	if r == nil {
		r = jobs.New(db, jobs.Options{})
		RegisterJob(r, db)
	}
	return &Service{DB: db, Programs: program.NewStore(db), Jobs: r}
}

// Get returns a determination.
func (s *Service) Get(ctx context.Context, id int64) (*Determination, error) {
	return get(ctx, s.DB.QueryRow, id)
}

func get(ctx context.Context, queryRow func(context.Context, string, ...any) *sql.Row, id int64) (*Determination, error) {
	d, err := scanDet(queryRow(ctx, `SELECT `+detCols+` FROM determination WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return nil, errs.NotFound("penetapan %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("determination: get %d: %w", id, err)
	}
	return d, nil
}

// ListOptions filter List; zero values mean no filter.
type ListOptions struct {
	Kind    string
	Program string
	Period  string
	Status  Status
	Limit   int // default 100
}

// List returns determinations, newest first.
func (s *Service) List(ctx context.Context, o ListOptions) ([]Determination, error) {
	if o.Limit <= 0 || o.Limit > 1000 {
		o.Limit = 100
	}
	q := `SELECT ` + detCols + ` FROM determination WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR program = $2)
		AND ($3 = '' OR period = $3) AND ($4 = '' OR status = $4) ORDER BY created_at DESC, id DESC LIMIT $5`
	rows, err := s.DB.Query(ctx, q, o.Kind, o.Program, o.Period, string(o.Status), o.Limit)
	if err != nil {
		return nil, fmt.Errorf("determination: list: %w", err)
	}
	defer rows.Close()
	out := []Determination{}
	for rows.Next() {
		d, err := scanDet(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// Find returns the determination of a program and period: number n, or,
// with n 0, the final one, else the newest.
func (s *Service) Find(ctx context.Context, kind, prog, period string, n int) (*Determination, error) {
	if kind == "" {
		kind = KindDetermination
	}
	q := `SELECT ` + detCols + ` FROM determination WHERE kind = $1 AND program = $2 AND period = $3 AND number = $4`
	args := []any{kind, prog, period, n}
	if n == 0 {
		q = `SELECT ` + detCols + ` FROM determination WHERE kind = $1 AND program = $2 AND period = $3
			ORDER BY CASE WHEN status = 'final' THEN 0 ELSE 1 END, number DESC LIMIT 1`
		args = args[:3]
	}
	d, err := scanDet(s.DB.QueryRow(ctx, q, args...))
	if store.IsNoRows(err) {
		if n == 0 {
			return nil, errs.NotFound("%s %s %s", kind, prog, period)
		}
		return nil, errs.NotFound("%s %s %s no. %d", kind, prog, period, n)
	}
	if err != nil {
		return nil, fmt.Errorf("determination: find: %w", err)
	}
	return d, nil
}
