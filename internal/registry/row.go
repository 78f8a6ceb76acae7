package registry

import (
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/errs"
)

// Header maps the columns of an input file to Columns.
type Header struct {
	index [columnCount]int // position in the file's row, or -1 when absent
}

// ParseHeader checks a file's header: every required column present, no
// unknown or repeated column. Names are matched case-insensitively.
func ParseHeader(cols []string) (*Header, []errs.FieldError) {
	h := &Header{}
	for i := range h.index {
		h.index[i] = -1
	}
	var fe []errs.FieldError
	pos := make(map[string]int, len(Columns))
	for i, c := range Columns {
		pos[c] = i
	}
	for i, raw := range cols {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff")))
		if name == "" {
			fe = append(fe, errs.FieldError{Field: "kolom " + strconv.Itoa(i+1), Reason: "nama kolom kosong"})
			continue
		}
		c, ok := pos[name]
		if !ok {
			// A file without its header row puts data here: never repeat it whole.
			fe = append(fe, errs.FieldError{Field: "kolom " + strconv.Itoa(i+1), Value: maskCell(raw),
				Reason: "kolom tidak dikenal (lihat docs/import-format.md); apakah baris judul hilang?"})
			continue
		}
		if h.index[c] >= 0 {
			fe = append(fe, errs.FieldError{Field: name, Reason: "kolom muncul lebih dari sekali"})
			continue
		}
		h.index[c] = i
	}
	for _, req := range RequiredColumns {
		if h.index[pos[req]] < 0 {
			fe = append(fe, errs.FieldError{Field: req, Reason: "kolom wajib tidak ada"})
		}
	}
	return h, fe
}

// maskCell shortens a header cell for messages and masks any digits in it,
// since a file without a header row puts a NIK or KK number there.
func maskCell(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > 40 {
		r = append(r[:40], '…')
	}
	for i, c := range r {
		if c >= '0' && c <= '9' {
			r[i] = '*'
		}
	}
	return string(r)
}

// get returns the trimmed cell of column c, or "" when absent.
func (h *Header) get(row []string, c int) string {
	i := h.index[c]
	if i < 0 || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// KK returns the trimmed no_kk cell of a row.
func (h *Header) KK(row []string) string { return h.get(row, colKK) }

// HasFamilyValues reports whether any family column other than no_kk is filled.
func (h *Header) HasFamilyValues(row []string) bool {
	for c := colVillage; c < FamilyColumnCount; c++ {
		if h.get(row, c) != "" {
			return true
		}
	}
	return false
}

// FamilyFromRow reads the family columns of a row.
func (h *Header) FamilyFromRow(row []string) (Family, []errs.FieldError) {
	var fe []errs.FieldError
	f := Family{
		KK:             h.get(row, colKK),
		VillageCode:    h.get(row, colVillage),
		Address:        CleanName(h.get(row, colAddress)),
		RT:             h.get(row, colRT),
		RW:             h.get(row, colRW),
		FloorMaterial:  code(h.get(row, colFloor)),
		WallMaterial:   code(h.get(row, colWall)),
		RoofMaterial:   code(h.get(row, colRoof)),
		WaterSource:    code(h.get(row, colWater)),
		Sanitation:     code(h.get(row, colSanitation)),
		Electricity:    code(h.get(row, colElectricity)),
		CookingFuel:    code(h.get(row, colFuel)),
		HouseOwnership: code(h.get(row, colHouse)),
		LandOwnership:  code(h.get(row, colLand)),
		Assets:         codeList(h.get(row, colAssets)),
		Status:         "aktif",
	}
	if f.VillageCode == "" {
		fe = append(fe, errs.FieldError{Field: "kode_wilayah", Reason: "wajib diisi pada baris pertama keluarga"})
	}
	f.Latitude = h.float(row, colLat, "lintang", &fe)
	f.Longitude = h.float(row, colLon, "bujur", &fe)
	f.FloorArea = h.intPtr(row, colFloorArea, "luas_lantai", &fe)
	for i, p := range []*int{&f.Cattle, &f.Buffalo, &f.Goats, &f.Pigs, &f.Horses, &f.Poultry} {
		if v := h.intPtr(row, colCattle+i, Livestock[i], &fe); v != nil {
			*p = *v
		}
	}
	return f, fe
}

// PersonFromRow reads the person columns of a row.
func (h *Header) PersonFromRow(row []string) (Person, []errs.FieldError) {
	var fe []errs.FieldError
	p := Person{
		NIK:                h.get(row, colNIK),
		Name:               CleanName(h.get(row, colName)),
		Sex:                strings.ToUpper(h.get(row, colSex)),
		BirthPlace:         CleanName(h.get(row, colBirthPlace)),
		Relation:           code(h.get(row, colRelation)),
		MaritalStatus:      code(h.get(row, colMarital)),
		MotherName:         CleanName(h.get(row, colMother)),
		Education:          code(h.get(row, colEducation)),
		SchoolLevel:        code(h.get(row, colSchoolLevel)),
		SchoolID:           h.get(row, colSchoolID),
		Occupation:         code(h.get(row, colOccupation)),
		Disability:         code(h.get(row, colDisability)),
		DisabilitySeverity: code(h.get(row, colDisabilitySeverity)),
		PPKS:               codeList(h.get(row, colPPKS)),
		Status:             code(h.get(row, colStatus)),
		StatusReason:       strings.TrimSpace(h.get(row, colStatusReason)),
	}
	if p.Status == "" {
		p.Status = "aktif"
	}
	if d, ok := ParseDate(h.get(row, colBirthDate)); ok {
		p.BirthDate = d
	} else {
		p.BirthDate = h.get(row, colBirthDate)
	}
	switch v := strings.ToLower(h.get(row, colPregnant)); v {
	case "ya", "y", "1", "true":
		p.Pregnant = true
	case "", "tidak", "t", "0", "false":
	default:
		fe = append(fe, errs.FieldError{Field: "hamil", Value: v, Reason: "isi ya atau tidak"})
	}
	return p, fe
}

func code(s string) string { return strings.ToLower(s) }

func codeList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "|")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (h *Header) float(row []string, c int, field string, fe *[]errs.FieldError) *float64 {
	s := h.get(row, c)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		*fe = append(*fe, errs.FieldError{Field: field, Value: s, Reason: "harus berupa angka desimal"})
		return nil
	}
	return &v
}

