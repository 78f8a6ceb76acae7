package registry

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// nameVariants maps common spellings of a name token to one form, so that
// search finds Muhammad when Moh. was typed, and Siti when St. was.
var nameVariants = map[string]string{
	"muhammad": "mhd", "muhamad": "mhd", "mohammad": "mhd", "mohamad": "mhd", "mochammad": "mhd",
	"mochamad": "mhd", "muhammat": "mhd", "muhamat": "mhd", "mohamed": "mhd", "muhamed": "mhd",
	"moh": "mhd", "muh": "mhd", "mhd": "mhd", "moch": "mhd", "mochd": "mhd", "mohd": "mhd", "md": "mhd",
	"st": "siti", "siti": "siti",
	"abd": "abdul", "abdul": "abdul",
}

// spellingRules fold the old Indonesian spelling and other common variants
// inside a token: Soekarno → sukarno, Djoko → joko, Achmad/Ahmad, Khairul/Chairul.
// Search keys favour recall: a few distinct names share a key.
var spellingRules = strings.NewReplacer(spellingPairs...)

// spellingPairs are spellingRules' pairs, old then new; every old is two
// lower-case letters, which nameKeyASCII relies on (spellingPair).
var spellingPairs = []string{"oe", "u", "dj", "j", "tj", "c", "sj", "sy", "nj", "ny", "ch", "h", "kh", "h", "ph", "f", "th", "t", "dh", "d"}

// spellingTable is spellingPairs by their two letters, for nameKeyASCII.
var spellingTable = func() (t [26][26]string) {
	for i := 0; i < len(spellingPairs); i += 2 {
		old := spellingPairs[i]
		t[old[0]-'a'][old[1]-'a'] = spellingPairs[i+1]
	}
	return t
}()

// NameKey returns the search key of a name: lower case, letters only,
// spelling variants folded, doubled letters collapsed, tokens separated by
// single spaces and framed by spaces (" tok1 tok2 "), so that a token prefix
// matches with LIKE '% prefix%'.
func NameKey(name string) string {
	if isASCII(name) {
		return nameKeyASCII(name)
	}
	return nameKeyGeneral(name)
}

// nameKeyGeneral is NameKey for any text.
func nameKeyGeneral(name string) string {
	var b strings.Builder
	b.Grow(len(name) + 2)
	b.WriteByte(' ')
	for _, tok := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) }) {
		tok = foldToken(tok)
		if tok == "" {
			continue
		}
		b.WriteString(tok)
		b.WriteByte(' ')
	}
	return b.String()
}

// QueryTokens splits a search text into folded tokens.
func QueryTokens(q string) []string {
	var out []string
	for _, tok := range queryWords(q) {
		if t := foldToken(tok); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// queryWords splits a search text into lower-case words of letters.
func queryWords(q string) []string {
	return strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) })
}

// maxQueryTokens bounds the words of a name search.
const maxQueryTokens = 6

// queryForms returns, for each word of a search text, the folded forms
// any of which may start a word of a name key: prefixForms of the folded
// word, and the forms of a word cut inside a spelling pair. "rac" may be
// the start of Rachmat, whose key holds "rahmat": the typed c can be the
// first letter of ch, which folds to h. So can "ac" start Achmad
// ("ahmad") and "so" Soekarno ("sukarno").
func queryForms(q string) [][]string {
	var out [][]string
	for _, w := range queryWords(q) {
		t := foldToken(w)
		if t == "" {
			continue
		}
		forms := prefixForms(t)
		add := func(w string) {
			// A word that is a whole variant ("moch") may also start a
			// longer name ("Mochtar", "mohtar"): its spelling alone too.
			for _, f := range append(prefixForms(foldToken(w)), foldSpelling(w)) {
				if f != "" && !slices.Contains(forms, f) {
					forms = append(forms, f)
				}
			}
		}
		add(w)
		if last := w[len(w)-1]; len(w) >= 2 && last >= 'a' && last <= 'z' {
			for i := 0; i < len(spellingPairs); i += 2 {
				if pair := spellingPairs[i]; pair[0] == last {
					add(w + pair[1:])
				}
			}
		}
		out = append(out, forms)
		if len(out) == maxQueryTokens {
			break
		}
	}
	return out
}

func foldToken(tok string) string {
	if v, ok := nameVariants[tok]; ok {
		return v
	}
	tok = foldSpelling(tok)
	if v, ok := nameVariants[tok]; ok {
		return v
	}
	return tok
}

