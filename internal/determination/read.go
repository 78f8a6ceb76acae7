package determination

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// familyRow is a current family with its decile and score in the
// determination's welfare run (0 and 0 when not ranked).
type familyRow struct {
	registry.Family
	decile int
	score  float64
}

// batch is a run of consecutive families (by ID) with their current
// members: people[start[i]:start[i+1]] belong to families[i].
type batch struct {
	families []familyRow
	people   []registry.Person
	start    []int
	// bases holds, per task with a base determination, the base's
	// recipients among the batch's families and their amounts.
	bases []map[itemKey]int64
	// programs are the programs each family receives (family.programs),
	// when a task's rules read them.
	programs map[int64][]string
	// requests are the ratified program requests (program_request) of the
	// batch's families, oldest first per family.
	requests map[int64][]request
}

// request is a ratified proposal that a family enter ('masuk') or leave
// ('mundur') a program, effective from a time.
type request struct {
	program  string
	kind     string
	proposal int64
	from     int64 // microseconds
}

func (b *batch) members(i int) []registry.Person { return b.people[b.start[i]:b.start[i+1]] }

type reader struct {
	db    *store.DB
	run   int64
	bases []int64 // per task: the base determination, 0 for none
	// received are the final determinations whose recipients receive
	// their program at the reference date (family.programs); nil when no
	// rule reads them.
	received []int64
	// programs and before select the program requests read: those of the
	// job's programs effective before the latest period start.
	programs []string
	before   int64
}

func newReader(db *store.DB, run int64, bases []int64) *reader {
	return &reader{db: db, run: run, bases: bases}
}

// Two queries a batch, whatever its size: the next families by ID (their
// decile joined from the run's scores) and the members of that ID range.
const (
	familyQuery = `SELECT f.id, f.village_code, f.floor_material, f.wall_material, f.roof_material, f.water_source,
	f.sanitation, f.electricity, f.cooking_fuel, f.house_ownership, f.land_ownership, f.floor_area, f.assets,
	f.cattle, f.buffalo, f.goats, f.pigs, f.horses, f.poultry, f.status, COALESCE(s.decile, 0), COALESCE(s.score, 0)
FROM family f LEFT JOIN welfare_scores s ON s.run_id = $1 AND s.family_id = f.id
WHERE f.valid_to IS NULL AND f.id > $2 ORDER BY f.id LIMIT $3`
	personQuery = `SELECT id, family_id, name, sex, birth_date, relation, marital_status, education, school_level,
	school_id, occupation, disability, disability_severity, pregnant, ppks, status
FROM person WHERE valid_to IS NULL AND family_id > $1 AND family_id <= $2 ORDER BY family_id, id`
)

