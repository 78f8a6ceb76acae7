package region

import (
	"context"
	"fmt"

	"github.com/kemensos/jaring/internal/store"
)

// Store reads regions from the database.
type Store struct {
	DB *store.DB
}

const regionColumns = `code, name, level, COALESCE(parent, ''), active`

func scanRegion(s interface{ Scan(...any) error }) (Region, error) {
	var r Region
	err := s.Scan(&r.Code, &r.Name, &r.Level, &r.Parent, &r.Active)
	return r, err
}

// Get returns the region with code, active or not; store.ErrNoRows when
// there is none (including when code is malformed).
func (s Store) Get(ctx context.Context, code string) (Region, error) {
	r, err := scanRegion(s.DB.QueryRow(ctx, `SELECT `+regionColumns+` FROM regions WHERE code = $1`, code))
	if err != nil {
		if store.IsNoRows(err) {
			return Region{}, store.ErrNoRows
		}
		return Region{}, fmt.Errorf("region: get %s: %w", code, err)
	}
	return r, nil
}

// Children returns the active regions directly under code, ordered by code;
// code "" returns the provinces.
func (s Store) Children(ctx context.Context, code string) ([]Region, error) {
	if code == "" {
		return s.list(ctx, `SELECT `+regionColumns+` FROM regions WHERE level = 1 AND active ORDER BY code`)
	}
	if err := Validate(code); err != nil {
		return nil, fmt.Errorf("region: children: %w", err)
	}
	return s.list(ctx, `SELECT `+regionColumns+` FROM regions WHERE parent = $1 AND active ORDER BY code`, code)
}

// Ancestors returns the chain from the province down to code itself, for
// breadcrumbs: province first, the region last. Inactive regions are
// included. It returns store.ErrNoRows when code is not in the table.
func (s Store) Ancestors(ctx context.Context, code string) ([]Region, error) {
	if err := Validate(code); err != nil {
		return nil, fmt.Errorf("region: ancestors: %w", err)
	}
	var chain [4]any
	n := 0
	for c := code; c != ""; c = Parent(c) {
		chain[n] = c
		n++
	}
	// Fixed-width parts: code order is level order.
	rs, err := s.list(ctx, `SELECT `+regionColumns+` FROM regions
		WHERE code IN ($1, $2, $3, $4) ORDER BY code`, chain[0], chain[1], chain[2], chain[3])
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || rs[len(rs)-1].Code != code {
		return nil, store.ErrNoRows
	}
	return rs, nil
}

// Count returns the number of active regions per level (1 to 4).
func (s Store) Count(ctx context.Context) (map[int]int, error) {
	rows, err := s.DB.Query(ctx, `SELECT level, COUNT(*) FROM regions WHERE active GROUP BY level`)
	if err != nil {
		return nil, fmt.Errorf("region: count: %w", err)
	}
	defer rows.Close()
	out := make(map[int]int, 4)
	for rows.Next() {
		var level, n int
		if err := rows.Scan(&level, &n); err != nil {
			return nil, fmt.Errorf("region: count: %w", err)
		}
		out[level] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("region: count: %w", err)
	}
	return out, nil
}

// DistrictCodes returns every district code ever imported, active or not,
// keyed "PPKKCC" without dots: the district prefix of a NIK or KK number,
// which stays valid after a district is renamed or dropped.
func (s Store) DistrictCodes(ctx context.Context) (map[string]bool, error) {
	codes, err := s.codes(ctx, `SELECT code FROM regions WHERE level = 3`)
	if err != nil {
		return nil, fmt.Errorf("region: district codes: %w", err)
	}
	out := make(map[string]bool, len(codes))
	for _, c := range codes {
		if Level(c) == LevelDistrict {
			out[districtKey(c)] = true
		}
	}
	return out, nil
}

// VillageCodes returns the codes of the active villages under scope (itself
// a village, or an ancestor; "" for the whole nation), ordered.
func (s Store) VillageCodes(ctx context.Context, under string) ([]string, error) {
	var (
		codes []string
		err   error
	)
	switch Level(under) {
	case LevelVillage:
		codes, err = s.codes(ctx, `SELECT code FROM regions WHERE code = $1 AND active`, under)
	case 0:
		if under != "" {
			return nil, fmt.Errorf("region: village codes: %w", Validate(under))
		}
		codes, err = s.codes(ctx, `SELECT code FROM regions WHERE level = 4 AND active ORDER BY code`)
	default:
		// Codes are digits and dots, so the pattern holds no wildcard but
		// its final %.
		codes, err = s.codes(ctx, `SELECT code FROM regions WHERE level = 4 AND active AND code LIKE $1 ORDER BY code`,
			under+".%")
	}
	if err != nil {
		return nil, fmt.Errorf("region: village codes: %w", err)
	}
	return codes, nil
}

func (s Store) list(ctx context.Context, query string, args ...any) ([]Region, error) {
	rows, err := s.DB.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("region: %w", err)
	}
	defer rows.Close()
	var out []Region
	for rows.Next() {
		r, err := scanRegion(rows)
		if err != nil {
			return nil, fmt.Errorf("region: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("region: %w", err)
	}
	return out, nil
}

func (s Store) codes(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.DB.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
