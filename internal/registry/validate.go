package registry

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/nik"
)

// Checker validates families and people against reference data.
type Checker struct {
	// VillageKnown reports whether a village code is an active village; nil skips the check.
	VillageKnown func(code string) bool
	// DistrictKnown reports whether a "PP.KK.CC" district code is known; nil skips the check.
	DistrictKnown func(code string) bool
	Now           time.Time
	// Scope is the region the importing user may write to ("" = all).
	Scope string
}

// nikMessages are the Indonesian reasons for the nik package's problem codes.
var nikMessages = map[string]string{
	"length":             "NIK harus 16 digit",
	"digits":             "NIK hanya boleh berisi angka (tanpa huruf atau spasi)",
	"day":                "tanggal lahir dalam NIK tidak mungkin",
	"month":              "bulan lahir dalam NIK tidak mungkin",
	"serial":             "nomor urut NIK tidak boleh 0000",
	"province":           "kode provinsi dalam NIK tidak valid",
	"regency":            "kode kabupaten/kota dalam NIK tidak valid",
	"district_unknown":   "kode kecamatan dalam NIK tidak ada di daftar wilayah saat ini",
	"birthdate_mismatch": "tanggal lahir tidak sesuai dengan NIK",
	"sex_mismatch":       "jenis kelamin tidak sesuai dengan NIK (tanggal +40 untuk perempuan)",
	"future_birth":       "tanggal lahir di masa depan",
}

func nikReason(p nik.Problem, what string) string {
	if m, ok := nikMessages[p.Code]; ok {
		if what == "no_kk" {
			m = strings.ReplaceAll(m, "NIK", "No. KK")
		}
		return m
	}
	return what + " tidak valid: " + p.Message
}

// CheckFamily validates a family's fields and returns field errors and warnings.
func (c *Checker) CheckFamily(f *Family) []errs.FieldError {
	var fe []errs.FieldError
	add := func(field, value, reason string) {
		fe = append(fe, errs.FieldError{Field: field, Value: value, Reason: reason})
	}
	if _, err := nik.ParseKK(f.KK); err != nil {
		reason := "No. KK tidak valid"
		if p, ok := err.(*nik.Problem); ok {
			reason = nikReason(*p, "no_kk")
		}
		add("no_kk", nik.Mask(f.KK), reason)
	}
	if c.VillageKnown != nil && !c.VillageKnown(f.VillageCode) {
		add("kode_wilayah", f.VillageCode, "kode desa/kelurahan tidak dikenal")
	}
	if (f.Latitude == nil) != (f.Longitude == nil) {
		add("lintang", "", "lintang dan bujur harus diisi keduanya atau dikosongkan keduanya")
	}
	if f.Latitude != nil && (*f.Latitude < -11.5 || *f.Latitude > 6.5) {
		add("lintang", strconv.FormatFloat(*f.Latitude, 'f', -1, 64), "lintang di luar wilayah Indonesia (-11,5 s.d. 6,5)")
	}
	if f.Longitude != nil && (*f.Longitude < 94.5 || *f.Longitude > 141.5) {
		add("bujur", strconv.FormatFloat(*f.Longitude, 'f', -1, 64), "bujur di luar wilayah Indonesia (94,5 s.d. 141,5)")
	}
	for _, x := range []struct {
		set *CodeSet
		v   string
	}{{FloorMaterial, f.FloorMaterial}, {WallMaterial, f.WallMaterial}, {RoofMaterial, f.RoofMaterial},
		{WaterSource, f.WaterSource}, {Sanitation, f.Sanitation}, {Electricity, f.Electricity},
		{CookingFuel, f.CookingFuel}, {HouseOwnership, f.HouseOwnership}, {LandOwnership, f.LandOwnership}} {
		if x.v != "" && !x.set.Has(x.v) {
			add(x.set.Field, x.v, "kode tidak dikenal")
		}
	}
	for _, a := range f.Assets {
		if !Asset.Has(a) {
			add("aset", a, "kode aset tidak dikenal")
		}
	}
	if f.FloorArea != nil && (*f.FloorArea <= 0 || *f.FloorArea > 10000) {
		add("luas_lantai", strconv.Itoa(*f.FloorArea), "luas lantai harus 1 s.d. 10.000 m²")
	}
	for i, n := range []int{f.Cattle, f.Buffalo, f.Goats, f.Pigs, f.Horses, f.Poultry} {
		if n < 0 || n > 100000 {
			add(Livestock[i], strconv.Itoa(n), "jumlah ternak harus 0 s.d. 100.000")
		}
	}
	if len(f.RT) > 3 || !allDigits(f.RT) {
		add("rt", f.RT, "RT berupa angka, paling banyak 3 digit")
	}
	if len(f.RW) > 3 || !allDigits(f.RW) {
		add("rw", f.RW, "RW berupa angka, paling banyak 3 digit")
	}
	if utf8.RuneCountInString(f.Address) > 200 {
		add("alamat", "", "alamat paling panjang 200 karakter")
	}
	if f.Status != "" && !Status.Has(f.Status) {
		add("status", f.Status, "status tidak dikenal")
	}
	if f.Status != "" && f.Status != "aktif" && strings.TrimSpace(f.StatusReason) == "" {
		add("alasan_status", "", "alasan wajib diisi bila status bukan aktif")
	}
	return fe
}