func (r *reader) next(ctx context.Context, after int64, limit int) (*batch, error) {
	rows, err := r.db.Query(ctx, familyQuery, r.run, after, limit)
	if err != nil {
		return nil, fmt.Errorf("determination: read families: %w", err)
	}
	b := &batch{families: make([]familyRow, 0, limit)}
	for rows.Next() {
		var fr familyRow
		f := &fr.Family
		var area sql.NullInt64
		var assets string
		var decile int64
		if err := rows.Scan(&f.ID, &f.VillageCode, &f.FloorMaterial, &f.WallMaterial, &f.RoofMaterial, &f.WaterSource,
			&f.Sanitation, &f.Electricity, &f.CookingFuel, &f.HouseOwnership, &f.LandOwnership, &area, &assets,
			&f.Cattle, &f.Buffalo, &f.Goats, &f.Pigs, &f.Horses, &f.Poultry, &f.Status, &decile, &fr.score); err != nil {
			rows.Close()
			return nil, fmt.Errorf("determination: read families: %w", err)
		}
		if area.Valid {
			a := int(area.Int64)
			f.FloorArea = &a
		}
		f.Assets = split(assets)
		fr.decile = int(decile)
		b.families = append(b.families, fr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("determination: read families: %w", err)
	}
	if len(b.families) == 0 {
		return b, nil
	}
	hi := b.families[len(b.families)-1].ID
	rows, err = r.db.Query(ctx, personQuery, after, hi)
	if err != nil {
		return nil, fmt.Errorf("determination: read members: %w", err)
	}
	defer rows.Close()
	b.start = make([]int, len(b.families)+1)
	fi := 0
	for rows.Next() {
		var p registry.Person
		var ppks string
		if err := rows.Scan(&p.ID, &p.FamilyID, &p.Name, &p.Sex, &p.BirthDate, &p.Relation, &p.MaritalStatus, &p.Education,
			&p.SchoolLevel, &p.SchoolID, &p.Occupation, &p.Disability, &p.DisabilitySeverity, &p.Pregnant, &ppks, &p.Status); err != nil {
			return nil, fmt.Errorf("determination: read members: %w", err)
		}
		// Both lists are in family ID order: advance to the person's family.
		for fi < len(b.families) && b.families[fi].ID < p.FamilyID {
			fi++
			b.start[fi] = len(b.people)
		}
		if fi == len(b.families) || b.families[fi].ID != p.FamilyID {
			continue // a member of a family that is not current
		}
		p.PPKS = split(ppks)
		b.people = append(b.people, p)
	}
	for fi < len(b.families) {
		fi++
		b.start[fi] = len(b.people)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("determination: read members: %w", err)
	}
	rows.Close()
	if len(r.received) > 0 {
		if b.programs, err = received(ctx, r.db, r.received, after, hi); err != nil {
			return nil, err
		}
	}
	if len(r.programs) > 0 {
		if b.requests, err = requests(ctx, r.db, r.programs, r.before, after, hi); err != nil {
			return nil, err
		}
	}
	b.bases = make([]map[itemKey]int64, len(r.bases))
	for i, base := range r.bases {
		if base != 0 {
			if b.bases[i], err = baseItems(ctx, r.db, base, after, hi); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// received returns the programs the families of (lo, hi] receive in the
// given final determinations.
func received(ctx context.Context, db *store.DB, dets []int64, lo, hi int64) (map[int64][]string, error) {
	cond, args := db.Engine().InInt64("i.determination_id", 3, dets)
	rows, err := db.Query(ctx, `SELECT DISTINCT i.family_id, d.program FROM determination_item i
		JOIN determination d ON d.id = i.determination_id
		WHERE i.family_id > $1 AND i.family_id <= $2 AND `+cond+` AND i.status IN ('new', 'continuing')
		ORDER BY i.family_id, d.program`, append([]any{lo, hi}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("determination: programs received: %w", err)
	}
	defer rows.Close()
	m := map[int64][]string{}
	for rows.Next() {
		var id int64
		var prog string
		if err := rows.Scan(&id, &prog); err != nil {
			return nil, err
		}
		m[id] = append(m[id], prog)
	}
	return m, rows.Err()
}

// requests returns the ratified program requests of families (lo, hi] for
// the programs, effective before the given time, oldest first per family:
// one query per batch, like the base's recipients.
func requests(ctx context.Context, db *store.DB, programs []string, before, lo, hi int64) (map[int64][]request, error) {
	cond, args := db.Engine().InText("program", 4, programs)
	rows, err := db.Query(ctx, `SELECT family_id, program, request, proposal_id, effective_from FROM program_request
		WHERE family_id > $1 AND family_id <= $2 AND effective_from < $3 AND `+cond+`
		ORDER BY family_id, effective_from, proposal_id`, append([]any{lo, hi, before}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("determination: program requests: %w", err)
	}
	defer rows.Close()
	m := map[int64][]request{}
	for rows.Next() {
		var id int64
		var r request
		if err := rows.Scan(&id, &r.program, &r.kind, &r.proposal, &r.from); err != nil {
			return nil, err
		}
		m[id] = append(m[id], r)
	}
	return m, rows.Err()
}

// latestRequest is the family's latest request for the program effective
// before the time, or nil.
func latestRequest(rs []request, program string, before int64) *request {
	var last *request
	for i := range rs {
		if rs[i].program == program && rs[i].from < before {
			last = &rs[i]
		}
	}
	return last
}
