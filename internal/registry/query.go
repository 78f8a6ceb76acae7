package registry

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// FamilySummary is a line of a family list.
type FamilySummary struct {
	ID          int64  `json:"id"`
	KK          string `json:"no_kk"`
	VillageCode string `json:"kode_wilayah"`
	Address     string `json:"alamat"`
	HeadName    string `json:"nama_kepala"`
	Members     int    `json:"jumlah_anggota"`
	Status      string `json:"status"`
}

// ListFamilies lists the current families of a region scope, ordered by ID,
// starting after the given ID (keyset pagination).
func (r *Registry) ListFamilies(ctx context.Context, scope string, afterID int64, limit int) ([]FamilySummary, error) {
	scope, err := narrow(ctx, scope)
	if err != nil {
		return nil, err
	}
	lo, hi := scopeRange(scope)
	rows, err := r.DB.Query(ctx, `
SELECT f.id, f.kk, f.village_code, f.address, f.status,
       COALESCE((SELECT p.name FROM person p WHERE p.family_id = f.id AND p.valid_to IS NULL AND p.relation = 'kepala_keluarga' ORDER BY p.id LIMIT 1), ''),
       (SELECT COUNT(*) FROM person p WHERE p.family_id = f.id AND p.valid_to IS NULL AND p.status = 'aktif')
FROM family f
WHERE f.valid_to IS NULL AND f.village_code >= $1 AND f.village_code < $2 AND f.id > $3
ORDER BY f.id LIMIT $4`, lo, hi, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("registry: list families: %w", err)
	}
	defer rows.Close()
	var out []FamilySummary
	for rows.Next() {
		var s FamilySummary
		if err := rows.Scan(&s.ID, &s.KK, &s.VillageCode, &s.Address, &s.Status, &s.HeadName, &s.Members); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PersonHit is a search result.
type PersonHit struct {
	ID          int64  `json:"id"`
	FamilyID    int64  `json:"family_id"`
	NIK         string `json:"nik"`
	Name        string `json:"nama"`
	Sex         string `json:"jenis_kelamin"`
	BirthDate   string `json:"tanggal_lahir"`
	Relation    string `json:"hubungan"`
	VillageCode string `json:"kode_wilayah"`
	Status      string `json:"status"`
}

// SearchPeople finds current people in a region scope whose name matches
// every token of q as a word prefix, tolerant of case, spacing and common
// spelling variants (see NameKey).
func (r *Registry) SearchPeople(ctx context.Context, scope, q string, limit int) ([]PersonHit, error) {
	if len(QueryTokens(q)) == 0 {
		return nil, nil
	}
	scope, err := narrow(ctx, scope)
	if err != nil {
		return nil, err
	}
	lo, hi := scopeRange(scope)
	var b strings.Builder
	b.WriteString(`SELECT id, family_id, nik, name, sex, birth_date, relation, village_code, status FROM person
WHERE valid_to IS NULL AND village_code >= $1 AND village_code < $2 AND `)
	cond, cargs := NameCondition("name_key", 3, q)
	b.WriteString(cond)
	args := append([]any{lo, hi}, cargs...)
	args = append(args, limit)
	fmt.Fprintf(&b, ` ORDER BY name_key, id LIMIT $%d`, len(args))
	rows, err := r.DB.Query(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("registry: search: %w", err)
	}
	defer rows.Close()
	var out []PersonHit
	for rows.Next() {
		var h PersonHit
		if err := rows.Scan(&h.ID, &h.FamilyID, &h.NIK, &h.Name, &h.Sex, &h.BirthDate, &h.Relation, &h.VillageCode, &h.Status); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// RegionCount is the number of current families and active people in a region.
type RegionCount struct {
	Code     string `json:"kode"`
	Families int64  `json:"keluarga"`
	People   int64  `json:"jiwa"`
}

// CountsByChild counts families and active people per child region of
// scope ("" = per province), in two grouped queries.
func (r *Registry) CountsByChild(ctx context.Context, scope string) ([]RegionCount, error) {
	scope, err := narrow(ctx, scope)
	if err != nil {
		return nil, err
	}
	width := childCodeWidth(scope)
	lo, hi := scopeRange(scope)
	counts := map[string]*RegionCount{}
	var order []string
	get := func(code string) *RegionCount {
		c, ok := counts[code]
		if !ok {
			c = &RegionCount{Code: code}
			counts[code] = c
			order = append(order, code)
		}
		return c
	}
	for _, q := range []struct {
		sql string
		set func(c *RegionCount, n int64)
	}{
		{`SELECT SUBSTR(village_code, 1, $3), COUNT(*) FROM family WHERE valid_to IS NULL AND status = 'aktif' AND village_code >= $1 AND village_code < $2 GROUP BY 1 ORDER BY 1`,
			func(c *RegionCount, n int64) { c.Families = n }},
		{`SELECT SUBSTR(village_code, 1, $3), COUNT(*) FROM person WHERE valid_to IS NULL AND status = 'aktif' AND village_code >= $1 AND village_code < $2 GROUP BY 1 ORDER BY 1`,
			func(c *RegionCount, n int64) { c.People = n }},
	} {
		rows, err := r.DB.Query(ctx, q.sql, lo, hi, width)
		if err != nil {
			return nil, fmt.Errorf("registry: counts: %w", err)
		}
		for rows.Next() {
			var code string
			var n sql.NullInt64
			if err := rows.Scan(&code, &n); err != nil {
				rows.Close()
				return nil, err
			}
			q.set(get(code), n.Int64)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	sort.Strings(order)
	out := make([]RegionCount, 0, len(order))
	for _, c := range order {
		out = append(out, *counts[c])
	}
	return out, nil
}

// childCodeWidth is the length of a child region's code under scope.
func childCodeWidth(scope string) int {
	switch len(scope) {
	case 0:
		return 2 // province "PP"
	case 2:
		return 5 // "PP.KK"
	case 5:
		return 8 // "PP.KK.CC"
	default:
		return 13 // village "PP.KK.CC.DDDD"
	}
}
