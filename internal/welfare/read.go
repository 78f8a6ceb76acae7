package welfare

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// needs is what a compiled model reads: family columns and member aggregates.
type needs struct {
	fam  famNeed
	aggs [nIntAgg + 1]bool
}

func (n *needs) add(s *source) {
	n.fam |= s.fam
	for _, a := range s.aggs {
		n.aggs[a] = true
	}
}

func sqlList(codes []string) string {
	q := make([]string, len(codes))
	for i, c := range codes {
		q[i] = "'" + c + "'"
	}
	return strings.Join(q, ", ")
}

// aggSQL returns the expression of an integer aggregate over person rows.
func aggSQL(a aggID, r *refDates) string {
	sum := func(cond string) string { return "SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END)" }
	switch a {
	case aggKids:
		return sum("birth_date > '" + r.d15 + "'")
	case aggUnder5:
		return sum("birth_date > '" + r.d5 + "'")
	case aggOld60:
		return sum("birth_date <= '" + r.d60 + "'")
	case aggOld65:
		return sum("birth_date <= '" + r.d65 + "'")
	case aggNoSchool:
		return sum("birth_date <= '" + r.d15 + "' AND education = 'tidak_sekolah'")
	case aggOutOfSchool:
		return sum("birth_date <= '" + r.d7 + "' AND birth_date > '" + r.d19 + "' AND school_level = ''")
	case aggDisabled:
		return sum("disability <> ''")
	case aggSevere:
		return sum("disability <> '' AND disability_severity = 'berat'")
	case aggWorkers:
		return sum("occupation <> '' AND occupation NOT IN (" + sqlList(notWorking) + ")")
	case aggRegular:
		return sum("occupation IN (" + sqlList(regularIncome) + ")")
	case aggMaxEdu:
		var b strings.Builder
		b.WriteString("MAX(CASE education")
		for i, c := range registry.Education.Codes {
			fmt.Fprintf(&b, " WHEN '%s' THEN %d", c, i)
		}
		b.WriteString(" ELSE -1 END)")
		return b.String()
	}
	panic("welfare: unknown aggregate")
}

// scan reads the rows of the household query: one row per current active
// family with at least one active member, ordered by family ID.
type scan struct {
	query string
	n     needs
	ref   *refDates
	// scan destinations
	dest     []any
	cats     []sql.NullString
	catPos   []int // famCat index of each cats entry
	area     sql.NullInt64
	assets   string
	stock    [6]int64
	agg      [nIntAgg]sql.NullInt64
	headEdu  sql.NullString
	headOcc  sql.NullString
	headSex  sql.NullString
	headBirt sql.NullString
}

// newScan builds the one grouped query that gives every family with the
// aggregates of its active members: a merge of the family table with a
// GROUP BY over the person table, both in family ID order. A ranged query
// reads the families with IDs from $1 up to (not including) $2.
func newScan(n needs, r *refDates, ranged bool) *scan {
	s := &scan{n: n, ref: r}
	var fcols, acols []string
	fcols = append(fcols, "f.id", "f.version", "f.village_code")
	for i, c := range famCat {
		if n.fam&c.need != 0 {
			fcols = append(fcols, "f."+c.column)
			s.catPos = append(s.catPos, i)
		}
	}
	s.cats = make([]sql.NullString, len(s.catPos))
	if n.fam&needArea != 0 {
		fcols = append(fcols, "f.floor_area")
	}
	if n.fam&needAssets != 0 {
		fcols = append(fcols, "f.assets")
	}
	if n.fam&needLivestock != 0 {
		for _, c := range livestockColumns {
			fcols = append(fcols, "f."+c)
		}
	}
	acols = append(acols, "a.n")
	inner := []string{"family_id", "COUNT(*) AS n"}
	for a := aggID(0); a < nIntAgg; a++ {
		if n.aggs[a] {
			name := fmt.Sprintf("a%d", a)
			inner = append(inner, aggSQL(a, r)+" AS "+name)
			acols = append(acols, "a."+name)
		}
	}
	if n.aggs[aggHead] {
		for _, c := range []string{"education", "occupation", "sex", "birth_date"} {
			inner = append(inner, "MAX(CASE WHEN relation = 'kepala_keluarga' THEN "+c+" END) AS h_"+c)
			acols = append(acols, "a.h_"+c)
		}
	}
	personRange, familyRange := "", ""
	if ranged {
		personRange, familyRange = " AND family_id >= $1 AND family_id < $2", " AND f.id >= $1 AND f.id < $2"
	}
	s.query = "SELECT " + strings.Join(fcols, ", ") + ", " + strings.Join(acols, ", ") + `
FROM family f JOIN (SELECT ` + strings.Join(inner, ", ") + `
  FROM person WHERE valid_to IS NULL AND status = 'aktif'` + personRange + ` GROUP BY family_id) a ON a.family_id = f.id
WHERE f.valid_to IS NULL AND f.status = 'aktif'` + familyRange + `
ORDER BY f.id`
	return s
}

