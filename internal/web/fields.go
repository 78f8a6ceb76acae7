package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/registry"
)

// field describes one attribute of a record for display and for telling
// which attributes changed between two versions.
type field[T any] struct {
	key  string            // catalogue key "f.<key>" of the label
	val  func(*T) string   // raw value, compared between versions
	set  *registry.CodeSet // codes shown by label; lists are '|'-separated
	mask bool              // identifiers shown masked
}

// attr is a labelled value ready for a template.
type attr struct {
	Label, Value string
}

func intStr(n int) string { return strconv.Itoa(n) }

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func coords(lat, lon *float64) string {
	if lat == nil || lon == nil {
		return ""
	}
	return strconv.FormatFloat(*lat, 'f', 6, 64) + ", " + strconv.FormatFloat(*lon, 'f', 6, 64)
}

var familyFields = []field[registry.Family]{
	{key: "no_kk", val: func(f *registry.Family) string { return f.KK }, mask: true},
	{key: "kode_wilayah", val: func(f *registry.Family) string { return f.VillageCode }},
	{key: "alamat", val: func(f *registry.Family) string { return f.Address }},
	{key: "rt", val: func(f *registry.Family) string { return f.RT }},
	{key: "rw", val: func(f *registry.Family) string { return f.RW }},
	{key: "koordinat", val: func(f *registry.Family) string { return coords(f.Latitude, f.Longitude) }},
	{key: "lantai", val: func(f *registry.Family) string { return f.FloorMaterial }, set: registry.FloorMaterial},
	{key: "dinding", val: func(f *registry.Family) string { return f.WallMaterial }, set: registry.WallMaterial},
	{key: "atap", val: func(f *registry.Family) string { return f.RoofMaterial }, set: registry.RoofMaterial},
	{key: "sumber_air", val: func(f *registry.Family) string { return f.WaterSource }, set: registry.WaterSource},
	{key: "sanitasi", val: func(f *registry.Family) string { return f.Sanitation }, set: registry.Sanitation},
	{key: "listrik", val: func(f *registry.Family) string { return f.Electricity }, set: registry.Electricity},
	{key: "bahan_bakar", val: func(f *registry.Family) string { return f.CookingFuel }, set: registry.CookingFuel},
	{key: "status_rumah", val: func(f *registry.Family) string { return f.HouseOwnership }, set: registry.HouseOwnership},
	{key: "status_lahan", val: func(f *registry.Family) string { return f.LandOwnership }, set: registry.LandOwnership},
	{key: "luas_lantai", val: func(f *registry.Family) string { return optInt(f.FloorArea) }},
	{key: "aset", val: func(f *registry.Family) string { return strings.Join(f.Assets, "|") }, set: registry.Asset},
	{key: "ternak_sapi", val: func(f *registry.Family) string { return intStr(f.Cattle) }},
	{key: "ternak_kerbau", val: func(f *registry.Family) string { return intStr(f.Buffalo) }},
	{key: "ternak_kambing", val: func(f *registry.Family) string { return intStr(f.Goats) }},
	{key: "ternak_babi", val: func(f *registry.Family) string { return intStr(f.Pigs) }},
	{key: "ternak_kuda", val: func(f *registry.Family) string { return intStr(f.Horses) }},
	{key: "ternak_unggas", val: func(f *registry.Family) string { return intStr(f.Poultry) }},
	{key: "status", val: func(f *registry.Family) string { return f.Status }, set: registry.Status},
	{key: "alasan_status", val: func(f *registry.Family) string { return f.StatusReason }},
}

var personFields = []field[registry.Person]{
	{key: "nik", val: func(p *registry.Person) string { return p.NIK }, mask: true},
	{key: "nama", val: func(p *registry.Person) string { return p.Name }},
	{key: "jenis_kelamin", val: func(p *registry.Person) string { return p.Sex }, set: registry.Sex},
	{key: "tempat_lahir", val: func(p *registry.Person) string { return p.BirthPlace }},
	{key: "tanggal_lahir", val: func(p *registry.Person) string { return p.BirthDate }},
	{key: "hubungan", val: func(p *registry.Person) string { return p.Relation }, set: registry.Relation},
	{key: "keluarga", val: func(p *registry.Person) string { return strconv.FormatInt(p.FamilyID, 10) }},
	{key: "kode_wilayah", val: func(p *registry.Person) string { return p.VillageCode }},
	{key: "status_kawin", val: func(p *registry.Person) string { return p.MaritalStatus }, set: registry.MaritalStatus},
	{key: "nama_ibu", val: func(p *registry.Person) string { return p.MotherName }},
	{key: "pendidikan", val: func(p *registry.Person) string { return p.Education }, set: registry.Education},
	{key: "jenjang_sekolah", val: func(p *registry.Person) string { return p.SchoolLevel }, set: registry.SchoolLevel},
	{key: "id_sekolah", val: func(p *registry.Person) string { return p.SchoolID }},
	{key: "pekerjaan", val: func(p *registry.Person) string { return p.Occupation }, set: registry.Occupation},
	{key: "disabilitas", val: func(p *registry.Person) string { return p.Disability }, set: registry.Disability},
	{key: "tingkat_disabilitas", val: func(p *registry.Person) string { return p.DisabilitySeverity }, set: registry.DisabilitySeverity},
	{key: "hamil", val: func(p *registry.Person) string {
		if p.Pregnant {
			return "ya"
		}
		return ""
	}},
	{key: "ppks", val: func(p *registry.Person) string { return strings.Join(p.PPKS, "|") }, set: registry.PPKS},
	{key: "status", val: func(p *registry.Person) string { return p.Status }, set: registry.Status},
	{key: "alasan_status", val: func(p *registry.Person) string { return p.StatusReason }},
}

// display is the shown form of a field's raw value.
func (f field[T]) display(lang string, rec *T) string {
	v := f.val(rec)
	switch {
	case v == "":
		return ""
	case f.mask:
		return nik.Mask(v)
	case f.key == "hamil":
		return text(lang, v)
	case f.key == "tanggal_lahir":
		return formatDate(lang, v)
	case f.set != nil:
		parts := strings.Split(v, "|")
		for i, c := range parts {
			parts[i] = codeLabel(lang, f.set, c)
		}
		return strings.Join(parts, ", ")
	}
	return v
}

// attrs lists a record's attributes with labels in lang; skip names fields
// the page shows elsewhere. Livestock counts share one line, zeros left out.
func attrs[T any](lang string, fields []field[T], rec *T, skip ...string) []attr {
	out := make([]attr, 0, len(fields))
	livestock := -1
	for _, f := range fields {
		if slices.Contains(skip, f.key) {
			continue
		}
		v := f.display(lang, rec)
		if strings.HasPrefix(f.key, "ternak_") {
			if livestock < 0 {
				livestock = len(out)
				out = append(out, attr{Label: text(lang, "f.ternak")})
			}
			if v != "" && v != "0" {
				if out[livestock].Value != "" {
					out[livestock].Value += ", "
				}
				out[livestock].Value += text(lang, "f."+f.key) + " " + v
			}
			continue
		}
		out = append(out, attr{Label: text(lang, "f."+f.key), Value: v})
	}
	return out
}

// changed names, in lang, the fields whose values differ between two versions.
func changed[T any](lang string, fields []field[T], prev, cur *T) []string {
	var out []string
	for _, f := range fields {
		if f.val(prev) != f.val(cur) {
			out = append(out, text(lang, "f."+f.key))
		}
	}
	return out
}
