package complaint

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/store"
)

// SweepResult counts what a sweep did.
type SweepResult struct {
	Reminded  int `json:"reminded"`
	Escalated int `json:"escalated"`
	// HeldDeleted counts the kept files of refused filings (Hold) deleted
	// after HoldTTL.
	HeldDeleted int `json:"held_deleted"`
}

// sweepBatch bounds the cases one sweep transaction touches.
const sweepBatch = 200

// Sweep gives the reminders that are due, escalates the open cases
// whose time limit has passed to the unit one level above, with a new
// limit; at the national level a case stays where it is and shows as
// overdue, and deletes the files of refused filings kept past HoldTTL.
// It works in batches of a few hundred cases, each batch one
// transaction, and may run any number of times: a case is reminded once
// per limit and escalated once per limit passed. With Service.Notify set,
// the handlers of each unit get one notice per batch and kind, written in
// the batch's transaction: a notice exists exactly when its change does.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	now := s.now()
	var res SweepResult
	for {
		n, err := s.remindBatch(ctx, now)
		if err != nil {
			return res, err
		}
		res.Reminded += n
		if n < sweepBatch {
			break
		}
	}
	for {
		n, more, err := s.escalateBatch(ctx, now)
		if err != nil {
			return res, err
		}
		res.Escalated += n
		if !more {
			break
		}
	}
	n, err := s.sweepHolds(ctx, now)
	res.HeldDeleted = n
	return res, err
}

type dueCase struct {
	id       int64
	kind     Kind
	category Category
	unit     Unit
	due      time.Time
}

func (s *Service) dueCases(ctx context.Context, tx *store.Tx, cond string, now time.Time) ([]dueCase, error) {
	rows, err := tx.Query(ctx, `SELECT id, kind, category, unit_kind, unit_region, due_at FROM complaint
		WHERE status IN ('diterima', 'diproses') AND `+cond+` ORDER BY id LIMIT `+strconv.Itoa(sweepBatch), store.Micros(now))
	if err != nil {
		return nil, fmt.Errorf("complaint: sweep: %w", err)
	}
	defer rows.Close()
	var out []dueCase
	for rows.Next() {
		var d dueCase
		var due int64
		if err := rows.Scan(&d.id, &d.kind, &d.category, &d.unit.Kind, &d.unit.Region, &due); err != nil {
			return nil, err
		}
		d.due = store.FromMicros(due)
		out = append(out, d)
	}
	return out, rows.Err()
}

func eventRows(ctx context.Context, tx *store.Tx, n int) (int64, error) {
	return tx.ReserveIDs(ctx, "complaint_event", int64(n))
}

var eventColumns = []string{"id", "complaint_id", "at", "kind", "actor", "public", "status", "body"}

func (s *Service) remindBatch(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		due, err := s.dueCases(ctx, tx, `reminded_at IS NULL AND remind_at <= $1 AND due_at > $1`, now)
		if err != nil || len(due) == 0 {
			return err
		}
		first, err := eventRows(ctx, tx, len(due))
		if err != nil {
			return err
		}
		ids := make([]int64, len(due))
		rows := make([][]any, len(due))
		for i, d := range due {
			ids[i] = d.id
			body := "Batas waktu " + d.due.In(wib).Format("2006-01-02 15:04") + " WIB"
			rows[i] = []any{first + int64(i), d.id, store.Micros(now), EvReminder, ActorSystem, false, "", body}
		}
		in, args := tx.Engine().InInt64("id", 2, ids)
		if _, err := tx.Exec(ctx, `UPDATE complaint SET reminded_at = $1 WHERE `+in, append([]any{store.Micros(now)}, args...)...); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, "complaint_event", eventColumns, rows); err != nil {
			return err
		}
		n = len(due)
		return s.notifySweep(ctx, tx, byUnit(due, func(d dueCase) Unit { return d.unit }), false)
	})
	return n, err
}

