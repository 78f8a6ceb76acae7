package determination

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/store"
)

// JobKind is the kind of the durable determination job.
const JobKind jobs.Kind = "penetapan"

type jobArgs struct {
	IDs []int64 `json:"ids"`
}

// JobResult is what a finished determination job records.
type JobResult struct {
	IDs       []int64 `json:"ids"`
	Families  int64   `json:"families"`
	ElapsedMS int64   `json:"elapsed_ms"`
}

// checkpoint is where a determination job resumes: the phase and, while
// writing items, the last family whose items are committed.
type checkpoint struct {
	Phase string `json:"phase"` // items, quota, done
	After int64  `json:"after"`
	Done  int64  `json:"done"`
	// ElapsedMS is the work time of earlier attempts.
	ElapsedMS int64 `json:"elapsed_ms"`
}

// BatchSize is the number of families read, decided and written per
// transaction.
var BatchSize = 5000

// afterBatch, when set (tests), is called after each committed batch.
var afterBatch func(done int64)

// RegisterJob registers the determination job with a runner. A job that
// fails for good (out of attempts, a permanent error, cancelled) marks its
// determinations failed so that they no longer block new ones.
func RegisterJob(r *jobs.Runner, db *store.DB) {
	jobs.Register(r, JobKind, func(ctx context.Context, j *jobs.Job, a jobArgs) error {
		err := runJob(ctx, db, j, a)
		if err == nil {
			return nil
		}
		cause := context.Cause(ctx)
		final := jobs.IsPermanent(err) || errors.Is(cause, jobs.ErrCancelled) ||
			(ctx.Err() == nil && j.Attempt >= j.MaxAttempts)
		if final {
			msg := err.Error()
			if errors.Is(cause, jobs.ErrCancelled) {
				msg = "dibatalkan"
			}
			markFailed(db, a.IDs, msg)
		}
		return err
	})
}

