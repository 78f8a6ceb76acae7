package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Stored column lists, in the order of the values familyValues and
// personValues produce and scanFamily and scanPerson read.
var (
	familyCols = []string{"id", "version", "valid_from", "valid_to", "kk", "village_code", "address", "rt", "rw",
		"latitude", "longitude", "floor_material", "wall_material", "roof_material", "water_source", "sanitation",
		"electricity", "cooking_fuel", "house_ownership", "land_ownership", "floor_area", "assets",
		"cattle", "buffalo", "goats", "pigs", "horses", "poultry", "status", "status_reason", "row_hash",
		"changed_by", "change_reason"}
	personCols = []string{"id", "version", "valid_from", "valid_to", "family_id", "village_code", "nik", "name",
		"name_key", "sex", "birth_place", "birth_date", "relation", "marital_status", "mother_name", "education",
		"school_level", "school_id", "occupation", "disability", "disability_severity", "pregnant", "ppks",
		"status", "status_reason", "row_hash", "changed_by", "change_reason"}
	familySelect = "SELECT " + strings.Join(familyCols, ", ") + " FROM family"
	personSelect = "SELECT " + strings.Join(personCols, ", ") + " FROM person"
)

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func nullTime(c Change) any {
	if c.ValidTo == nil {
		return nil
	}
	return store.Micros(*c.ValidTo)
}

func familyValues(f *Family) []any { return familyValuesHash(f, f.Hash()) }

// familyValuesHash is familyValues with the hash already computed.
func familyValuesHash(f *Family, hash int64) []any {
	return []any{f.ID, int64(f.Version), store.Micros(f.ValidFrom), nullTime(f.Change), f.KK, f.VillageCode,
		f.Address, f.RT, f.RW, nullFloat(f.Latitude), nullFloat(f.Longitude), f.FloorMaterial, f.WallMaterial,
		f.RoofMaterial, f.WaterSource, f.Sanitation, f.Electricity, f.CookingFuel, f.HouseOwnership,
		f.LandOwnership, nullInt(f.FloorArea), strings.Join(f.Assets, "|"), int64(f.Cattle), int64(f.Buffalo),
		int64(f.Goats), int64(f.Pigs), int64(f.Horses), int64(f.Poultry), f.Status, f.StatusReason,
		hash, f.ChangedBy, f.ChangeReason}
}

func personValues(p *Person) []any { return personValuesKey(p, NameKey(p.Name), p.Hash()) }

// personValuesKey is personValues with the name key and hash already computed.
func personValuesKey(p *Person, nameKey string, hash int64) []any {
	return []any{p.ID, int64(p.Version), store.Micros(p.ValidFrom), nullTime(p.Change), p.FamilyID, p.VillageCode,
		p.NIK, p.Name, nameKey, p.Sex, p.BirthPlace, p.BirthDate, p.Relation, p.MaritalStatus,
		p.MotherName, p.Education, p.SchoolLevel, p.SchoolID, p.Occupation, p.Disability, p.DisabilitySeverity,
		p.Pregnant, strings.Join(p.PPKS, "|"), p.Status, p.StatusReason, hash, p.ChangedBy, p.ChangeReason}
}

type scanner interface{ Scan(dest ...any) error }

// familyDest holds the scan destinations of one family row.
type familyDest struct {
	f         Family
	validFrom int64
	validTo   sql.NullInt64
	lat, lon  sql.NullFloat64
	area      sql.NullInt64
	assets    string
	hash      int64
}

func (d *familyDest) ptrs() []any {
	f := &d.f
	return []any{&f.ID, &f.Version, &d.validFrom, &d.validTo, &f.KK, &f.VillageCode, &f.Address, &f.RT, &f.RW,
		&d.lat, &d.lon, &f.FloorMaterial, &f.WallMaterial, &f.RoofMaterial, &f.WaterSource, &f.Sanitation,
		&f.Electricity, &f.CookingFuel, &f.HouseOwnership, &f.LandOwnership, &d.area, &d.assets,
		&f.Cattle, &f.Buffalo, &f.Goats, &f.Pigs, &f.Horses, &f.Poultry, &f.Status, &f.StatusReason, &d.hash,
		&f.ChangedBy, &f.ChangeReason}
}

func (d *familyDest) family() Family {
	f := d.f
	f.ValidFrom = store.FromMicros(d.validFrom)
	if d.validTo.Valid {
		t := store.FromMicros(d.validTo.Int64)
		f.ValidTo = &t
	}
	if d.lat.Valid && d.lon.Valid {
		lat, lon := d.lat.Float64, d.lon.Float64
		f.Latitude, f.Longitude = &lat, &lon
	}
	if d.area.Valid {
		a := int(d.area.Int64)
		f.FloorArea = &a
	}
	f.Assets = codeList(d.assets)
	if f.Assets == nil {
		f.Assets = []string{}
	}
	return f
}

func scanFamily(s scanner) (Family, error) {
	var d familyDest
	if err := s.Scan(d.ptrs()...); err != nil {
		return Family{}, err
	}
	return d.family(), nil
}

// personDest holds the scan destinations of one person row.
type personDest struct {
	p         Person
	validFrom int64
	validTo   sql.NullInt64
	nameKey   string
	ppks      string
	hash      int64
}