// escalateBatch moves one batch of overdue cases up; more reports whether
// another batch may be waiting.
func (s *Service) escalateBatch(ctx context.Context, now time.Time) (n int, more bool, err error) {
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		// National cases have nowhere to go: they stay overdue.
		due, err := s.dueCases(ctx, tx, `due_at <= $1 AND unit_region <> ''`, now)
		if err != nil || len(due) == 0 {
			return err
		}
		more = len(due) == sweepBatch
		first, err := eventRows(ctx, tx, len(due))
		if err != nil {
			return err
		}
		rows := make([][]any, len(due))
		for i, d := range due {
			up, _ := d.unit.Up()
			rule, ok := RuleFor(d.kind, d.category)
			if !ok {
				rule = Rule{Limit: 30 * day, Remind: 7 * day}
			}
			newDue := now.Add(rule.Limit)
			// One statement per case: each gets its own unit and limit. A
			// batch is bounded, and escalations are rare next to filings.
			_, err := tx.Exec(ctx, `UPDATE complaint SET unit_region = $2, due_at = $3, remind_at = $4, reminded_at = NULL,
				escalations = escalations + 1, updated_at = $5 WHERE id = $1 AND due_at = $6`,
				d.id, up.Region, store.Micros(newDue), store.Micros(newDue.Add(-rule.Remind)), store.Micros(now), store.Micros(d.due))
			if err != nil {
				return err
			}
			body := "Batas waktu terlewati: diteruskan dari " + unitLabel(d.unit) + " ke " + unitLabel(up)
			rows[i] = []any{first + int64(i), d.id, store.Micros(now), EvEscalated, ActorSystem, true, "", body}
		}
		if _, err := tx.CopyFrom(ctx, "complaint_event", eventColumns, rows); err != nil {
			return err
		}
		n = len(due)
		return s.notifySweep(ctx, tx, byUnit(due, func(d dueCase) Unit { up, _ := d.unit.Up(); return up }), true)
	})
	return n, more, err
}

// wib is Western Indonesia Time, for the times written into histories.
var wib = time.FixedZone("WIB", 7*3600)

// JobKind is the kind of the periodic sweep job.
const JobKind jobs.Kind = "pengaduan.sapu"

// SweepEvery is how often the sweep runs.
const SweepEvery = time.Hour

// slotKey names the sweep of the slot starting at t: one queued or
// running sweep per slot, however many nodes or restarts enqueue it.
func slotKey(t time.Time) string { return "pengaduan.sapu@" + t.UTC().Format(time.RFC3339) }

// nextSlot is the start of the slot after t's.
func nextSlot(t time.Time) time.Time { return t.UTC().Truncate(SweepEvery).Add(SweepEvery) }

// RegisterJob registers the sweep with a runner. Each run first enqueues
// the next one (at the start of the next slot, unique per slot) and then
// sweeps, so the chain survives a failed sweep and a restart: the jobs
// are rows, and a runner started later picks up the queued one.
func RegisterJob(r *jobs.Runner, s *Service) {
	jobs.Register(r, JobKind, func(ctx context.Context, j *jobs.Job, _ struct{}) error {
		if _, err := scheduleAt(ctx, r, nextSlot(s.now())); err != nil {
			return err
		}
		res, err := s.Sweep(ctx)
		if err != nil {
			return err
		}
		if res.Reminded+res.Escalated > 0 {
			slog.InfoContext(ctx, "pengaduan: sapuan", "pengingat", res.Reminded, "eskalasi", res.Escalated)
		}
		j.Progress(int64(res.Reminded+res.Escalated), int64(res.Reminded+res.Escalated), "")
		return j.SetResult(res)
	})
}

func scheduleAt(ctx context.Context, r *jobs.Runner, at time.Time) (int64, error) {
	id, _, err := r.Enqueue(ctx, JobKind, struct{}{}, &jobs.EnqueueOptions{UniqueKey: slotKey(at), RunAfter: at, MaxAttempts: 3})
	return id, err
}

// Schedule makes sure a sweep is queued: one now (catching up after the
// server was down) and so the chain of hourly sweeps. Call it when the
// server starts; extra calls add nothing while a sweep is queued.
func Schedule(ctx context.Context, r *jobs.Runner, s *Service) (int64, error) {
	return scheduleAt(ctx, r, s.now().Truncate(SweepEvery))
}
