package determination

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/welfare"
)

// Audit actions and object type of determinations.
const (
	ActRun      = "penetapan.jalankan"
	ActSimulate = "simulasi.jalankan"
	ActApprove  = "penetapan.setujui"
	ActReject   = "penetapan.tolak"
	ActExport   = "penetapan.ekspor"
	ObjType     = "penetapan"
)

// Spec names one determination to make.
type Spec struct {
	Program string `json:"program"`
	Period  string `json:"period"`
	// Channel is the payment channel whose calendar gives the period's
	// dates and amounts; "" takes the first channel (by name) listing
	// the period.
	Channel string `json:"channel,omitempty"`
}

func (s Spec) String() string { return s.Program + ":" + s.Period }

// Started is what Start and Simulate return: the job that makes the
// determinations and the determinations (status running). Existing is set
// when the same determinations were already being made: the caller follows
// that job.
type Started struct {
	JobID          int64            `json:"job_id"`
	Existing       bool             `json:"existing"`
	Determinations []*Determination `json:"determinations"`
}

// resolved is a Spec with its governing program version and period.
type resolved struct {
	Spec
	c      *program.Compiled
	period program.Period
	whatIf *program.Compiled // simulations
}

func (s *Service) resolve(ctx context.Context, sp Spec) (*resolved, error) {
	sp.Program = strings.ToUpper(strings.TrimSpace(sp.Program))
	sp.Period = strings.TrimSpace(sp.Period)
	if sp.Program == "" || sp.Period == "" {
		return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "program", Reason: "program dan periode wajib diisi"}}}
	}
	if sp.Channel == "" {
		err := s.DB.QueryRow(ctx, `SELECT p.channel FROM program_period p
			JOIN program_version v ON v.program = p.program AND v.version = p.version
			WHERE p.program = $1 AND p.code = $2 AND v.status = 'approved' ORDER BY p.channel LIMIT 1`,
			sp.Program, sp.Period).Scan(&sp.Channel)
		if store.IsNoRows(err) {
			return nil, errs.NotFound("periode %s program %s (tidak ada di kalender versi yang disetujui)", sp.Period, sp.Program)
		}
		if err != nil {
			return nil, fmt.Errorf("determination: channel: %w", err)
		}
	}
	c, p, err := s.Programs.ForPeriod(ctx, sp.Program, sp.Channel, sp.Period)
	if err != nil {
		return nil, err
	}
	return &resolved{Spec: sp, c: c, period: p}, nil
}

func actor(ctx context.Context) string {
	if p, ok := authz.From(ctx); ok && p.Username != "" {
		return p.Username
	}
	return audit.SystemActor
}

// Start begins determinations of one or more programs for their periods as
// one job, which builds every family once and evaluates each program on it.
// Starting the same determinations again while they run returns the running
// job (Existing); starting one while another of the same program and period
// runs in a different job is a conflict. A draft of the same program and
// period is superseded by the new determination. The start is audited.
func (s *Service) Start(ctx context.Context, specs []Spec) (*Started, error) {
	if len(specs) == 0 {
		return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "program", Reason: "sebutkan paling sedikit satu program"}}}
	}
	var rs []*resolved
	seen := map[string]bool{}
	for _, sp := range specs {
		r, err := s.resolve(ctx, sp)
		if err != nil {
			return nil, err
		}
		if seen[r.Program] {
			return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "program", Value: r.Program, Reason: "program disebut dua kali"}}}
		}
		seen[r.Program] = true
		rs = append(rs, r)
	}
	return s.start(ctx, KindDetermination, rs)
}

