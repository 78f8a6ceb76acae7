package registry

import (
	"fmt"
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
var spellingRules = strings.NewReplacer("oe", "u", "dj", "j", "tj", "c", "sj", "sy", "nj", "ny", "ch", "h", "kh", "h", "ph", "f", "th", "t", "dh", "d")

// NameKey returns the search key of a name: lower case, letters only,
// spelling variants folded, doubled letters collapsed, tokens separated by
// single spaces and framed by spaces (" tok1 tok2 "), so that a token prefix
// matches with LIKE '% prefix%'.
func NameKey(name string) string {
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
	for _, tok := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if t := foldToken(tok); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func foldToken(tok string) string {
	if v, ok := nameVariants[tok]; ok {
		return v
	}
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
	tok = string(b)
	if v, ok := nameVariants[tok]; ok {
		return v
	}
	return tok
}

// CleanName trims a name and collapses runs of white space.
func CleanName(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// prefixForms returns a folded query token and, when it is the start of a
// name with a variant form (at least three letters: "muha" of Muhammad),
// that form too, so a typed prefix still finds names stored folded ("mhd").
func prefixForms(tok string) []string {
	forms := []string{tok}
	if len(tok) < 3 {
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
	toks := QueryTokens(q)
	if len(toks) > 6 {
		toks = toks[:6]
	}
	var b strings.Builder
	var args []any
	for i, t := range toks {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('(')
		for j, alt := range prefixForms(t) {
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
