package seed

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Village is a village (desa/kelurahan) families are placed in.
type Village struct {
	Code   string  // Kemendagri code "PP.KK.CC.DDDD"
	Weight float64 // relative population share
}

// LoadPopulationWeights reads a population file with columns
// kode,nama,pria,wanita,total (for example
// ../shared/data/regions/population-2024.csv) and returns the total
// population of every regency/city ("PP.KK"). Province rows ("PP") and the
// national row ("0") are skipped.
func LoadPopulationWeights(path string) (map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", path, err)
	}
	ki, ti := -1, -1
	for i, h := range head {
		switch strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) {
		case "kode":
			ki = i
		case "total":
			ti = i
		}
	}
	if ki < 0 || ti < 0 {
		return nil, fmt.Errorf("%s: header must have columns kode and total", path)
	}
	out := map[string]int64{}
	line := 1
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if ki >= len(rec) || ti >= len(rec) {
			return nil, fmt.Errorf("%s:%d: too few columns", path, line)
		}
		code := strings.TrimSpace(rec[ki])
		if !isRegencyCode(code) {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSpace(rec[ti]), 10, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%s:%d: bad total %q", path, line, rec[ti])
		}
		out[code] = v
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no regency rows", path)
	}
	return out, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isRegencyCode(s string) bool {
	return len(s) == 5 && s[2] == '.' && isDigits(s[:2]) && isDigits(s[3:])
}

// isVillageCode reports whether s has the form PP.KK.CC.DDDD.
func isVillageCode(s string) bool {
	return len(s) == 13 && s[2] == '.' && s[5] == '.' && s[8] == '.' &&
		isDigits(s[:2]) && isDigits(s[3:5]) && isDigits(s[6:8]) && isDigits(s[9:])
}

// Villages spreads every regency's weight evenly over the given village codes
// of that regency. Villages of regencies missing from regencyWeights get the
// mean weight of the other villages (1 when no village has a weight). Codes
// that are not of the form PP.KK.CC.DDDD are skipped; the order of the input
// is kept.
func Villages(villageCodes []string, regencyWeights map[string]int64) []Village {
	codes := make([]string, 0, len(villageCodes))
	count := map[string]int{}
	for _, c := range villageCodes {
		c = strings.TrimSpace(c)
		if !isVillageCode(c) {
			continue
		}
		codes = append(codes, c)
		count[c[:5]]++
	}
	out := make([]Village, len(codes))
	sum, known := 0.0, 0
	for i, c := range codes {
		w, ok := regencyWeights[c[:5]]
		if !ok {
			out[i] = Village{Code: c, Weight: -1}
			continue
		}
		out[i] = Village{Code: c, Weight: float64(w) / float64(count[c[:5]])}
		sum += out[i].Weight
		known++
	}
	mean := 1.0
	if known > 0 {
		mean = sum / float64(known)
	}
	for i := range out {
		if out[i].Weight < 0 {
			out[i].Weight = mean
		}
	}
	return out
}

// province holds what the generator knows of a province: an approximate
// centre and extent for coordinates, and places of birth.
type province struct {
	lat, lon     float64
	dlat, dlon   float64
	places       []string
	pigs, horses bool
}

