package seed

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Names holds the name lists people are named from.
type Names struct {
	MaleFirst, FemaleFirst, MaleLast, FemaleLast []string
}

// LoadNames reads a names file with columns kind,name (for example
// ../shared/data/names/indonesian-names.csv). Kinds first_names_male,
// first_names_female, last_names_male and last_names_female are used; other
// kinds (prefixes_*, suffixes) are ignored. Every one of the four lists must
// be non-empty.
func LoadNames(path string) (Names, error) {
	f, err := os.Open(path)
	if err != nil {
		return Names{}, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return Names{}, fmt.Errorf("%s: reading header: %w", path, err)
	}
	ki, ni := -1, -1
	for i, h := range head {
		switch strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) {
		case "kind":
			ki = i
		case "name":
			ni = i
		}
	}
	if ki < 0 || ni < 0 {
		return Names{}, fmt.Errorf("%s: header must have columns kind,name", path)
	}
	var n Names
	line := 1
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			return Names{}, fmt.Errorf("%s: %w", path, err)
		}
		if ki >= len(rec) || ni >= len(rec) {
			return Names{}, fmt.Errorf("%s:%d: too few columns", path, line)
		}
		name := strings.TrimSpace(rec[ni])
		if name == "" {
			continue
		}
		switch strings.TrimSpace(rec[ki]) {
		case "first_names_male":
			n.MaleFirst = append(n.MaleFirst, name)
		case "first_names_female":
			n.FemaleFirst = append(n.FemaleFirst, name)
		case "last_names_male":
			n.MaleLast = append(n.MaleLast, name)
		case "last_names_female":
			n.FemaleLast = append(n.FemaleLast, name)
		}
	}
	if len(n.MaleFirst) == 0 || len(n.FemaleFirst) == 0 || len(n.MaleLast) == 0 || len(n.FemaleLast) == 0 {
		return Names{}, fmt.Errorf("%s: need first_names_male, first_names_female, last_names_male and last_names_female", path)
	}
	return n, nil
}

// BuiltinNames returns a small built-in list of common Indonesian names, used
// when the shared names file is absent.
func BuiltinNames() Names {
	return Names{
		MaleFirst: []string{"Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dian", "Eko", "Fajar",
			"Hadi", "Hendra", "Heru", "Imam", "Indra", "Joko", "Kurniawan", "Made", "Muhammad", "Nur",
			"Rahmat", "Rizki", "Rudi", "Slamet", "Sugeng", "Sutrisno", "Suparman", "Teguh", "Wahyu", "Wayan",
			"Yusuf", "Zainal", "Abdul", "Asep", "Dodi", "Ketut", "Nyoman", "Ujang", "Yohanes", "Iwan"},
		FemaleFirst: []string{"Ani", "Ayu", "Dewi", "Dwi", "Endang", "Eni", "Fitri", "Indah", "Intan", "Kartini",
			"Lina", "Lestari", "Maria", "Mega", "Nur", "Nurul", "Putri", "Ratna", "Rina", "Rini",
			"Sari", "Siti", "Sri", "Sumiati", "Suryani", "Tri", "Tuti", "Wati", "Wulan", "Yanti",
			"Yuli", "Yuni", "Ningsih", "Aminah", "Fatimah", "Kadek", "Komang", "Nining", "Rahmawati", "Susi"},
		MaleLast: []string{"Hidayat", "Kurniawan", "Nugroho", "Pratama", "Saputra", "Setiawan", "Santoso", "Siregar",
			"Simanjuntak", "Nasution", "Harahap", "Lubis", "Wijaya", "Gunawan", "Susanto", "Prasetyo", "Hakim",
			"Firmansyah", "Ramadhan", "Sinaga"},
		FemaleLast: []string{"Lestari", "Rahayu", "Wulandari", "Handayani", "Susanti", "Puspita", "Anggraini",
			"Safitri", "Rahmawati", "Hasanah", "Utami", "Wahyuni"},
	}
}

// normNames upper-cases the lists (names on the KTP are in capitals) and
// fills empty lists from BuiltinNames.
func normNames(n Names) Names {
	b := BuiltinNames()
	up := func(l, def []string) []string {
		if len(l) == 0 {
			l = def
		}
		out := make([]string, 0, len(l))
		for _, s := range l {
			s = strings.ToUpper(strings.Join(strings.Fields(s), " "))
			if s != "" {
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			return up2(def)
		}
		return out
	}
	return Names{
		MaleFirst:   up(n.MaleFirst, b.MaleFirst),
		FemaleFirst: up(n.FemaleFirst, b.FemaleFirst),
		MaleLast:    up(n.MaleLast, b.MaleLast),
		FemaleLast:  up(n.FemaleLast, b.FemaleLast),
	}
}

func up2(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strings.ToUpper(s)
	}
	return out
}
