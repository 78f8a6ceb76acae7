package region

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/store"
)

// maxSample caps the codes listed per kind of change in an ImportResult.
const maxSample = 20

// ImportResult tells what an import changed. Every row of the list is
// exactly one of Added, Unchanged or changed (Renamed and/or Reactivated: a
// code that comes back under a new name counts in both), so
// Total = Added + Unchanged + |Renamed ∪ Reactivated|. Removed counts
// regions that were active and are absent from the list.
type ImportResult struct {
	Total       int // rows in the list
	Added       int // codes new to the table
	Renamed     int // codes whose name changed
	Removed     int // active codes absent from the list, now inactive
	Reactivated int // inactive codes present in the list, active again
	Unchanged   int // active codes with the same name

	// Up to 20 codes of each change, in code order.
	AddedSample       []string
	RenamedSample     []string
	RemovedSample     []string
	ReactivatedSample []string
}

// Changed reports whether the import changed anything.
func (r ImportResult) Changed() bool {
	return r.Added+r.Renamed+r.Removed+r.Reactivated > 0
}

// String summarizes the result in one line.
func (r ImportResult) String() string {
	return fmt.Sprintf("%d regions: %d added, %d renamed, %d removed, %d reactivated, %d unchanged",
		r.Total, r.Added, r.Renamed, r.Removed, r.Reactivated, r.Unchanged)
}

// stagingTable is the temporary table an import loads the list into. A
// temporary table is private to the connection and shadows any table of the
// same name on both engines.
const stagingTable = "region_import"

