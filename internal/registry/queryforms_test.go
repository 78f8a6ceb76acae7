package registry

import (
	"slices"
	"strings"
	"testing"
)

// TestQueryFormsPrefixes: every prefix of two letters or more of a word of
// a name finds that name, whatever spelling rule or variant the rest of the
// word would bring into play. Names: namesForKeys and the name lists of
// ../shared/data/names when present.
func TestQueryFormsPrefixes(t *testing.T) {
	names := append(slices.Clone(namesForKeys), "Rachmat Hidayat", "Mochtar Lubis", "Soeharto", "Tjipto", "Sjafruddin", "Khadijah")
	for _, line := range sharedNameLines() {
		names = append(names, strings.Split(line, ",")...)
	}
	failed := 0
	for _, name := range names {
		key := NameKey(name)
		for _, w := range queryWords(name) {
			for n := 2; n <= len(w); n++ {
				prefix := w[:n]
				forms := queryForms(prefix)
				if len(forms) == 0 {
					continue // no letters that fold to anything
				}
				found := false
				for _, f := range forms[0] {
					if strings.Contains(key, " "+f) {
						found = true
						break
					}
				}
				if !found && failed < 20 {
					t.Errorf("%q (from %q) finds nothing in key %q: forms %q", prefix, name, key, forms[0])
				}
				if !found {
					failed++
				}
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d prefixes in all find nothing", failed)
	}
}

func TestQueryForms(t *testing.T) {
	cases := map[string][]string{
		"rac":           {"rac", "rah"},
		"ac so":         {"ac", "ah", "|", "so", "su"},
		"muha":          {"muha", "mhd"},
		"Rizki":         {"rizki"},
		"d":             {"d"}, // a single letter stays as typed
		"a b c d e f g": {"a", "|", "b", "|", "c", "|", "d", "|", "e", "|", "f"},
	}
	for q, want := range cases {
		var got []string
		for i, forms := range queryForms(q) {
			if i > 0 {
				got = append(got, "|")
			}
			got = append(got, forms...)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("queryForms(%q) = %q, want %q", q, got, want)
		}
	}
}
