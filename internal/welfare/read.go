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

// scan reads the households: one per current active family with at least
// one active member, in family ID order. It merges two queries that both
// stream in family ID order without sorting: the families (primary key
// order) and the aggregates of their active members (GROUP BY family_id
// over the index of current members). On both engines that is a scan of
// each table and no temporary table: one grouped join would make SQLite
// materialize the aggregates and sort the joined rows.
type scan struct {
	famQuery, aggQuery string
	n                  needs
	ref                *refDates
	// scan destinations
	famDest, aggDest []any
	cats             []sql.NullString
	catPos           []int // famCat index of each cats entry
	area             sql.NullInt64
	assets           string
	stock            [6]int64
	aggFamily, aggN  int64
	agg              [nIntAgg]sql.NullInt64
	headEdu          sql.NullString
	headOcc          sql.NullString
	headSex          sql.NullString
	headBirt         sql.NullString
}

// newScan builds the two queries. Ranged queries read the families with
// IDs from $1 up to (not including) $2.
func newScan(n needs, r *refDates, ranged bool) *scan {
	s := &scan{n: n, ref: r}
	fcols := []string{"id", "version", "village_code"}
	for i, c := range famCat {
		if n.fam&c.need != 0 {
			fcols = append(fcols, c.column)
			s.catPos = append(s.catPos, i)
		}
	}
	s.cats = make([]sql.NullString, len(s.catPos))
	if n.fam&needArea != 0 {
		fcols = append(fcols, "floor_area")
	}
	if n.fam&needAssets != 0 {
		fcols = append(fcols, "assets")
	}
	if n.fam&needLivestock != 0 {
		fcols = append(fcols, livestockColumns...)
	}
	acols := []string{"family_id", "COUNT(*)"}
	for a := aggID(0); a < nIntAgg; a++ {
		if n.aggs[a] {
			acols = append(acols, aggSQL(a, r))
		}
	}
	if n.aggs[aggHead] {
		for _, c := range []string{"education", "occupation", "sex", "birth_date"} {
			acols = append(acols, "MAX(CASE WHEN relation = 'kepala_keluarga' THEN "+c+" END)")
		}
	}
	personRange, familyRange := "", ""
	if ranged {
		personRange, familyRange = " AND family_id >= $1 AND family_id < $2", " AND id >= $1 AND id < $2"
	}
	s.famQuery = "SELECT " + strings.Join(fcols, ", ") + " FROM family WHERE valid_to IS NULL AND status = 'aktif'" +
		familyRange + " ORDER BY id"
	s.aggQuery = "SELECT " + strings.Join(acols, ", ") + " FROM person WHERE valid_to IS NULL AND status = 'aktif'" +
		personRange + " GROUP BY family_id ORDER BY family_id"
	return s
}

// bind prepares the scan destinations for h.
func (s *scan) bind(h *household) {
	s.famDest = append(s.famDest[:0], &h.id, &h.version, &h.village)
	for i := range s.cats {
		s.famDest = append(s.famDest, &s.cats[i])
	}
	if s.n.fam&needArea != 0 {
		s.famDest = append(s.famDest, &s.area)
	}
	if s.n.fam&needAssets != 0 {
		s.famDest = append(s.famDest, &s.assets)
	}
	if s.n.fam&needLivestock != 0 {
		for i := range s.stock {
			s.famDest = append(s.famDest, &s.stock[i])
		}
	}
	s.aggDest = append(s.aggDest[:0], &s.aggFamily, &s.aggN)
	for a := aggID(0); a < nIntAgg; a++ {
		if s.n.aggs[a] {
			s.aggDest = append(s.aggDest, &s.agg[a])
		}
	}
	if s.n.aggs[aggHead] {
		s.aggDest = append(s.aggDest, &s.headEdu, &s.headOcc, &s.headSex, &s.headBirt)
	}
}

// fill completes h (whose family columns were scanned) with the converted
// family values and the pending aggregates.
func (s *scan) fill(h *household) {
	h.ref = s.ref
	for i, pos := range s.catPos {
		h.cat[pos] = famCatIndex[pos][s.cats[i].String]
	}
	h.area, h.hasArea = s.area.Int64, s.area.Valid
	h.assets = parseAssets(s.assets)
	h.stock = s.stock
	h.n = s.aggN
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
}

// cursor merges the two streams of one range.
type cursor struct {
	s        *scan
	fam, agg *sql.Rows
	pending  bool // an aggregate row is scanned and not used yet
}

// open runs both queries of the range [lo, hi) on the read pool.
func (s *scan) open(ctx context.Context, db *store.DB, lo, hi int64) (*cursor, error) {
	fam, err := db.Query(ctx, s.famQuery, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("welfare: read families: %w", err)
	}
	agg, err := db.Query(ctx, s.aggQuery, lo, hi)
	if err != nil {
		fam.Close()
		return nil, fmt.Errorf("welfare: read members: %w", err)
	}
	return &cursor{s: s, fam: fam, agg: agg}, nil
}

// next reads the next household into h (bound with bind): a family and
// the aggregates of its active members. A family without active members
// is passed over. It reports false at the end.
func (c *cursor) next(h *household) (bool, error) {
	s := c.s
	for c.fam.Next() {
		if err := c.fam.Scan(s.famDest...); err != nil {
			return false, fmt.Errorf("welfare: read families: %w", err)
		}
		for !c.pending || s.aggFamily < h.id {
			if !c.agg.Next() {
				return false, c.agg.Err() // no members left: no household left
			}
			if err := c.agg.Scan(s.aggDest...); err != nil {
				return false, fmt.Errorf("welfare: read members: %w", err)
			}
			c.pending = true
		}
		if s.aggFamily == h.id {
			c.pending = false
			s.fill(h)
			return true, nil
		}
	}
	return false, c.fam.Err()
}

func (c *cursor) close() {
	c.fam.Close()
	c.agg.Close()
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

// HouseholdQueries returns the two queries a ranking with m reads the
// register with on a day (families, and the aggregates of their active
// members), for EXPLAIN and for benchmark baselines.
func HouseholdQueries(m *Model, day time.Time) (families, members string) {
	ref := newRefDates(day)
	s := newScan(compile(m).n, &ref, false)
	return s.famQuery, s.aggQuery
}