// CheckPerson validates a person's fields and returns field errors and warnings.
func (c *Checker) CheckPerson(p *Person) []errs.FieldError {
	var fe []errs.FieldError
	add := func(field, value, reason string) {
		fe = append(fe, errs.FieldError{Field: field, Value: value, Reason: reason})
	}
	birth, birthOK := parseISODate(p.BirthDate)
	if !birthOK {
		add("tanggal_lahir", p.BirthDate, "tanggal lahir harus berformat TTTT-BB-HH dan berupa tanggal yang ada")
	} else if birth.Year() < 1890 {
		add("tanggal_lahir", p.BirthDate, "tahun lahir tidak mungkin")
	}
	decl := nik.Declared{Sex: p.Sex, DistrictKnown: c.DistrictKnown, Now: c.Now}
	if birthOK {
		decl.BirthDate = birth
	}
	_, problems := nik.Check(p.NIK, decl)
	for _, pr := range problems {
		fe = append(fe, errs.FieldError{Field: "nik", Value: nik.Mask(p.NIK), Reason: nikReason(pr, "nik"),
			Warning: pr.Severity == nik.Warning})
	}
	if n := utf8.RuneCountInString(p.Name); n < 2 || n > 100 {
		add("nama", "", "nama harus 2 s.d. 100 karakter")
	} else if !plausibleName(p.Name) {
		add("nama", p.Name, "nama hanya boleh berisi huruf, spasi, titik, koma, apostrof dan tanda hubung")
	}
	if !Sex.Has(p.Sex) {
		add("jenis_kelamin", p.Sex, "isi L atau P")
	}
	if !Relation.Has(p.Relation) {
		add("hubungan", p.Relation, "hubungan keluarga tidak dikenal")
	}
	for _, x := range []struct {
		set *CodeSet
		v   string
	}{{MaritalStatus, p.MaritalStatus}, {Education, p.Education}, {SchoolLevel, p.SchoolLevel},
		{Occupation, p.Occupation}, {Disability, p.Disability}, {DisabilitySeverity, p.DisabilitySeverity}} {
		if x.v != "" && !x.set.Has(x.v) {
			add(x.set.Field, x.v, "kode tidak dikenal")
		}
	}
	if p.DisabilitySeverity != "" && p.Disability == "" {
		add("tingkat_disabilitas", p.DisabilitySeverity, "tingkat disabilitas hanya diisi bila ada disabilitas")
	}
	if p.Pregnant && p.Sex == "L" {
		add("hamil", "ya", "hamil hanya untuk perempuan")
	}
	for _, k := range p.PPKS {
		if !PPKS.Has(k) {
			add("ppks", k, "kategori PPKS tidak dikenal")
		}
	}
	if len(p.SchoolID) > 20 || !allDigits(p.SchoolID) {
		add("id_sekolah", p.SchoolID, "ID sekolah (NISN/EMIS) berupa angka, paling banyak 20 digit")
	}
	if p.Status != "" && !Status.Has(p.Status) {
		add("status", p.Status, "status tidak dikenal")
	}
	if p.Status != "" && p.Status != "aktif" && strings.TrimSpace(p.StatusReason) == "" {
		add("alasan_status", "", "alasan wajib diisi bila status bukan aktif")
	}
	if utf8.RuneCountInString(p.BirthPlace) > 100 {
		add("tempat_lahir", "", "tempat lahir paling panjang 100 karakter")
	}
	if utf8.RuneCountInString(p.MotherName) > 100 {
		add("nama_ibu", "", "nama ibu paling panjang 100 karakter")
	}
	return fe
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func plausibleName(s string) bool {
	for _, r := range s {
		switch {
		case r == ' ' || r == '.' || r == ',' || r == '\'' || r == '-' || r == '`':
		case r < 128 && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
			return false
		case r == '<' || r == '>':
			return false
		}
	}
	return true
}

// CheckFamilyMembers checks rules across a family's members: exactly one
// head, and NIKs unique within the family. Errors name the member's index.
func CheckFamilyMembers(members []Person) (familyErrs []errs.FieldError, memberErrs map[int][]errs.FieldError) {
	heads := 0
	seen := make(map[string]int, len(members))
	memberErrs = map[int][]errs.FieldError{}
	for i := range members {
		if members[i].Relation == "kepala_keluarga" {
			heads++
			if heads > 1 {
				memberErrs[i] = append(memberErrs[i], errs.FieldError{Field: "hubungan", Value: "kepala_keluarga", Reason: "keluarga hanya boleh punya satu kepala keluarga"})
			}
		}
		if j, dup := seen[members[i].NIK]; dup {
			memberErrs[i] = append(memberErrs[i], errs.FieldError{Field: "nik", Value: nik.Mask(members[i].NIK),
				Reason: "NIK yang sama sudah ada di baris anggota ke-" + strconv.Itoa(j+1) + " keluarga ini"})
		} else {
			seen[members[i].NIK] = i
		}
	}
	if heads == 0 {
		familyErrs = append(familyErrs, errs.FieldError{Field: "hubungan", Reason: "keluarga tidak punya kepala keluarga"})
	}
	return familyErrs, memberErrs
}
