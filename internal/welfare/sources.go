package welfare

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/registry"
)

// A source is what an indicator measures: a family attribute (floor
// material, an asset, a livestock count) or an aggregate of the family's
// active members (household size, head's education, dependency ratio). A
// categorical source takes the codes of a registry code set and is scored
// with a value mapping; a numeric source is scored with bands or linearly.
type source struct {
	name  string
	label string // Indonesian, for docs and error messages
	set   *registry.CodeSet
	fam   famNeed
	aggs  []aggID
	// cat returns the code index + 1 of the family's value, 0 when empty.
	cat func(h *household) int
	// num returns the value, false when it is unknown.
	num func(h *household) (float64, bool)
}

func (s *source) categorical() bool { return s.set != nil }

// value returns the family's value of the source as shown in a breakdown:
// a code's Indonesian label or a number, "" when unknown.
func (s *source) value(h *household) string {
	if s.categorical() {
		i := s.cat(h)
		if i == 0 {
			return ""
		}
		return s.set.Label(s.set.Codes[i-1])
	}
	v, ok := s.num(h)
	if !ok {
		return ""
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// famNeed is a bit set of family columns a source reads.
type famNeed uint32

const (
	needFloor famNeed = 1 << iota
	needWall
	needRoof
	needWater
	needSanitation
	needElectricity
	needFuel
	needHouse
	needLand
	needArea
	needAssets
	needLivestock
)

// famCat are the categorical family attributes, in household.cat order.
var famCat = []struct {
	need   famNeed
	column string
	set    *registry.CodeSet
}{
	{needFloor, "floor_material", registry.FloorMaterial},
	{needWall, "wall_material", registry.WallMaterial},
	{needRoof, "roof_material", registry.RoofMaterial},
	{needWater, "water_source", registry.WaterSource},
	{needSanitation, "sanitation", registry.Sanitation},
	{needElectricity, "electricity", registry.Electricity},
	{needFuel, "cooking_fuel", registry.CookingFuel},
	{needHouse, "house_ownership", registry.HouseOwnership},
	{needLand, "land_ownership", registry.LandOwnership},
}

var livestockColumns = []string{"cattle", "buffalo", "goats", "pigs", "horses", "poultry"}

// aggID names an aggregate over a family's active members.
type aggID int

const (
	aggKids        aggID = iota // under 15
	aggUnder5                   // under 5
	aggOld60                    // 60 and over
	aggOld65                    // 65 and over
	aggNoSchool                 // 15 and over with no schooling
	aggOutOfSchool              // 7 to 18 and not enrolled
	aggDisabled                 // any disability
	aggSevere                   // severe disability
	aggWorkers                  // working (an occupation other than none, housework, student, retired)
	aggRegular                  // regular income: formal employment or a state pension
	aggMaxEdu                   // highest education, as an index of registry.Education
	nIntAgg
	aggHead = nIntAgg // the head's education, occupation, sex and birth date
)

// notWorking are the occupations that are not work for aggWorkers.
var notWorking = []string{"tidak_bekerja", "mengurus_rumah_tangga", "pelajar", "pensiunan"}

// regularIncome are the occupations with a regular wage or pension.
var regularIncome = []string{"karyawan_swasta", "asn", "tni", "polri", "pensiunan", "perangkat_desa",
	"guru_bersertifikat", "tenaga_kesehatan", "dokter", "dosen", "karyawan_bumn", "pemilik_perusahaan"}

// refDates are the birth-date limits of the age groups on the reference
// day of a run, as YYYY-MM-DD text: a person born on or before d65 is 65 or
// older. Dates compare as text on both engines.
type refDates struct {
	day                        string
	d5, d7, d15, d19, d60, d65 string
	y, m, d                    int
}

func newRefDates(t time.Time) refDates {
	t = t.UTC()
	back := func(years int) string { return t.AddDate(-years, 0, 0).Format(time.DateOnly) }
	return refDates{day: t.Format(time.DateOnly), d5: back(5), d7: back(7), d15: back(15), d19: back(19),
		d60: back(60), d65: back(65), y: t.Year(), m: int(t.Month()), d: t.Day()}
}

// household is what the sources read of one family: its attributes and the
// aggregates of its active members.
type household struct {
	id, version int64
	village     string
	cat         [9]int // code index + 1 per famCat entry, 0 when empty
	area        int64
	hasArea     bool
	assets      uint32 // bit i: registry.Asset.Codes[i]
	stock       [6]int64
	n           int64 // active members
	agg         [nIntAgg]int64
	hasHead     bool
	headEdu     int // code index + 1, 0 when unknown
	headOcc     int
	headFemale  bool
	headBirth   string
	ref         *refDates
}

func (h *household) province() string {
	if len(h.village) < 2 {
		return h.village
	}
	return h.village[:2]
}

// headAge returns the head's age in full years on the reference day.
func (h *household) headAge() (float64, bool) {
	b := h.headBirth
	if !h.hasHead || len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	y, e1 := strconv.Atoi(b[0:4])
	m, e2 := strconv.Atoi(b[5:7])
	d, e3 := strconv.Atoi(b[8:10])
	if e1 != nil || e2 != nil || e3 != nil {
		return 0, false
	}
	age := h.ref.y - y
	if h.ref.m < m || h.ref.m == m && h.ref.d < d {
		age--
	}
	if age < 0 {
		return 0, false
	}
	return float64(age), true
}

// codeIndex maps the codes of a set to their index + 1.
func codeIndex(set *registry.CodeSet) map[string]int {
	m := make(map[string]int, len(set.Codes))
	for i, c := range set.Codes {
		m[c] = i + 1
	}
	return m
}

var (
	famCatIndex = func() []map[string]int {
		out := make([]map[string]int, len(famCat))
		for i, c := range famCat {
			out[i] = codeIndex(c.set)
		}
		return out
	}()
	assetIndex      = codeIndex(registry.Asset)
	educationIndex  = codeIndex(registry.Education)
	occupationIndex = codeIndex(registry.Occupation)
)

// parseAssets turns the stored "a|b|c" list into a bit set.
func parseAssets(s string) uint32 {
	var bits uint32
	for s != "" {
		var a string
		a, s, _ = strings.Cut(s, "|")
		if i := assetIndex[a]; i > 0 {
			bits |= 1 << (i - 1)
		}
	}
	return bits
}

func ratio(num, den int64) (float64, bool) {
	if den <= 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

func count(v int64) (float64, bool) { return float64(v), true }

func flag(b bool) (float64, bool) {
	if b {
		return 1, true
	}
	return 0, true
}

// sources lists every source a model may name, by name.
var sources = func() map[string]*source {
	m := map[string]*source{}
	add := func(s *source) { m[s.name] = s }
	for i, c := range famCat {
		i := i
		add(&source{name: c.set.Field, label: c.set.Field, set: c.set, fam: c.need,
			cat: func(h *household) int { return h.cat[i] }})
	}
	add(&source{name: "luas_lantai", label: "luas lantai (m²)", fam: needArea,
		num: func(h *household) (float64, bool) { return float64(h.area), h.hasArea }})
	add(&source{name: "luas_lantai_per_kapita", label: "luas lantai per anggota aktif (m²)", fam: needArea,
		num: func(h *household) (float64, bool) {
			if !h.hasArea || h.n == 0 {
				return 0, false
			}
			return float64(h.area) / float64(h.n), true
		}})
	for i, code := range registry.Asset.Codes {
		bit := uint32(1) << i
		add(&source{name: "aset." + code, label: "memiliki " + registry.Asset.Label(code), fam: needAssets,
			num: func(h *household) (float64, bool) { return flag(h.assets&bit != 0) }})
	}
	add(&source{name: "jumlah_aset", label: "jumlah jenis aset", fam: needAssets,
		num: func(h *household) (float64, bool) {
			n := 0
			for b := h.assets; b != 0; b &= b - 1 {
				n++
			}
			return float64(n), true
		}})
	for i, col := range registry.Livestock {
		i := i
		add(&source{name: col, label: "jumlah " + strings.ReplaceAll(col, "_", " "), fam: needLivestock,
			num: func(h *household) (float64, bool) { return count(h.stock[i]) }})
	}
	add(&source{name: "ternak_besar", label: "sapi, kerbau dan kuda (ekor)", fam: needLivestock,
		num: func(h *household) (float64, bool) { return count(h.stock[0] + h.stock[1] + h.stock[4]) }})
	add(&source{name: "ternak_kecil", label: "kambing dan babi (ekor)", fam: needLivestock,
		num: func(h *household) (float64, bool) { return count(h.stock[2] + h.stock[3]) }})

	add(&source{name: "jumlah_anggota", label: "jumlah anggota aktif",
		num: func(h *household) (float64, bool) { return count(h.n) }})
	add(&source{name: "jumlah_anak", label: "anggota di bawah 15 tahun", aggs: []aggID{aggKids},
		num: func(h *household) (float64, bool) { return count(h.agg[aggKids]) }})
	add(&source{name: "jumlah_balita", label: "anggota di bawah 5 tahun", aggs: []aggID{aggUnder5},
		num: func(h *household) (float64, bool) { return count(h.agg[aggUnder5]) }})
	add(&source{name: "jumlah_lansia", label: "anggota 60 tahun ke atas", aggs: []aggID{aggOld60},
		num: func(h *household) (float64, bool) { return count(h.agg[aggOld60]) }})
	add(&source{name: "rasio_ketergantungan", label: "(anak < 15 + lansia 65+) / anggota 15-64; tidak diketahui tanpa anggota usia kerja",
		aggs: []aggID{aggKids, aggOld65},
		num: func(h *household) (float64, bool) {
			dep := h.agg[aggKids] + h.agg[aggOld65]
			return ratio(dep, h.n-dep)
		}})
	add(&source{name: "porsi_tidak_sekolah", label: "bagian anggota 15+ yang tidak/belum pernah sekolah", aggs: []aggID{aggKids, aggNoSchool},
		num: func(h *household) (float64, bool) { return ratio(h.agg[aggNoSchool], h.n-h.agg[aggKids]) }})
	add(&source{name: "anak_tidak_sekolah", label: "anggota 7-18 tahun yang tidak bersekolah", aggs: []aggID{aggOutOfSchool},
		num: func(h *household) (float64, bool) { return count(h.agg[aggOutOfSchool]) }})
	add(&source{name: "jumlah_disabilitas", label: "anggota penyandang disabilitas", aggs: []aggID{aggDisabled},
		num: func(h *household) (float64, bool) { return count(h.agg[aggDisabled]) }})
	add(&source{name: "ada_disabilitas", label: "ada anggota penyandang disabilitas (1/0)", aggs: []aggID{aggDisabled},
		num: func(h *household) (float64, bool) { return flag(h.agg[aggDisabled] > 0) }})
	add(&source{name: "disabilitas_berat", label: "anggota dengan disabilitas berat", aggs: []aggID{aggSevere},
		num: func(h *household) (float64, bool) { return count(h.agg[aggSevere]) }})
	add(&source{name: "jumlah_bekerja", label: "anggota yang bekerja", aggs: []aggID{aggWorkers},
		num: func(h *household) (float64, bool) { return count(h.agg[aggWorkers]) }})
	add(&source{name: "porsi_bekerja", label: "bagian anggota yang bekerja", aggs: []aggID{aggWorkers},
		num: func(h *household) (float64, bool) { return ratio(h.agg[aggWorkers], h.n) }})
	add(&source{name: "jumlah_penghasilan_tetap", label: "anggota berpenghasilan tetap (pekerja formal atau pensiunan)", aggs: []aggID{aggRegular},
		num: func(h *household) (float64, bool) { return count(h.agg[aggRegular]) }})
	add(&source{name: "pendidikan_kepala", label: "pendidikan kepala keluarga", set: registry.Education, aggs: []aggID{aggHead},
		cat: func(h *household) int { return h.headEdu }})
	add(&source{name: "pekerjaan_kepala", label: "pekerjaan kepala keluarga", set: registry.Occupation, aggs: []aggID{aggHead},
		cat: func(h *household) int { return h.headOcc }})
	add(&source{name: "pendidikan_tertinggi", label: "pendidikan tertinggi anggota", set: registry.Education, aggs: []aggID{aggMaxEdu},
		cat: func(h *household) int { return int(h.agg[aggMaxEdu]) + 1 }})
	add(&source{name: "kepala_perempuan", label: "kepala keluarga perempuan (1/0)", aggs: []aggID{aggHead},
		num: func(h *household) (float64, bool) {
			if !h.hasHead {
				return 0, false
			}
			return flag(h.headFemale)
		}})
	add(&source{name: "usia_kepala", label: "usia kepala keluarga (tahun)", aggs: []aggID{aggHead},
		num: func(h *household) (float64, bool) { return h.headAge() }})
	return m
}()

// SourceNames returns the names of every source, sorted.
func SourceNames() []string {
	out := make([]string, 0, len(sources))
	for n := range sources {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