// Simulate begins a simulation of one program and period with a what-if
// version of its rules (another decile limit, other amounts, quotas),
// evaluated beside the live rules on the same families. A document without
// calendars takes the live version's. The simulation writes only its own
// items and never becomes final.
func (s *Service) Simulate(ctx context.Context, sp Spec, doc *program.Document) (*Started, error) {
	r, err := s.resolve(ctx, sp)
	if err != nil {
		return nil, err
	}
	if doc.Program == "" {
		doc.Program = r.Program
	}
	if strings.ToUpper(doc.Program) != r.Program {
		return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "program", Value: doc.Program,
			Reason: "aturan simulasi untuk program " + doc.Program + ", bukan " + r.Program}}}
	}
	if len(doc.Calendars) == 0 {
		doc.Calendars = r.c.Doc.Calendars
	}
	if doc.EffectiveFrom == "" {
		doc.EffectiveFrom = r.c.Doc.EffectiveFrom
	}
	w, err := program.Compile(doc)
	if err != nil {
		return nil, err
	}
	if _, err := w.Period(r.Channel, r.Period); err != nil {
		return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "calendars", Reason: err.Error()}}}
	}
	if w.Doc.Unit != r.c.Doc.Unit {
		return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "unit", Value: w.Doc.Unit,
			Reason: "unit simulasi harus sama dengan aturan yang berlaku (" + r.c.Doc.Unit + ")"}}}
	}
	r.whatIf = w
	return s.start(ctx, KindSimulation, []*resolved{r})
}

func jobKey(kind string, rs []*resolved) string {
	keys := make([]string, len(rs))
	for i, r := range rs {
		keys[i] = r.Spec.String()
	}
	sort.Strings(keys)
	return kind + ":" + strings.Join(keys, "+")
}