func markFailed(db *store.DB, ids []int64, msg string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := store.Micros(store.Now())
	_ = db.Write(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			if _, err := tx.Exec(ctx, `UPDATE determination SET status = 'failed', error = $2, finished_at = $3
				WHERE id = $1 AND status = 'running'`, id, msg, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// task is one determination being made by a job.
type task struct {
	det *Determination
	// rules decide; base are the live rules a simulation compares with
	// (nil for a determination, whose base is its previous final one).
	rules, base *program.Compiled
	at          time.Time
	perPerson   bool
}

func loadTasks(ctx context.Context, db *store.DB, ids []int64) ([]*task, error) {
	ps := program.NewStore(db)
	var ts []*task
	for _, id := range ids {
		d, err := get(ctx, db.QueryRow, id)
		if err != nil {
			return nil, jobs.Permanent(err)
		}
		if d.Status != StatusRunning {
			continue
		}
		live, _, err := ps.ForPeriod(ctx, d.Program, d.Channel, d.Period)
		if err != nil {
			return nil, jobs.Permanent(err)
		}
		if live.Version != d.ProgramVersion {
			return nil, jobs.Permanent(fmt.Errorf("%s: versi program %s yang berlaku berubah dari %d ke %d selama penetapan; jalankan ulang",
				d.Title(), d.Program, d.ProgramVersion, live.Version))
		}
		at, err := time.Parse(time.DateOnly, d.PeriodStart)
		if err != nil {
			return nil, jobs.Permanent(fmt.Errorf("%s: tanggal periode %q: %w", d.Title(), d.PeriodStart, err))
		}
		t := &task{det: d, rules: live, at: at, perPerson: d.Unit == program.UnitPerson}
		if d.Kind == KindSimulation {
			doc, err := program.ParseDocument([]byte(d.rules))
			if err != nil {
				return nil, jobs.Permanent(err)
			}
			w, err := program.Compile(doc)
			if err != nil {
				return nil, jobs.Permanent(err)
			}
			t.rules, t.base = w, live
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func runJob(ctx context.Context, db *store.DB, j *jobs.Job, a jobArgs) error {
	started := time.Now()
	ts, err := loadTasks(ctx, db, a.IDs)
	if err != nil || len(ts) == 0 {
		return err
	}
	var cp checkpoint
	if _, err := j.Resume(&cp); err != nil {
		return err
	}
	elapsed := func() int64 { return cp.ElapsedMS + time.Since(started).Milliseconds() }
	var total int64
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM family WHERE valid_to IS NULL`).Scan(&total); err != nil {
		return fmt.Errorf("determination: count families: %w", err)
	}
	var stages stageTimes
	if cp.Phase == "" || cp.Phase == "items" {
		if err := streamItems(ctx, db, j, ts, &cp, total, &stages); err != nil {
			return err
		}
	}
	j.Progress(cp.Done, total, "kuota")
	t0 := time.Now()
	for _, t := range ts {
		if t.base != nil {
			if err := applyQuotas(ctx, db, t.det.ID, t.base, true); err != nil {
				return err
			}
		}
		if err := applyQuotas(ctx, db, t.det.ID, t.rules, false); err != nil {
			return err
		}
	}
	stages.quota = time.Since(t0)
	j.Progress(cp.Done, total, "ringkasan")
	err = db.Write(ctx, func(tx *store.Tx) error {
		for _, t := range ts {
			if err := finish(ctx, tx, t, cp.Done, elapsed(), &stages); err != nil {
				return err
			}
		}
		done := cp
		done.Phase, done.ElapsedMS = "done", elapsed()
		return j.CheckpointTx(ctx, tx, done)
	})
	if err != nil {
		return err
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.det.ID
	}
	return j.SetResult(JobResult{IDs: ids, Families: cp.Done, ElapsedMS: elapsed()})
}

var itemCols = []string{"determination_id", "family_id", "person_id", "village_code", "decile", "score", "eligible", "status",
	"amount", "base_eligible", "base_recipient", "base_amount", "reason_codes", "reasons"}

// streamItems reads the register in family ID order from the checkpoint,
// decides every family for every task and writes the items, each batch in
// one transaction with its checkpoint. Three stages overlap: a reader
// fetches the next batch (families, members, base recipients) while the
// current one is decided, and a writer commits the previous one.
func streamItems(ctx context.Context, db *store.DB, j *jobs.Job, ts []*task, cp *checkpoint, total int64, stages *stageTimes) (err error) {
	bases := make([]int64, len(ts))
	for i, t := range ts {
		bases[i] = t.det.BaseID
	}
	rd := newReader(db, ts[0].det.WelfareRun, bases)
	if rd.received, err = receivedAt(ctx, db, ts); err != nil {
		return err
	}
	for _, t := range ts {
		rd.programs = append(rd.programs, t.det.Program)
		rd.before = max(rd.before, store.Micros(t.at))
	}
	if rd.programs, err = anyRequests(ctx, db, rd.programs, rd.before); err != nil {
		return err
	}
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan *batch, 1)
	writes := make(chan *written, 1)
	var readT, decideT, writeT time.Duration
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // reader
		defer wg.Done()
		defer close(batches)
		after := cp.After
		for {
			t0 := time.Now()
			b, err := rd.next(sctx, after, BatchSize)
			readT += time.Since(t0)
			if err != nil {
				cancel(err)
				return
			}
			if len(b.families) == 0 {
				return
			}
			select {
			case batches <- b:
			case <-sctx.Done():
				return
			}
			after = b.families[len(b.families)-1].ID
		}
	}()
	committed := *cp
	go func() { // writer
		defer wg.Done()
		for w := range writes {
			if sctx.Err() != nil {
				continue // drain
			}
			t0 := time.Now()
			err := db.Write(sctx, func(tx *store.Tx) error {
				for i := range ts {
					if _, err := tx.CopyFrom(sctx, "determination_item", itemCols, w.rows[i]); err != nil {
						return err
					}
				}
				return j.CheckpointTx(sctx, tx, w.cp)
			})
			if err != nil {
				cancel(err)
				continue
			}
			writeT += time.Since(t0)
			committed = w.cp
			j.Progress(w.cp.Done, total, "putuskan keluarga")
			if afterBatch != nil {
				afterBatch(w.cp.Done)
			}
		}
	}()
	done := cp.Done
	built := map[time.Time]*program.Family{}
	for b := range batches {
		if sctx.Err() != nil {
			break
		}
		t0 := time.Now()
		w := &written{rows: make([][][]any, len(ts))}
		for fi := range b.families {
			fr := &b.families[fi]
			clear(built)
			for i, t := range ts {
				f := built[t.at]
				if f == nil {
					f = program.BuildFamily(&fr.Family, b.members(fi), fr.decile, t.at)
					f.Programs = b.programs[fr.ID]
					built[t.at] = f
				}
				w.rows[i] = t.decide(ctx, w.rows[i], fr, f, b.bases[i], b.requests[fr.ID])
			}
		}
		decideT += time.Since(t0)
		done += int64(len(b.families))
		w.cp = checkpoint{Phase: "items", After: b.families[len(b.families)-1].ID, Done: done, ElapsedMS: cp.ElapsedMS}
		select {
		case writes <- w:
		case <-sctx.Done():
		}
	}
	close(writes)
	for range batches {
		// drain after a failure, so the reader can stop
	}
	wg.Wait()
	if err := context.Cause(sctx); err != nil {
		return err
	}
	*cp = committed
	cp.Phase = "quota"
	stages.read, stages.decide, stages.write = readT, decideT, writeT
	return nil
}

// anyRequests returns programs when a ratified program request of one of
// them is effective before the time, else nil: without any, the batches
// do not ask for them.
func anyRequests(ctx context.Context, db *store.DB, programs []string, before int64) ([]string, error) {
	cond, args := db.Engine().InText("program", 2, programs)
	var n int64
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM program_request WHERE effective_from < $1 AND `+cond+` LIMIT 1) x`,
		append([]any{before}, args...)...).Scan(&n); err != nil {
		return nil, fmt.Errorf("determination: program requests: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	return programs, nil
}

// stageTimes are the busy times of the stages of this attempt (they
// overlap: the wall time is about the largest).
type stageTimes struct{ read, decide, write, quota time.Duration }

// receivedAt lists the final determinations (of other programs) that
// cover the reference date of the first task whose rules read
// family.programs (PENA serves PKH families); nil when none reads them.
func receivedAt(ctx context.Context, db *store.DB, ts []*task) ([]int64, error) {
	for _, t := range ts {
		if !strings.Contains(string(t.rules.Doc.JSON()), "family.programs") {
			continue
		}
		day := t.at.Format(time.DateOnly)
		rows, err := db.Query(ctx, `SELECT id FROM determination WHERE kind = 'penetapan' AND status = 'final'
			AND program <> $1 AND period_start <= $2 AND period_end >= $2 ORDER BY id`, t.det.Program, day)
		if err != nil {
			return nil, fmt.Errorf("determination: programs received: %w", err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	return nil, nil
}

// written is a decided batch waiting to be committed: the rows of each
// task and the checkpoint after them.
type written struct {
	rows [][][]any
	cp   checkpoint
}

type itemKey struct{ family, person int64 }

// baseItems returns the recipients of a base determination among families
// (lo, hi] with their amounts.
func baseItems(ctx context.Context, db *store.DB, base, lo, hi int64) (map[itemKey]int64, error) {
	rows, err := db.Query(ctx, `SELECT family_id, person_id, amount FROM determination_item
		WHERE determination_id = $1 AND family_id > $2 AND family_id <= $3 AND status IN ('new', 'continuing')`, base, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("determination: base items: %w", err)
	}
	defer rows.Close()
	m := map[itemKey]int64{}
	for rows.Next() {
		var k itemKey
		var amount int64
		if err := rows.Scan(&k.family, &k.person, &amount); err != nil {
			return nil, err
		}
		m[k] = amount
	}
	return m, rows.Err()
}

// outcome is one unit's decision, before quotas.
type outcome struct {
	eligible bool
	error    bool
	amount   int64
	codes    []string
	texts    []string
}

// decide appends the items of one family to rows. The family's latest
// ratified program request effective before the period start applies to
// every unit: a resignation makes it no recipient whatever the rules say;
// a proposal to enter is noted in the reasons (the rules still decide).
func (t *task) decide(ctx context.Context, rows [][]any, fr *familyRow, f *program.Family, base map[itemKey]int64, reqs []request) [][]any {
	d := t.rules.Evaluate(ctx, f)
	var bd *program.Decision
	if t.base != nil {
		bd = t.base.Evaluate(ctx, f)
	}
	req := latestRequest(reqs, t.det.Program, store.Micros(t.at))
	emit := func(person int64, o, bo outcome) {
		o, bo = req.apply(o), req.apply(bo)
		var bElig, bRecip bool
		var bAmount int64
		switch {
		case t.base != nil:
			bElig, bRecip, bAmount = bo.eligible, bo.eligible, bo.amount
		case base != nil:
			bAmount, bRecip = base[itemKey{fr.ID, person}]
			bElig = bRecip
		}
		status := ItemExcluded
		switch {
		case o.error:
			status = ItemError
		case o.eligible && bRecip:
			status = ItemContinuing
		case o.eligible:
			status = ItemNew
		case bRecip:
			status = ItemGraduated
		}
		rows = append(rows, []any{t.det.ID, fr.ID, person, fr.VillageCode, int64(fr.decile), fr.score, o.eligible, status,
			o.amount, bElig, bRecip, bAmount, strings.Join(dedupe(o.codes), " "), strings.Join(o.texts, "; ")})
	}
	if !t.perPerson {
		var bo outcome
		if bd != nil {
			bo = t.familyOutcome(t.base, bd)
		}
		emit(0, t.familyOutcome(t.rules, d), bo)
		return rows
	}
	for _, m := range f.Members {
		var bo outcome
		if bd != nil {
			bo = t.personOutcome(t.base, bd, m)
		}
		emit(m.ID, t.personOutcome(t.rules, d, m), bo)
	}
	return rows
}

// apply changes an outcome by a program request (none when r is nil).
func (r *request) apply(o outcome) outcome {
	switch {
	case r == nil:
		return o
	case r.kind == "mundur":
		return outcome{codes: []string{ReasonResigned},
			texts: []string{fmt.Sprintf("mengundurkan diri dari program melalui usulan nomor %d", r.proposal)}}
	default:
		o.codes = append(o.codes[:len(o.codes):len(o.codes)], ReasonProposed)
		o.texts = append(o.texts[:len(o.texts):len(o.texts)], fmt.Sprintf("%s, usulan nomor %d", proposedText[2:], r.proposal))
		return o
	}
}

func (t *task) familyOutcome(c *program.Compiled, d *program.Decision) outcome {
	o := outcome{eligible: d.Outcome == program.Eligible, error: d.Outcome == program.Error}
	if !o.eligible {
		for _, r := range d.Reasons {
			o.codes = append(o.codes, r.Code)
			o.texts = append(o.texts, r.Text)
		}
		return o
	}
	o.amount, _ = c.PeriodAmount(d, t.det.Channel, t.det.Period)
	o.codes = append(o.codes, ReasonEligible)
	if len(d.Counted) > 0 {
		o.texts = append(o.texts, fmt.Sprintf("layak: %d komponen %s, %s untuk periode %s", len(d.Counted), c.Doc.Program,
			program.Rupiah(o.amount), t.det.Period))
		for _, ch := range d.Counted {
			o.codes = append(o.codes, ch.Reason.Code)
			o.texts = append(o.texts, ch.Reason.Text)
		}
		for _, ch := range d.NotCounted {
			o.codes = append(o.codes, ch.Reason.Code)
			o.texts = append(o.texts, ch.Reason.Text)
		}
	} else {
		o.texts = append(o.texts, fmt.Sprintf("layak: %s %s untuk periode %s", tierLabel(c, d.Tier), program.Rupiah(o.amount), t.det.Period))
	}
	return o
}

func (t *task) personOutcome(c *program.Compiled, d *program.Decision, m *program.Member) outcome {
	var p *program.PersonDecision
	for i := range d.Persons {
		if d.Persons[i].MemberID == m.ID {
			p = &d.Persons[i]
			break
		}
	}
	if p == nil {
		// The family did not pass the family checks: its reasons are every member's.
		o := outcome{error: d.Outcome == program.Error}
		for _, r := range d.Reasons {
			o.codes = append(o.codes, r.Code)
			o.texts = append(o.texts, r.Text)
		}
		return o
	}
	o := outcome{eligible: p.Outcome == program.Eligible, error: p.Outcome == program.Error}
	if !o.eligible {
		for _, r := range p.Reasons {
			o.codes = append(o.codes, r.Code)
			o.texts = append(o.texts, r.Text)
		}
		return o
	}
	o.amount, _ = c.PeriodAmount(&program.Decision{Outcome: program.Eligible, Annual: p.Annual, Monthly: p.Monthly},
		t.det.Channel, t.det.Period)
	o.codes = append(o.codes, ReasonEligible)
	o.texts = append(o.texts, fmt.Sprintf("layak: %s untuk %s, %s untuk periode %s", tierLabel(c, p.Tier), m.Name,
		program.Rupiah(o.amount), t.det.Period))
	return o
}

func tierLabel(c *program.Compiled, code string) string {
	for _, a := range c.Doc.Benefit.Amounts {
		if a.Code == code {
			return a.Label
		}
	}
	return code
}

func dedupe(codes []string) []string {
	out := codes[:0:0]
	for _, c := range codes {
		dup := false
		for _, o := range out {
			if o == c {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}