var provinces = map[int]*province{
	11: {4.4, 96.9, 1.0, 1.2, []string{"BANDA ACEH", "LHOKSEUMAWE", "ACEH UTARA", "BIREUEN", "PIDIE"}, false, false},
	12: {2.2, 99.3, 1.2, 1.2, []string{"MEDAN", "DELI SERDANG", "PEMATANGSIANTAR", "TAPANULI UTARA", "ASAHAN"}, true, false},
	13: {-0.8, 100.5, 0.9, 0.8, []string{"PADANG", "BUKITTINGGI", "AGAM", "PESISIR SELATAN"}, false, false},
	14: {0.5, 101.7, 0.9, 1.0, []string{"PEKANBARU", "DUMAI", "KAMPAR", "INDRAGIRI HILIR"}, false, false},
	15: {-1.6, 102.9, 0.7, 1.0, []string{"JAMBI", "MERANGIN", "KERINCI", "MUARO JAMBI"}, false, false},
	16: {-3.2, 104.2, 0.9, 1.1, []string{"PALEMBANG", "OGAN KOMERING ILIR", "MUARA ENIM", "LAHAT"}, false, false},
	17: {-3.6, 102.3, 0.8, 0.6, []string{"BENGKULU", "REJANG LEBONG", "BENGKULU UTARA"}, false, false},
	18: {-4.9, 105.0, 0.6, 0.8, []string{"BANDAR LAMPUNG", "METRO", "LAMPUNG TENGAH", "LAMPUNG SELATAN"}, false, false},
	19: {-2.4, 106.4, 0.6, 0.9, []string{"PANGKAL PINANG", "BANGKA", "BELITUNG"}, false, false},
	21: {1.0, 104.3, 0.6, 0.8, []string{"BATAM", "TANJUNG PINANG", "KARIMUN"}, false, false},
	31: {-6.2, 106.85, 0.1, 0.1, []string{"JAKARTA"}, false, false},
	32: {-6.9, 107.6, 0.4, 1.0, []string{"BANDUNG", "BOGOR", "BEKASI", "GARUT", "CIREBON", "TASIKMALAYA", "SUKABUMI"}, false, false},
	33: {-7.2, 110.2, 0.4, 1.1, []string{"SEMARANG", "SURAKARTA", "BANYUMAS", "KLATEN", "BREBES", "PATI", "KEBUMEN"}, false, false},
	34: {-7.85, 110.4, 0.15, 0.2, []string{"YOGYAKARTA", "SLEMAN", "BANTUL", "GUNUNGKIDUL", "KULON PROGO"}, false, false},
	35: {-7.6, 112.5, 0.4, 1.6, []string{"SURABAYA", "MALANG", "JEMBER", "KEDIRI", "SIDOARJO", "BANYUWANGI", "LAMONGAN"}, false, false},
	36: {-6.4, 106.1, 0.3, 0.5, []string{"SERANG", "TANGERANG", "PANDEGLANG", "LEBAK", "CILEGON"}, false, false},
	51: {-8.4, 115.2, 0.2, 0.4, []string{"DENPASAR", "GIANYAR", "BULELENG", "TABANAN"}, true, false},
	52: {-8.6, 117.3, 0.2, 1.4, []string{"MATARAM", "LOMBOK TIMUR", "LOMBOK TENGAH", "BIMA", "SUMBAWA"}, false, true},
	53: {-9.3, 121.5, 0.7, 2.2, []string{"KUPANG", "ENDE", "SIKKA", "MANGGARAI", "SUMBA TIMUR"}, true, true},
	61: {0.0, 110.5, 1.2, 1.3, []string{"PONTIANAK", "SINGKAWANG", "SAMBAS", "KETAPANG"}, true, false},
	62: {-1.7, 113.4, 1.0, 1.3, []string{"PALANGKA RAYA", "KOTAWARINGIN TIMUR", "KAPUAS"}, false, false},
	63: {-3.1, 115.3, 0.6, 0.6, []string{"BANJARMASIN", "BANJAR", "BANJARBARU", "HULU SUNGAI SELATAN"}, false, false},
	64: {0.5, 116.4, 1.2, 1.0, []string{"SAMARINDA", "BALIKPAPAN", "KUTAI KARTANEGARA", "BONTANG"}, false, false},
	65: {3.0, 116.3, 0.7, 0.7, []string{"TARAKAN", "BULUNGAN", "NUNUKAN"}, false, false},
	71: {1.2, 124.6, 0.5, 0.8, []string{"MANADO", "MINAHASA", "BITUNG", "KEPULAUAN SANGIHE"}, true, false},
	72: {-1.4, 121.4, 1.0, 1.3, []string{"PALU", "POSO", "DONGGALA", "BANGGAI"}, true, false},
	73: {-4.0, 120.0, 1.2, 0.6, []string{"MAKASSAR", "BONE", "GOWA", "PAREPARE", "PALOPO"}, false, true},
	74: {-4.1, 122.2, 0.8, 0.7, []string{"KENDARI", "BAUBAU", "MUNA", "KOLAKA"}, false, false},
	75: {0.7, 122.4, 0.2, 0.8, []string{"GORONTALO", "BOALEMO", "POHUWATO"}, false, false},
	76: {-2.5, 119.2, 0.6, 0.4, []string{"MAMUJU", "POLEWALI MANDAR", "MAJENE"}, false, false},
	81: {-3.2, 129.5, 1.0, 2.5, []string{"AMBON", "MALUKU TENGAH", "TUAL"}, true, false},
	82: {1.0, 127.8, 1.0, 0.8, []string{"TERNATE", "TIDORE KEPULAUAN", "HALMAHERA UTARA"}, true, false},
	91: {-2.5, 139.5, 0.5, 1.2, []string{"JAYAPURA", "BIAK NUMFOR", "SARMI"}, true, false},
	92: {-1.3, 133.5, 0.8, 1.0, []string{"MANOKWARI", "FAKFAK", "KAIMANA"}, true, false},
	93: {-7.0, 139.5, 1.0, 1.0, []string{"MERAUKE", "BOVEN DIGOEL", "MAPPI"}, true, false},
	94: {-3.7, 136.5, 0.6, 1.2, []string{"NABIRE", "MIMIKA", "PANIAI"}, true, false},
	95: {-4.1, 139.0, 0.4, 0.8, []string{"WAMENA", "JAYAWIJAYA", "YAHUKIMO"}, true, false},
	96: {-1.0, 131.5, 0.5, 0.8, []string{"SORONG", "RAJA AMPAT", "TAMBRAUW"}, true, false},
}

// provinceCodes lists the keys of provinces in order, for deterministic
// choices of "another province".
var provinceCodes = []int{11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53,
	61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96}

// fnv64 is FNV-1a; it derives stable per-village values from the code.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	// final mix so that nearby codes spread
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

var errNoVillages = errors.New("seed: no villages")