// foldSpelling is foldToken without nameVariants.
func foldSpelling(tok string) string {
	// Old spelling wrote y as j (Tjahjono = Cahyono); after dj -> j the
	// remaining j and y are taken as one letter.
	tok = strings.ReplaceAll(spellingRules.Replace(tok), "j", "y")
	// Collapse doubled letters: Muhammad/Muhamad, Anna/Ana.
	var b []byte
	var last rune = -1
	for _, r := range tok {
		if r == last {
			continue
		}
		last = r
		b = append(b, string(r)...)
	}
	return string(b)
}

// CleanName trims a name and collapses runs of white space.
func CleanName(s string) string {
	if cleanASCII(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// cleanASCII reports whether s is ASCII with single spaces between words
// and none at either end: CleanName would return it unchanged.
func cleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80, c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			return false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' '):
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// nameKeyASCII is NameKey for ASCII names (nearly every name in a
// register), in one pass over bytes with one allocation: the same tokens,
// the same spellingRules (all of whose patterns are two bytes: at each
// position the first pattern that matches, in their order, is replaced),
// then j as y, doubled letters collapsed and nameVariants, as foldToken
// does. TestNameKeyASCII holds the two to the same keys.
func nameKeyASCII(name string) string {
	out := make([]byte, 1, len(name)+2)
	out[0] = ' '
	var tok, folded [64]byte
	for i := 0; i < len(name); {
		for i < len(name) && !asciiLetter(name[i]) {
			i++
		}
		start := i
		for i < len(name) && asciiLetter(name[i]) {
			i++
		}
		if start == i {
			break
		}
		if i-start > len(tok) {
			// A token longer than any name: the general path.
			if t := foldToken(strings.ToLower(name[start:i])); t != "" {
				out = append(append(out, t...), ' ')
			}
			continue
		}
		t := tok[:i-start]
		for j := range t {
			t[j] = name[start+j] | 0x20 // lower case: name[start+j] is a letter
		}
		if v, ok := nameVariants[string(t)]; ok {
			out = append(append(out, v...), ' ')
			continue
		}
		f := folded[:0]
		for j := 0; j < len(t); {
			if j+1 < len(t) {
				if r, ok := spellingPair(t[j], t[j+1]); ok {
					f = append(f, r...)
					j += 2
					continue
				}
			}
			f = append(f, t[j])
			j++
		}
		n := 0
		for j := range f {
			c := f[j]
			if c == 'j' {
				c = 'y'
			}
			if n > 0 && f[n-1] == c {
				continue
			}
			f[n] = c
			n++
		}
		f = f[:n]
		if v, ok := nameVariants[string(f)]; ok {
			out = append(out, v...)
		} else {
			out = append(out, f...)
		}
		out = append(out, ' ')
	}
	return string(out)
}

func asciiLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// spellingPair is spellingRules for one pair of lower-case letters.
func spellingPair(a, b byte) (string, bool) {
	r := spellingTable[a-'a'][b-'a']
	return r, r != ""
}

// prefixForms returns a folded query token and, when it is the start of a
// name with a variant form (at least two letters: "muha" of Muhammad),
// that form too, so a typed prefix still finds names stored folded ("mhd").
func prefixForms(tok string) []string {
	forms := []string{tok}
	if len(tok) < 2 {
		return forms
	}
	seen := map[string]bool{tok: true}
	for k, v := range nameVariants {
		if strings.HasPrefix(k, tok) && !seen[v] {
			seen[v] = true
			forms = append(forms, v)
		}
	}
	sort.Strings(forms[1:])
	return forms
}

// NameCondition returns a condition that holds when every token of a
// search text starts a word of the name key in column (variant forms
// included), with its arguments numbered from $from; "" when the text
// has no letters.
func NameCondition(column string, from int, q string) (string, []any) {
	var b strings.Builder
	var args []any
	for i, forms := range queryForms(q) {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('(')
		for j, alt := range forms {
			if j > 0 {
				b.WriteString(" OR ")
			}
			args = append(args, "% "+escapeLike(alt)+"%")
			fmt.Fprintf(&b, `%s LIKE $%d ESCAPE '\'`, column, from+len(args)-1)
		}
		b.WriteByte(')')
	}
	return b.String(), args
}