func (d *personDest) ptrs() []any {
	p := &d.p
	return []any{&p.ID, &p.Version, &d.validFrom, &d.validTo, &p.FamilyID, &p.VillageCode, &p.NIK, &p.Name,
		&d.nameKey, &p.Sex, &p.BirthPlace, &p.BirthDate, &p.Relation, &p.MaritalStatus, &p.MotherName,
		&p.Education, &p.SchoolLevel, &p.SchoolID, &p.Occupation, &p.Disability, &p.DisabilitySeverity,
		&p.Pregnant, &d.ppks, &p.Status, &p.StatusReason, &d.hash, &p.ChangedBy, &p.ChangeReason}
}

func (d *personDest) person() Person {
	p := d.p
	p.ValidFrom = store.FromMicros(d.validFrom)
	if d.validTo.Valid {
		t := store.FromMicros(d.validTo.Int64)
		p.ValidTo = &t
	}
	p.PPKS = codeList(d.ppks)
	if p.PPKS == nil {
		p.PPKS = []string{}
	}
	return p
}

func scanPerson(s scanner) (Person, error) {
	var d personDest
	if err := s.Scan(d.ptrs()...); err != nil {
		return Person{}, err
	}
	return d.person(), nil
}

// hasher builds the content hash that tells an unchanged record from a
// changed one: FNV-1a over the fields, each followed by a zero byte.
type hasher uint64

func newHasher() hasher { return 14695981039346656037 }

func (h *hasher) s(v string) {
	x := uint64(*h)
	for i := 0; i < len(v); i++ {
		x ^= uint64(v[i])
		x *= 1099511628211
	}
	x *= 1099511628211 // the separator (xor with 0 is a no-op)
	*h = hasher(x)
}

func (h *hasher) list(v []string) {
	for i, s := range v {
		if i > 0 {
			h.s("|")
		}
		h.s(s)
	}
	h.s("")
}

func (h *hasher) i(v int) {
	var b [20]byte
	h.s(string(strconv.AppendInt(b[:0], int64(v), 10)))
}

func (h hasher) sum() int64 { return int64(h) }

// Hash is a digest of the family's content (not its ID, version or change
// metadata): equal hashes mean nothing to record.
func (f *Family) Hash() int64 {
	h := newHasher()
	h.s(f.KK)
	h.s(f.VillageCode)
	h.s(f.Address)
	h.s(f.RT)
	h.s(f.RW)
	for _, p := range []*float64{f.Latitude, f.Longitude} {
		if p == nil {
			h.s("")
		} else {
			h.s(strconv.FormatFloat(*p, 'f', -1, 64))
		}
	}
	for _, v := range []string{f.FloorMaterial, f.WallMaterial, f.RoofMaterial, f.WaterSource, f.Sanitation,
		f.Electricity, f.CookingFuel, f.HouseOwnership, f.LandOwnership} {
		h.s(v)
	}
	h.list(f.Assets)
	h.s(f.Status)
	h.s(f.StatusReason)
	if f.FloorArea == nil {
		h.s("")
	} else {
		h.i(*f.FloorArea)
	}
	for _, v := range []int{f.Cattle, f.Buffalo, f.Goats, f.Pigs, f.Horses, f.Poultry} {
		h.i(v)
	}
	return h.sum()
}

// Hash is a digest of the person's content including the family they
// belong to, excluding ID, version and change metadata.
func (p *Person) Hash() int64 {
	h := p.hashBody()
	h.i(int(p.FamilyID))
	return h.sum()
}

// hashBody is Hash up to the family ID, which a bulk load assigns last.
func (p *Person) hashBody() hasher {
	h := newHasher()
	for _, v := range [...]string{p.VillageCode, p.NIK, p.Name, p.Sex, p.BirthPlace, p.BirthDate, p.Relation,
		p.MaritalStatus, p.MotherName, p.Education, p.SchoolLevel, p.SchoolID, p.Occupation, p.Disability,
		p.DisabilitySeverity} {
		h.s(v)
	}
	h.list(p.PPKS)
	h.s(p.Status)
	h.s(p.StatusReason)
	if p.Pregnant {
		h.s("1")
	} else {
		h.s("0")
	}
	return h
}

// narrow intersects a requested region with the caller's scope (internal/authz),
// refusing a region wholly outside it.
func narrow(ctx context.Context, requested string) (string, error) {
	scope, ok := authz.Narrow(ctx, requested)
	if !ok {
		return "", fmt.Errorf("wilayah %s di luar wewenang Anda: %w", requested, errs.ErrForbidden)
	}
	return scope, nil
}

// scopeCond returns " AND village_code in the caller's scope" with its
// arguments numbered from argN, or nothing for a national caller.
func scopeCond(ctx context.Context, argN int) (string, []any) {
	scope := authz.Scope(ctx)
	if scope == "" {
		return "", nil
	}
	lo, hi := scopeRange(scope)
	return fmt.Sprintf(" AND village_code >= $%d AND village_code < $%d", argN, argN+1), []any{lo, hi}
}

// inScope reports an error unless a village is inside the caller's scope.
// Objects outside it are answered as not found, so their existence does not leak.
func inScope(ctx context.Context, village, what string) error {
	if authz.Contains(authz.Scope(ctx), village) {
		return nil
	}
	return errs.NotFound("%s", what)
}

// scopeRange turns a region scope into a half-open range over village codes
// ("" = everything). Segments have fixed widths, so the codes under
// "32.01" (and "32.01" itself) are exactly those >= "32.01" and < "32.01/".
func scopeRange(scope string) (lo, hi string) {
	if scope == "" {
		return "", "~"
	}
	return scope, scope + "/"
}