func (h *Header) intPtr(row []string, c int, field string, fe *[]errs.FieldError) *int {
	s := h.get(row, c)
	if s == "" {
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		*fe = append(*fe, errs.FieldError{Field: field, Value: s, Reason: "harus berupa bilangan bulat"})
		return nil
	}
	return &v
}

// ParseDate accepts YYYY-MM-DD, DD-MM-YYYY and DD/MM/YYYY and returns the
// date as YYYY-MM-DD. It reports false for anything else or an impossible date.
func ParseDate(s string) (string, bool) {
	if _, ok := parseISODate(s); ok {
		return s, true
	}
	for _, layout := range []string{time.DateOnly, "02-01-2006", "02/01/2006", "2006/01/02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// Row renders a family and one member in the order of Columns.
func Row(f *Family, p *Person) []string {
	r := make([]string, columnCount)
	r[colKK], r[colVillage], r[colAddress], r[colRT], r[colRW] = f.KK, f.VillageCode, f.Address, f.RT, f.RW
	if f.Latitude != nil && f.Longitude != nil {
		r[colLat] = strconv.FormatFloat(*f.Latitude, 'f', -1, 64)
		r[colLon] = strconv.FormatFloat(*f.Longitude, 'f', -1, 64)
	}
	r[colFloor], r[colWall], r[colRoof], r[colWater] = f.FloorMaterial, f.WallMaterial, f.RoofMaterial, f.WaterSource
	r[colSanitation], r[colElectricity], r[colFuel] = f.Sanitation, f.Electricity, f.CookingFuel
	r[colHouse], r[colLand] = f.HouseOwnership, f.LandOwnership
	if f.FloorArea != nil {
		r[colFloorArea] = strconv.Itoa(*f.FloorArea)
	}
	r[colAssets] = strings.Join(f.Assets, "|")
	for i, n := range []int{f.Cattle, f.Buffalo, f.Goats, f.Pigs, f.Horses, f.Poultry} {
		if n != 0 {
			r[colCattle+i] = strconv.Itoa(n)
		}
	}
	r[colNIK], r[colName], r[colSex], r[colBirthPlace], r[colBirthDate] = p.NIK, p.Name, p.Sex, p.BirthPlace, p.BirthDate
	r[colRelation], r[colMarital], r[colMother], r[colEducation] = p.Relation, p.MaritalStatus, p.MotherName, p.Education
	r[colSchoolLevel], r[colSchoolID], r[colOccupation] = p.SchoolLevel, p.SchoolID, p.Occupation
	r[colDisability], r[colDisabilitySeverity] = p.Disability, p.DisabilitySeverity
	if p.Pregnant {
		r[colPregnant] = "ya"
	}
	r[colPPKS] = strings.Join(p.PPKS, "|")
	r[colStatus], r[colStatusReason] = p.Status, p.StatusReason
	return r
}

// parseISODate parses YYYY-MM-DD exactly as time.Parse(time.DateOnly, s)
// does, without its general layout machinery: the import reads a million
// birth dates.
func parseISODate(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(b string) (int, bool) {
		n := 0
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, false
			}
			n = n*10 + int(b[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // day 31 of a 30-day month, 29 February of a common year
		return time.Time{}, false
	}
	return t, true
}