// bind prepares the scan destinations for h.
func (s *scan) bind(h *household) {
	s.dest = s.dest[:0]
	s.dest = append(s.dest, &h.id, &h.version, &h.village)
	for i := range s.cats {
		s.dest = append(s.dest, &s.cats[i])
	}
	if s.n.fam&needArea != 0 {
		s.dest = append(s.dest, &s.area)
	}
	if s.n.fam&needAssets != 0 {
		s.dest = append(s.dest, &s.assets)
	}
	if s.n.fam&needLivestock != 0 {
		for i := range s.stock {
			s.dest = append(s.dest, &s.stock[i])
		}
	}
	s.dest = append(s.dest, &h.n)
	for a := aggID(0); a < nIntAgg; a++ {
		if s.n.aggs[a] {
			s.dest = append(s.dest, &s.agg[a])
		}
	}
	if s.n.aggs[aggHead] {
		s.dest = append(s.dest, &s.headEdu, &s.headOcc, &s.headSex, &s.headBirt)
	}
}

// read scans one row into h (bound with bind).
func (s *scan) read(rows *sql.Rows, h *household) error {
	if err := rows.Scan(s.dest...); err != nil {
		return err
	}
	h.ref = s.ref
	for i, pos := range s.catPos {
		h.cat[pos] = famCatIndex[pos][s.cats[i].String]
	}
	h.area, h.hasArea = s.area.Int64, s.area.Valid
	h.assets = parseAssets(s.assets)
	h.stock = s.stock
	for a := aggID(0); a < nIntAgg; a++ {
		h.agg[a] = s.agg[a].Int64
	}
	if !s.agg[aggMaxEdu].Valid {
		h.agg[aggMaxEdu] = -1
	}
	h.hasHead = s.headSex.Valid
	h.headEdu = educationIndex[s.headEdu.String]
	h.headOcc = occupationIndex[s.headOcc.String]
	h.headFemale = s.headSex.String == "P"
	h.headBirth = s.headBirt.String
	return nil
}

// householdOf computes in Go what the grouped query computes in SQL, for
// one family as it was at a time: the breakdown page shows the values the
// ranking read. Only active members count, as in the query.
func householdOf(f *registry.Family, members []registry.Person, r *refDates) household {
	h := household{id: f.ID, version: int64(f.Version), village: f.VillageCode, ref: r}
	vals := []string{f.FloorMaterial, f.WallMaterial, f.RoofMaterial, f.WaterSource, f.Sanitation,
		f.Electricity, f.CookingFuel, f.HouseOwnership, f.LandOwnership}
	for i, v := range vals {
		h.cat[i] = famCatIndex[i][v]
	}
	if f.FloorArea != nil {
		h.area, h.hasArea = int64(*f.FloorArea), true
	}
	h.assets = parseAssets(strings.Join(f.Assets, "|"))
	h.stock = [6]int64{int64(f.Cattle), int64(f.Buffalo), int64(f.Goats), int64(f.Pigs), int64(f.Horses), int64(f.Poultry)}
	h.agg[aggMaxEdu] = -1
	in := func(v string, list []string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	b := func(c bool) int64 {
		if c {
			return 1
		}
		return 0
	}
	for i := range members {
		p := &members[i]
		if p.Status != "aktif" {
			continue
		}
		h.n++
		bd := p.BirthDate
		h.agg[aggKids] += b(bd > r.d15)
		h.agg[aggUnder5] += b(bd > r.d5)
		h.agg[aggOld60] += b(bd <= r.d60)
		h.agg[aggOld65] += b(bd <= r.d65)
		h.agg[aggNoSchool] += b(bd <= r.d15 && p.Education == "tidak_sekolah")
		h.agg[aggOutOfSchool] += b(bd <= r.d7 && bd > r.d19 && p.SchoolLevel == "")
		h.agg[aggDisabled] += b(p.Disability != "")
		h.agg[aggSevere] += b(p.Disability != "" && p.DisabilitySeverity == "berat")
		h.agg[aggWorkers] += b(p.Occupation != "" && !in(p.Occupation, notWorking))
		h.agg[aggRegular] += b(in(p.Occupation, regularIncome))
		if e := educationIndex[p.Education] - 1; int64(e) > h.agg[aggMaxEdu] {
			h.agg[aggMaxEdu] = int64(e)
		}
		if p.Relation == "kepala_keluarga" {
			// MAX per column, as the query takes it.
			if !h.hasHead || p.Sex > sexOf(h.headFemale) {
				h.headFemale = p.Sex == "P"
			}
			h.hasHead = true
			if cur := codeAt(registry.Education, h.headEdu); p.Education > cur {
				h.headEdu = educationIndex[p.Education]
			}
			if cur := codeAt(registry.Occupation, h.headOcc); p.Occupation > cur {
				h.headOcc = occupationIndex[p.Occupation]
			}
			if p.BirthDate > h.headBirth {
				h.headBirth = p.BirthDate
			}
		}
	}
	return h
}

func sexOf(female bool) string {
	if female {
		return "P"
	}
	return "L"
}

func codeAt(set *registry.CodeSet, i int) string {
	if i == 0 {
		return ""
	}
	return set.Codes[i-1]
}

// rows runs the ranged household query on the read pool.
func (s *scan) rows(ctx context.Context, db *store.DB, lo, hi int64) (*sql.Rows, error) {
	rows, err := db.Query(ctx, s.query, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("welfare: read households: %w", err)
	}
	return rows, nil
}

// HouseholdQuery returns the grouped query a ranking with m runs on a day,
// for EXPLAIN and for benchmark baselines.
func HouseholdQuery(m *Model, day time.Time) string {
	ref := newRefDates(day)
	return newScan(compile(m).n, &ref, false).query
}
