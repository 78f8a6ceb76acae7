package registry

import (
	"bufio"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// namesForKeys are names with every spelling the fast path folds, and the
// edges of its tokenizer.
var namesForKeys = []string{
	"Muhammad Rizki", "MOH. RIZKI", "Mochammad Rizki", "Siti Aminah", "St. Aminah", "SITI AMMINAH",
	"Soekarno", "Djoko Tjahjono", "Achmad", "Khairul", "Chairul", "Phillip", "Thomas", "Dhani",
	"Sjahrir", "Njoman", "Oei", "Ahmad  bin   Abd.", " Anna ", "O'Neil-Smith", "a", "", "  ", "1234",
	"Ni Luh Putu", "I Gusti Ngurah", "Tjoet Nja' Dhien", "Moeh Djojohadikoesoemo", "jjjj", "Ooee",
	strings.Repeat("a", 70) + " b", strings.Repeat("Oe", 40), "Abdul-Rahman al_Habsyi", "Mhd`Yusuf",
}

// TestNameKeyASCII holds the ASCII fast path to the general one: on the
// names above, on the name lists of ../shared/data/names when present, and
// on random ASCII text.
func TestNameKeyASCII(t *testing.T) {
	names := append(slices.Clone(namesForKeys), sharedNameLines()...)
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aeioujdtsnckphgyAEIOUJDTSNCKPHGY .'-,0`\t"
	for range 20000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		names = append(names, string(b))
	}
	checked := 0
	for _, n := range names {
		if !isASCII(n) {
			continue
		}
		checked++
		if got, want := nameKeyASCII(n), nameKeyGeneral(n); got != want {
			t.Errorf("nameKeyASCII(%q) = %q, general %q", n, got, want)
		}
		if got, want := CleanName(n), strings.Join(strings.Fields(n), " "); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", n, got, want)
		}
	}
	if checked < 20000 {
		t.Fatalf("only %d ASCII names checked", checked)
	}
	if NameKey("Çağlar Öztürk") != nameKeyGeneral("Çağlar Öztürk") {
		t.Error("a non-ASCII name must take the general path")
	}
}

// TestParseISODate holds parseISODate to time.Parse(time.DateOnly, s).
func TestParseISODate(t *testing.T) {
	in := []string{"2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2024-04-31", "2024-12-31",
		"2024-13-01", "2024-00-10", "2024-01-00", "0000-01-01", "9999-12-31", "2024-1-01", "2024/01/01",
		"20240101", "2024-01-0a", " 024-01-01", "+024-01-01", "2024-01-01 ", "", "2024-06-15"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		in = append(in, time.Date(1850+rng.IntN(200), time.Month(1+rng.IntN(12)), 1+rng.IntN(31), 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
			string([]byte{byte('0' + rng.IntN(10)), '0', '2', '4', '-', byte('0' + rng.IntN(2)), byte('0' + rng.IntN(10)), '-', byte('0' + rng.IntN(4)), byte('0' + rng.IntN(10))}))
	}
	for _, s := range in {
		want, err := time.Parse(time.DateOnly, s)
		got, ok := parseISODate(s)
		if ok != (err == nil) || (ok && !got.Equal(want)) {
			t.Errorf("parseISODate(%q) = %v, %v; time.Parse: %v, %v", s, got, ok, want, err)
		}
		if d, ok := ParseDate(s); err == nil && (!ok || d != want.Format(time.DateOnly)) {
			t.Errorf("ParseDate(%q) = %q, %v", s, d, ok)
		}
	}
}

// sharedNameLines returns the lines of the name lists in ../shared/data/names,
// or none when that folder is absent.
func sharedNameLines() []string {
	var lines []string
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "data", "names", "*"))
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		fh.Close()
	}
	return lines
}
