package region

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestReadCSVAcceptsBOMAndCRLF(t *testing.T) {
	in := "\uFEFFkode,nama\r\n" +
		"32.04,Kabupaten Bandung\r\n" +
		"32,Jawa Barat\r\n" +
		"\r\n" + // blank lines are skipped
		"32.04.28,Rancaekek \r\n" + // trailing space trimmed
		"32.04.28.2001,\"Rancaekek Wetan, Kulon\"\r\n" +
		"53.07.01.2021,Regapu’u\r\n" +
		"53.07.01,Paga\r\n" +
		"53.07,Kabupaten Sikka\r\n" +
		"53,Nusa Tenggara Timur" // no final line end
	got, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Region{
		{"32", "Jawa Barat", 1, "", true},
		{"32.04", "Kabupaten Bandung", 2, "32", true},
		{"32.04.28", "Rancaekek", 3, "32.04", true},
		{"32.04.28.2001", "Rancaekek Wetan, Kulon", 4, "32.04.28", true},
		{"53", "Nusa Tenggara Timur", 1, "", true},
		{"53.07", "Kabupaten Sikka", 2, "53", true},
		{"53.07.01", "Paga", 3, "53.07", true},
		{"53.07.01.2021", "Regapu’u", 4, "53.07.01", true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%v\nwant\n%v", got, want)
	}

	// LF only, header in other case, extra column ignored.
	got, err = ReadCSV(strings.NewReader("KODE,Nama,sumber\n11,Aceh,x\n"))
	if err != nil || len(got) != 1 || got[0].Name != "Aceh" {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestReadCSVErrors(t *testing.T) {
	in := strings.Join([]string{
		"kode,nama",                     // 1
		"11,Aceh",                       // 2
		"11.01,Kabupaten Simeulue",      // 3
		"11.1,Kabupaten Salah",          // 4 bad code shape
		"11.01,Kabupaten Simeulue Lagi", // 5 duplicate of line 3
		"12.01,Kabupaten Yatim",         // 6 parent 12 missing
		"11.02,  ",                      // 7 empty name
		"11.03",                         // 8 one field
		`11.04,Kampung "Baru"`,          // 9 bare quote
		"1101,Tanpa Titik",              // 10 dots missing
		"11.01.01,Teupah Selatan",       // 11 fine
		"11.01.01.2001,\xff\xfe",        // 12 not UTF-8
		"11.05.01.2001,Desa Yatim",      // 13 parent 11.05.01 missing
		"11.01.01,Teupah Selatan",       // 14 duplicate of line 11
	}, "\r\n")
	_, err := ReadCSV(strings.NewReader(in))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	t.Log(msg)
	wants := []string{
		"10 bad rows",
		`line 4: region code "11.1": wrong length`,
		"line 5: duplicate code 11.01 (first on line 3)",
		"line 6: parent 12 of 12.01 is not in the file",
		"line 7: region 11.02: empty name",
		"line 8: want 2 fields kode,nama, got 1",
		"line 9: bare \"",
		`line 10: region code "1101": dots missing`,
		"line 12: region 11.01.01.2001: name is not valid UTF-8",
		"line 13: parent 11.05.01 of 11.05.01.2001 is not in the file",
		"line 14: duplicate code 11.01.01 (first on line 11)",
	}
	last := -1
	for _, w := range wants {
		i := strings.Index(msg, w)
		if i < 0 {
			t.Errorf("error lacks %q", w)
			continue
		}
		if i < last {
			t.Errorf("%q is out of line order", w)
		}
		last = i
	}
	for _, bad := range []string{"line 2:", "line 3:", "line 11:"} {
		if strings.Contains(msg, bad) {
			t.Errorf("error names a good line: %s", bad)
		}
	}
}

func TestReadCSVCapsErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("kode,nama\n11,Aceh\n")
	for i := range 30 {
		fmt.Fprintf(&b, "11.%02d.0x,Salah\n", i+1) // every one malformed
	}
	_, err := ReadCSV(strings.NewReader(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if n := strings.Count(msg, "\nline "); n != 20 {
		t.Errorf("%d problems listed, want 20:\n%s", n, msg)
	}
	if !strings.Contains(msg, "30 bad rows") || !strings.Contains(msg, "and 10 more problems") {
		t.Errorf("error does not count the rest:\n%s", msg)
	}
}

func TestReadCSVHeader(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "empty file",
		"11,Aceh\n12,Sumut\n":  "want the header kode,nama",
		"code,name\n11,Aceh\n": "want the header kode,nama",
		"kode\n11\n":           "want the header kode,nama",
		"kode,nama\n":          "no regions",
		"\uFEFFkode,nama\r\n":  "no regions",
	} {
		_, err := ReadCSV(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadCSV(%q) = %v, want error containing %q", in, err, want)
		}
	}
}
