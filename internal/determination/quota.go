package determination

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/store"
)

// applyQuotas cuts the eligible units that do not fit in the program's
// quotas, after every item is written. The rule is deterministic and does
// not depend on the order families were read in: eligible units are taken
// poorest first (decile, unranked last; within a decile, families proposed
// through a ratified Musdes proposal before the others; then score, family
// and person ID) and each is admitted when every quota it falls under, from the nation
// down to its village, still has room. A quota that the eligible units of
// its region cannot exceed is never read, so the usual case — no quota
// binds — costs one grouped count per quota level.
//
// The pass reads only the eligible flags (never changed by it) and sets the
// cut units to the same values each time, so a job taken up again after a
// crash does it again from the start with the same result. With base set it
// cuts a simulation's live-rules columns instead.
func applyQuotas(ctx context.Context, db *store.DB, id int64, c *program.Compiled, base bool) error {
	if len(c.Doc.Quotas) == 0 {
		return nil
	}
	elig := "eligible"
	if base {
		elig = "base_eligible"
	}
	binding, err := quotasBind(ctx, db, id, c, elig)
	if err != nil || !binding {
		return err
	}
	rows, err := db.Query(ctx, `SELECT family_id, person_id, village_code FROM determination_item
		WHERE determination_id = $1 AND `+elig+` ORDER BY CASE WHEN decile = 0 THEN 11 ELSE decile END,
		CASE WHEN `+proposedCond+` THEN 0 ELSE 1 END, score, family_id, person_id`, id)
	if err != nil {
		return fmt.Errorf("determination: quota: %w", err)
	}
	defer rows.Close()
	used := map[string]int64{}
	cache := map[string][]program.Quota{}
	cuts := map[string][]itemKey{} // quota region → units cut
	pending := 0
	for rows.Next() {
		var k itemKey
		var village string
		if err := rows.Scan(&k.family, &k.person, &village); err != nil {
			return fmt.Errorf("determination: quota: %w", err)
		}
		qs, ok := cache[village]
		if !ok {
			qs = c.QuotasFor(village)
			cache[village] = qs
		}
		full := -1
		for i, q := range qs {
			if used[q.Region] >= q.Max {
				full = i
				break
			}
		}
		if full < 0 {
			for _, q := range qs {
				used[q.Region]++
			}
			continue
		}
		cuts[qs[full].Region] = append(cuts[qs[full].Region], k)
		pending++
		if pending >= 2000 {
			if err := cutUnits(ctx, db, id, c, cuts, base); err != nil {
				return err
			}
			clear(cuts)
			pending = 0
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("determination: quota: %w", err)
	}
	return cutUnits(ctx, db, id, c, cuts, base)
}

// proposedCond holds for an item of a family proposed through a ratified
// proposal; proposedText starts that reason's sentence in reasons.
const (
	proposedCond = `' ' || reason_codes || ' ' LIKE '% ` + ReasonProposed + ` %'`
	proposedText = `; diusulkan melalui Musdes`
)

// quotasBind reports whether the eligible units of any quota's region
// exceed it, with one grouped count per level of the quotas.
func quotasBind(ctx context.Context, db *store.DB, id int64, c *program.Compiled, elig string) (bool, error) {
	levels := map[int]bool{}
	for code := range c.Doc.Quotas {
		levels[len(code)] = true
	}
	for n := range levels {
		q := `SELECT '', COUNT(*) FROM determination_item WHERE determination_id = $1 AND ` + elig
		if n > 0 {
			q = fmt.Sprintf(`SELECT substr(village_code, 1, %d), COUNT(*) FROM determination_item
				WHERE determination_id = $1 AND %s GROUP BY substr(village_code, 1, %d)`, n, elig, n)
		}
		rows, err := db.Query(ctx, q, id)
		if err != nil {
			return false, fmt.Errorf("determination: quota counts: %w", err)
		}
		for rows.Next() {
			var code string
			var count int64
			if err := rows.Scan(&code, &count); err != nil {
				rows.Close()
				return false, err
			}
			if max, ok := c.Doc.Quotas[code]; ok && count > max {
				rows.Close()
				return true, nil
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return false, err
		}
	}
	return false, nil
}

// cutUnits marks units refused by a full quota, one statement per quota
// region and up to 2,000 units.
func cutUnits(ctx context.Context, db *store.DB, id int64, c *program.Compiled, cuts map[string][]itemKey, base bool) error {
	if len(cuts) == 0 {
		return nil
	}
	regions := make([]string, 0, len(cuts))
	for r := range cuts {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	e := db.Engine()
	return db.Write(ctx, func(tx *store.Tx) error {
		for _, region := range regions {
			ks := cuts[region]
			fams := make([]int64, 0, len(ks))
			var persons []int64
			for _, k := range ks {
				if len(fams) == 0 || fams[len(fams)-1] != k.family {
					fams = append(fams, k.family)
				}
				if k.person != 0 {
					persons = append(persons, k.person)
				}
			}
			r := program.QuotaReason(program.Quota{Region: region, Max: c.Doc.Quotas[region]})
			var q string
			var args []any
			if base {
				q = `UPDATE determination_item SET base_recipient = FALSE, base_amount = 0,
					status = CASE status WHEN 'continuing' THEN 'new' WHEN 'graduated' THEN 'excluded' ELSE status END
					WHERE determination_id = $1 AND `
				args = []any{id}
			} else {
				// A proposed unit keeps its proposal's code and sentence (the
				// last one), so that a pass done again orders it the same.
				pos := "instr"
				if e == store.Postgres {
					pos = "strpos"
				}
				q = `UPDATE determination_item SET status = CASE WHEN base_recipient THEN 'graduated' ELSE 'excluded' END,
					amount = 0, reason_codes = $2 || CASE WHEN ` + proposedCond + ` THEN ' ` + ReasonProposed + `' ELSE '' END,
					reasons = $3 || CASE WHEN ` + pos + `(reasons, '` + proposedText + `') > 0
						THEN substr(reasons, ` + pos + `(reasons, '` + proposedText + `')) ELSE '' END
					WHERE determination_id = $1 AND `
				args = []any{id, r.Code, r.Text}
			}
			cond, in := e.InInt64("family_id", len(args)+1, fams)
			q += cond
			args = append(args, in...)
			if len(persons) > 0 {
				cond, in := e.InInt64("person_id", len(args)+1, persons)
				q += " AND " + cond
				args = append(args, in...)
			}
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return fmt.Errorf("determination: quota cut: %w", err)
			}
		}
		return nil
	})
}

// finish computes a determination's counts and closes it as a draft (a
// simulation: done), inside the job's last transaction.
func finish(ctx context.Context, tx *store.Tx, t *task, families, elapsedMS int64, st *stageTimes) error {
	id := t.det.ID
	sm := Summary{Status: map[string]Count{}, Families: families, ElapsedMS: elapsedMS, ReadMS: st.read.Milliseconds(),
		DecideMS: st.decide.Milliseconds(), WriteMS: st.write.Milliseconds(), QuotaMS: st.quota.Milliseconds()}
	if t.base != nil {
		sm.LiveVersion = t.base.Version
	}
	rows, err := tx.Query(ctx, `SELECT status, COUNT(*), COALESCE(SUM(amount), 0),
		COALESCE(SUM(CASE WHEN eligible AND status IN ('excluded', 'graduated') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'continuing' AND amount <> base_amount THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN base_recipient THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN base_recipient THEN base_amount ELSE 0 END), 0)
		FROM determination_item WHERE determination_id = $1 GROUP BY status`, id)
	if err != nil {
		return fmt.Errorf("determination: summary: %w", err)
	}
	var units, recipients, amount int64
	for rows.Next() {
		var st string
		var c Count
		var cut, changed, bu, ba int64
		if err := rows.Scan(&st, &c.Units, &c.Amount, &cut, &changed, &bu, &ba); err != nil {
			rows.Close()
			return err
		}
		sm.Status[st] = c
		sm.QuotaCut += cut
		sm.Changed += changed
		sm.BaseUnits += bu
		sm.BaseAmount += ba
		units += c.Units
		if Recipient(st) {
			recipients += c.Units
			amount += c.Amount
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if t.det.BaseID != 0 {
		// Base recipients who are no longer in the register at all left too.
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(b.amount), 0) FROM determination_item b
			WHERE b.determination_id = $1 AND b.status IN ('new', 'continuing') AND NOT EXISTS (
				SELECT 1 FROM determination_item i WHERE i.determination_id = $2 AND i.family_id = b.family_id AND i.person_id = b.person_id)`,
			t.det.BaseID, id).Scan(&sm.Missing, new(int64)); err != nil {
			return fmt.Errorf("determination: missing: %w", err)
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM determination_item
			WHERE determination_id = $1 AND status IN ('new', 'continuing')`, t.det.BaseID).Scan(&sm.BaseUnits, &sm.BaseAmount); err != nil {
			return fmt.Errorf("determination: base totals: %w", err)
		}
	}
	doc, err := json.Marshal(sm)
	if err != nil {
		return err
	}
	status := StatusDraft
	if t.det.Kind == KindSimulation {
		status = StatusDone
	}
	_, err = tx.Exec(ctx, `UPDATE determination SET status = $2, finished_at = $3, units = $4, recipients = $5, amount = $6, summary = $7
		WHERE id = $1 AND status = 'running'`, id, string(status), store.Micros(store.Now()), units, recipients, amount, string(doc))
	if err != nil {
		return fmt.Errorf("determination: finish: %w", err)
	}
	return nil
}