// Import makes the regions table equal to rows, in one transaction: codes
// new to the table are added, changed names are updated, active codes absent
// from rows are marked inactive (never deleted: people may still point at
// them) and inactive codes present in rows are reactivated. Importing the
// same rows again changes nothing.
//
// Rows are checked first (valid code, non-empty UTF-8 name, no duplicate,
// parent present in rows); names are trimmed of surrounding spaces; Level,
// Parent and Active of each row are ignored and derived from the code. An empty list is refused: it would deactivate
// everything.
//
// The work is set-based whatever the size of the list: rows are bulk-loaded
// into a temporary staging table, the differences are counted with a few
// aggregate queries and applied with one statement per kind of change.
func Import(ctx context.Context, db *store.DB, rows []Region) (ImportResult, error) {
	staged, err := stage(rows)
	if err != nil {
		return ImportResult{}, err
	}
	now := store.Micros(store.Now())
	var res ImportResult
	err = db.Write(ctx, func(tx *store.Tx) error {
		var err error
		res, err = apply(ctx, tx, staged, now)
		return err
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("region: import: %w", err)
	}
	return res, nil
}

// stage checks rows and returns them as staging-table values.
func stage(rows []Region) ([][]any, error) {
	if len(rows) == 0 {
		return nil, errors.New("region: import: empty list refused (it would mark every region inactive)")
	}
	seen := make(map[string]int, len(rows))
	out := make([][]any, 0, len(rows))
	var bad problems
	for i, r := range rows {
		name := strings.TrimSpace(r.Name)
		switch err := Validate(r.Code); {
		case err != nil:
			bad.add(i+1, "%v", err)
			continue
		case name == "":
			bad.add(i+1, "region %s: empty name", r.Code)
			continue
		case !utf8.ValidString(name):
			bad.add(i+1, "region %s: name is not valid UTF-8", r.Code)
			continue
		}
		if first, dup := seen[r.Code]; dup {
			bad.add(i+1, "duplicate code %s (first in row %d)", r.Code, first)
			continue
		}
		seen[r.Code] = i + 1
		out = append(out, []any{r.Code, name})
	}
	var orphans problems
	for _, v := range out {
		code := v[0].(string)
		if p := Parent(code); p != "" {
			if _, found := seen[p]; !found {
				orphans.add(seen[code], "parent %s of %s is not in the list", p, code)
			}
		}
	}
	if all := merge(bad, orphans); all.total > 0 {
		return nil, fmt.Errorf("region: import: %d bad rows:\n%w", all.total, all.err("row"))
	}
	return out, nil
}

// Queries on the staging table s and the regions table r.
const (
	// Only code and name are staged: level and parent follow from the code
	// and are derived in qInsert, which halves what the bulk load carries.
	qCreateStaging = `CREATE TEMP TABLE ` + stagingTable + ` (code TEXT PRIMARY KEY, name TEXT NOT NULL)`

	qCount = `SELECT
		COUNT(*),
		COALESCE(SUM(CASE WHEN r.code IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.code IS NOT NULL AND r.name <> s.name THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.code IS NOT NULL AND NOT r.active THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.code IS NOT NULL AND r.active AND r.name = s.name THEN 1 ELSE 0 END), 0)
		FROM ` + stagingTable + ` s LEFT JOIN regions r ON r.code = s.code`

	condRemoved = `r.active AND NOT EXISTS (SELECT 1 FROM ` + stagingTable + ` s WHERE s.code = r.code)`

	qCountRemoved = `SELECT COUNT(*) FROM regions r WHERE ` + condRemoved

	qSampleAdded = `SELECT s.code FROM ` + stagingTable + ` s
		WHERE NOT EXISTS (SELECT 1 FROM regions r WHERE r.code = s.code) ORDER BY s.code LIMIT $1`
	qSampleRenamed = `SELECT s.code FROM ` + stagingTable + ` s JOIN regions r ON r.code = s.code
		WHERE r.name <> s.name ORDER BY s.code LIMIT $1`
	qSampleReactivated = `SELECT s.code FROM ` + stagingTable + ` s JOIN regions r ON r.code = s.code
		WHERE NOT r.active ORDER BY s.code LIMIT $1`
	qSampleRemoved = `SELECT r.code FROM regions r WHERE ` + condRemoved + ` ORDER BY r.code LIMIT $1`

	// Renames and reactivations in one statement.
	qUpdate = `UPDATE regions SET name = s.name, active = TRUE, updated_at = $1
		FROM ` + stagingTable + ` s
		WHERE s.code = regions.code AND (regions.name <> s.name OR NOT regions.active)`
	qDeactivate = `UPDATE regions SET active = FALSE, updated_at = $1
		WHERE active AND NOT EXISTS (SELECT 1 FROM ` + stagingTable + ` s WHERE s.code = regions.code)`
	// Level and parent as Level and Parent compute them, from the code's
	// length (2, 5, 8 or 13): the parent drops the last part and its dot.
	qInsert = `INSERT INTO regions (code, name, level, parent, active, updated_at)
		SELECT s.code, s.name,
			CASE length(s.code) WHEN 2 THEN 1 WHEN 5 THEN 2 WHEN 8 THEN 3 ELSE 4 END,
			CASE length(s.code) WHEN 2 THEN NULL
				ELSE substr(s.code, 1, length(s.code) - CASE length(s.code) WHEN 13 THEN 5 ELSE 3 END) END,
			TRUE, $1
		FROM ` + stagingTable + ` s
		WHERE NOT EXISTS (SELECT 1 FROM regions r WHERE r.code = s.code)`
)

// apply runs the import inside tx. It may run more than once (Write retries),
// so it starts from scratch each time.
func apply(ctx context.Context, tx *store.Tx, staged [][]any, now int64) (ImportResult, error) {
	var res ImportResult
	if tx.Engine() == store.Postgres {
		// Serialize imports so the counts below stay true until the changes
		// are applied; readers are not blocked. (SQLite has one writer.)
		if _, err := tx.Exec(ctx, `LOCK TABLE regions IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return res, err
		}
	}
	if _, err := tx.Exec(ctx, qCreateStaging); err != nil {
		return res, fmt.Errorf("create staging table: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, stagingTable, []string{"code", "name"}, staged); err != nil {
		return res, err
	}
	if tx.Engine() == store.Postgres {
		// Temporary tables are never auto-analyzed; give the planner row counts.
		if _, err := tx.Exec(ctx, `ANALYZE `+stagingTable); err != nil {
			return res, err
		}
	}

	// Count the differences.
	if err := tx.QueryRow(ctx, qCount).Scan(&res.Total, &res.Added, &res.Renamed, &res.Reactivated, &res.Unchanged); err != nil {
		return res, fmt.Errorf("count changes: %w", err)
	}
	if err := tx.QueryRow(ctx, qCountRemoved).Scan(&res.Removed); err != nil {
		return res, fmt.Errorf("count removals: %w", err)
	}
	samples := []struct {
		n     int
		query string
		into  *[]string
	}{
		{res.Added, qSampleAdded, &res.AddedSample},
		{res.Renamed, qSampleRenamed, &res.RenamedSample},
		{res.Reactivated, qSampleReactivated, &res.ReactivatedSample},
		{res.Removed, qSampleRemoved, &res.RemovedSample},
	}
	for _, s := range samples {
		if s.n == 0 {
			continue
		}
		codes, err := queryCodes(ctx, tx, s.query)
		if err != nil {
			return res, fmt.Errorf("sample changes: %w", err)
		}
		*s.into = codes
	}

	// Apply them, checking each statement touched the rows counted.
	steps := []struct {
		what  string
		query string
		want  int
	}{
		{"rename/reactivate", qUpdate, res.Total - res.Added - res.Unchanged},
		{"deactivate", qDeactivate, res.Removed},
		{"insert", qInsert, res.Added},
	}
	for _, st := range steps {
		if st.want == 0 {
			continue
		}
		r, err := tx.Exec(ctx, st.query, now)
		if err != nil {
			return res, fmt.Errorf("%s: %w", st.what, err)
		}
		if n, err := r.RowsAffected(); err == nil && n != int64(st.want) {
			return res, fmt.Errorf("%s: %d rows affected, %d expected", st.what, n, st.want)
		}
	}
	if _, err := tx.Exec(ctx, `DROP TABLE `+stagingTable); err != nil {
		return res, fmt.Errorf("drop staging table: %w", err)
	}
	if res.Changed() {
		// The change is in the audit trail, in this transaction (internal/audit).
		after := map[string]any{"jumlah": res.Total, "baru": res.Added, "ganti_nama": res.Renamed, "nonaktif": res.Removed,
			"aktif_lagi": res.Reactivated}
		for k, v := range map[string][]string{"contoh_baru": res.AddedSample, "contoh_ganti_nama": res.RenamedSample,
			"contoh_nonaktif": res.RemovedSample, "contoh_aktif_lagi": res.ReactivatedSample} {
			if len(v) > 0 {
				after[k] = v
			}
		}
		err := audit.Record(ctx, tx, audit.Entry{Action: audit.ActImportRegion, ObjectType: audit.ObjRegion, After: after})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// queryCodes returns the first column of every row of query.
func queryCodes(ctx context.Context, tx *store.Tx, query string) ([]string, error) {
	rows, err := tx.Query(ctx, query, maxSample)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	codes := make([]string, 0, maxSample)
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		codes = append(codes, c)
	}
	return codes, rows.Err()
}
