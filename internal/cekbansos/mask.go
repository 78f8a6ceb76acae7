package cekbansos

import (
	"strings"
	"unicode/utf8"
)

// MaskName masks a name as the public check shows it: each word keeps its
// first and last letter, every letter between becomes an asterisk
// ("WAWAN LESTARI" → "W***N L*****I"). Words of one or two letters stay
// as they are. Upper case, like the KTP.
func MaskName(name string) string {
	var b strings.Builder
	for i, w := range strings.Fields(strings.ToUpper(name)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		n := utf8.RuneCountInString(w)
		if n <= 2 {
			b.WriteString(w)
			continue
		}
		first, _ := utf8.DecodeRuneInString(w)
		last, _ := utf8.DecodeLastRuneInString(w)
		b.WriteRune(first)
		b.WriteString(strings.Repeat("*", n-2))
		b.WriteRune(last)
	}
	return b.String()
}