func (s *Service) start(ctx context.Context, kind string, rs []*resolved) (*Started, error) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Program < rs[j].Program })
	who := actor(ctx)
	run, err := welfare.CurrentRun(ctx, s.DB)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	var out *Started
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		out = &Started{}
		var running []*Determination
		var drafts []*Determination
		for _, r := range rs {
			// Serialize starts and approvals of one program, period and kind.
			if err := lockKey(ctx, tx, kind, r.Program, r.Period); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT `+detCols+` FROM determination
				WHERE program = $1 AND period = $2 AND kind = $3 AND status IN ('running', 'draft')`, r.Program, r.Period, kind)
			if err != nil {
				return fmt.Errorf("determination: pending: %w", err)
			}
			var pending []*Determination
			for rows.Next() {
				d, err := scanDet(rows)
				if err != nil {
					rows.Close()
					return err
				}
				pending = append(pending, d)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, d := range pending {
				if d.Status == StatusDraft {
					drafts = append(drafts, d)
					continue
				}
				alive, err := jobAlive(ctx, tx, d.JobID)
				if err != nil {
					return err
				}
				if alive {
					running = append(running, d)
					continue
				}
				// Its job failed, was cancelled or vanished: the determination
				// will never finish, so it stops blocking new ones.
				if _, err := tx.Exec(ctx, `UPDATE determination SET status = 'failed', finished_at = $2,
					error = CASE WHEN error = '' THEN 'tugas tidak lagi berjalan' ELSE error END WHERE id = $1`,
					d.ID, store.Micros(store.Now())); err != nil {
					return fmt.Errorf("determination: fail stale: %w", err)
				}
			}
		}
		if len(running) > 0 {
			same := len(running) == len(rs)
			for _, d := range running {
				same = same && d.JobID == running[0].JobID
			}
			if !same {
				names := make([]string, len(running))
				for i, d := range running {
					names[i] = fmt.Sprintf("%s (tugas %d)", d.Title(), d.JobID)
				}
				return errs.Conflict("sedang berjalan: %s", strings.Join(names, ", "))
			}
			out.JobID, out.Existing, out.Determinations = running[0].JobID, true, running
			return nil
		}
		now := store.Now()
		first, err := tx.ReserveIDs(ctx, "determination", int64(len(rs)))
		if err != nil {
			return err
		}
		ids := make([]int64, len(rs))
		for i := range rs {
			ids[i] = first + int64(i)
		}
		jobID, existing, err := s.Jobs.EnqueueTx(ctx, tx, JobKind, jobArgs{IDs: ids},
			&jobs.EnqueueOptions{UniqueKey: jobKey(kind, rs), MaxAttempts: 5})
		if err != nil {
			return err
		}
		if existing {
			return errs.Conflict("tugas %d untuk %s masih berjalan tanpa penetapannya", jobID, jobKey(kind, rs))
		}
		var entries []audit.Entry
		for i, r := range rs {
			for _, d := range drafts {
				if d.Program != r.Program {
					continue
				}
				if _, err := tx.Exec(ctx, `UPDATE determination SET status = 'superseded', closed_by = $2, closed_at = $3, close_reason = $4
					WHERE id = $1 AND status = 'draft'`, d.ID, who, store.Micros(now),
					fmt.Sprintf("diganti penetapan baru (id %d) sebelum disetujui", ids[i])); err != nil {
					return fmt.Errorf("determination: supersede draft: %w", err)
				}
			}
			var number int
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM determination WHERE program = $1 AND period = $2 AND kind = $3`,
				r.Program, r.Period, kind).Scan(&number); err != nil {
				return fmt.Errorf("determination: number: %w", err)
			}
			var base any
			if kind == KindDetermination {
				var b int64
				err := tx.QueryRow(ctx, `SELECT id FROM determination WHERE kind = 'penetapan' AND program = $1 AND status = 'final'
					AND period_start <= $2 ORDER BY period_start DESC, id DESC LIMIT 1`, r.Program, r.period.Start).Scan(&b)
				switch {
				case err == nil:
					base = b
				case !store.IsNoRows(err):
					return fmt.Errorf("determination: base: %w", err)
				}
			}
			var runID any
			if run.ID != 0 {
				runID = run.ID
			}
			rules := ""
			unit := r.c.Doc.Unit
			if r.whatIf != nil {
				rules = string(r.whatIf.Doc.JSON())
			}
			_, err := tx.Exec(ctx, `INSERT INTO determination (id, kind, program, period, number, channel, unit, period_start, period_end,
				program_version, rules, welfare_run, base_id, status, job_id, data_as_of, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'running', $14, $15, $16, $15)`,
				ids[i], kind, r.Program, r.Period, number, r.Channel, unit, r.period.Start, r.period.End,
				r.c.Version, rules, runID, base, jobID, store.Micros(now), who)
			if err != nil {
				if store.IsUniqueViolation(err) {
					return errs.Conflict("%s %s %s sedang dibuat oleh orang lain; coba lagi", kind, r.Program, r.Period)
				}
				return fmt.Errorf("determination: insert: %w", err)
			}
			d, err := get(ctx, tx.QueryRow, ids[i])
			if err != nil {
				return err
			}
			out.Determinations = append(out.Determinations, d)
			act := ActRun
			if kind == KindSimulation {
				act = ActSimulate
			}
			entries = append(entries, audit.Entry{Action: act, ObjectType: ObjType, ObjectID: ids[i], Region: authz.Scope(ctx),
				After: map[string]any{"program": r.Program, "periode": r.Period, "nomor": number, "saluran": r.Channel,
					"versi_program": r.c.Version, "tugas": jobID, "pemeringkatan": run.ID}})
		}
		out.JobID = jobID
		return audit.RecordMany(ctx, tx, entries)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lockKey serializes changes to the determinations of one program, period
// and kind: the counter row stays locked until the transaction ends
// (PostgreSQL; SQLite has one writer).
func lockKey(ctx context.Context, tx *store.Tx, kind, prog, period string) error {
	name := "determination:" + kind + ":" + prog + ":" + period
	if _, err := tx.Exec(ctx, `INSERT INTO id_counters (name, next_id) VALUES ($1, 1) ON CONFLICT (name) DO NOTHING`, name); err != nil {
		return fmt.Errorf("determination: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE id_counters SET next_id = next_id WHERE name = $1`, name); err != nil {
		return fmt.Errorf("determination: lock: %w", err)
	}
	return nil
}

// jobAlive reports whether a job is queued or running.
func jobAlive(ctx context.Context, tx *store.Tx, id int64) (bool, error) {
	if id == 0 {
		return false, nil
	}
	var state string
	err := tx.QueryRow(ctx, `SELECT state FROM jobs WHERE id = $1`, id).Scan(&state)
	if store.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("determination: job state: %w", err)
	}
	return state == string(jobs.Queued) || state == string(jobs.Running), nil
}
