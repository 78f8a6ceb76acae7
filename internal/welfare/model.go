package welfare

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kemensos/jaring/internal/errs"
)

// Model is a proxy-means model: versioned configuration, never code. A
// family's score is Base plus the contribution of every indicator, each
// Weight × the points its value maps to. Higher scores are better off.
// docs/welfare-model.md describes the format and the default model.
type Model struct {
	Version       string      `json:"version"`
	EffectiveFrom string      `json:"effective_from"` // YYYY-MM-DD
	Title         string      `json:"title"`
	Description   string      `json:"description,omitempty"`
	Base          float64     `json:"base"`
	Indicators    []Indicator `json:"indicators"`
}

// Indicator scores one source. A categorical source maps codes to points
// (Values); a numeric source uses Bands, or is linear: points = the value,
// capped at Max. Missing is the points of an unknown value (an empty code,
// a floor area not given, a ratio without denominator). Unlisted codes
// score 0.
type Indicator struct {
	Name    string             `json:"name"`
	Label   string             `json:"label"`
	Source  string             `json:"source"`
	Weight  *float64           `json:"weight,omitempty"` // default 1
	Values  map[string]float64 `json:"values,omitempty"`
	Bands   []Band             `json:"bands,omitempty"`
	Max     *float64           `json:"max,omitempty"`
	Missing float64            `json:"missing,omitempty"`
	Note    string             `json:"note,omitempty"`
}

// Band gives Points to values below Below (and at or above the previous
// band's Below). The last band has no Below and takes every larger value.
type Band struct {
	Below  *float64 `json:"below,omitempty"`
	Points float64  `json:"points"`
}

//go:embed default_model.json
var defaultModelJSON []byte

// DefaultModel returns the model shipped with Jaring (docs/welfare-model.md).
func DefaultModel() *Model {
	m, err := ParseModel(defaultModelJSON)
	if err != nil {
		panic("welfare: embedded default model: " + err.Error())
	}
	return m
}

// DefaultModelJSON returns the embedded default model document.
func DefaultModelJSON() []byte { return bytes.Clone(defaultModelJSON) }

var (
	versionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	namePattern    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

const maxIndicators = 100

// ParseModel decodes a model document strictly (unknown fields are refused)
// and validates it. Problems come back as an *errs.Invalid naming each field,
// in Indonesian.
func ParseModel(doc []byte) (*Model, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "dokumen", Reason: jsonReason(err)}}}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "dokumen", Reason: "ada teks setelah akhir dokumen JSON"}}}
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("bukan JSON yang sah (posisi %d): %v", se.Offset, se)
	case errors.As(err, &te):
		return fmt.Sprintf("kolom %q harus bertipe %s", te.Field, te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "kolom tidak dikenal " + strings.TrimPrefix(err.Error(), "json: unknown field ") +
			" (kolom yang sah: lihat docs/welfare-model.md)"
	case errors.Is(err, io.EOF):
		return "dokumen kosong"
	}
	return "bukan JSON yang sah: " + err.Error()
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// maxPoints bounds weight × points so that sums stay exact in hundredths.
const maxPoints = 1e6

// Validate checks a model and returns an *errs.Invalid listing every problem.
func (m *Model) Validate() error {
	var fe []errs.FieldError
	add := func(field, value, format string, args ...any) {
		fe = append(fe, errs.FieldError{Field: field, Value: value, Reason: fmt.Sprintf(format, args...)})
	}
	if !versionPattern.MatchString(m.Version) {
		add("version", m.Version, "versi wajib diisi: 1-64 huruf, angka, titik, garis bawah atau tanda hubung")
	}
	if _, err := time.Parse(time.DateOnly, m.EffectiveFrom); err != nil {
		add("effective_from", m.EffectiveFrom, "tanggal berlaku wajib diisi dengan format TTTT-BB-HH")
	}
	if strings.TrimSpace(m.Title) == "" || utf8.RuneCountInString(m.Title) > 200 {
		add("title", "", "judul wajib diisi (paling banyak 200 karakter)")
	}
	if !finite(m.Base) || math.Abs(m.Base) > maxPoints {
		add("base", "", "nilai dasar harus bilangan antara -1.000.000 dan 1.000.000")
	}
	if len(m.Indicators) == 0 || len(m.Indicators) > maxIndicators {
		add("indicators", "", "model harus punya 1 sampai %d indikator", maxIndicators)
	}
	seen := map[string]bool{}
	for i := range m.Indicators {
		ind := &m.Indicators[i]
		f := fmt.Sprintf("indicators[%d]", i)
		if !namePattern.MatchString(ind.Name) {
			add(f+".name", ind.Name, "nama indikator wajib diisi: huruf kecil, angka dan garis bawah, diawali huruf, paling banyak 40")
		} else if seen[ind.Name] {
			add(f+".name", ind.Name, "nama indikator dipakai dua kali")
		}
		seen[ind.Name] = true
		if strings.TrimSpace(ind.Label) == "" || utf8.RuneCountInString(ind.Label) > 100 {
			add(f+".label", "", "label wajib diisi (paling banyak 100 karakter)")
		}
		w := ind.weight()
		if !finite(w) || w == 0 || math.Abs(w) > maxPoints {
			add(f+".weight", "", "bobot harus bilangan bukan nol antara -1.000.000 dan 1.000.000")
			w = 1
		}
		bad := func(p float64) bool { return !finite(p) || math.Abs(p*w) > maxPoints }
		if bad(ind.Missing) {
			add(f+".missing", "", "nilai untuk data kosong terlalu besar atau bukan bilangan")
		}
		src, ok := sources[ind.Source]
		if !ok {
			add(f+".source", ind.Source, "sumber tidak dikenal%s; sumber yang sah ada di docs/welfare-model.md", suggest(ind.Source))
			continue
		}
		if src.categorical() {
			if len(ind.Values) == 0 {
				add(f+".values", "", "sumber %s berupa kode: isi values (kode → poin)", ind.Source)
			}
			codes := make([]string, 0, len(ind.Values))
			for c := range ind.Values {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			for _, c := range codes {
				if !src.set.Has(c) {
					add(f+".values", c, "kode %q bukan kode %s; kode yang sah: %s", c, ind.Source, strings.Join(src.set.Codes, ", "))
				} else if bad(ind.Values[c]) {
					add(f+".values", c, "poin kode %q terlalu besar atau bukan bilangan", c)
				}
			}
			if len(ind.Bands) > 0 || ind.Max != nil {
				add(f+".bands", "", "sumber %s berupa kode: gunakan values, bukan bands atau max", ind.Source)
			}
			continue
		}
		if len(ind.Values) > 0 {
			add(f+".values", "", "sumber %s berupa angka: gunakan bands atau weight, bukan values", ind.Source)
		}
		if len(ind.Bands) > 0 && ind.Max != nil {
			add(f+".max", "", "max hanya untuk indikator linear (tanpa bands)")
		}
		if ind.Max != nil && !finite(*ind.Max) {
			add(f+".max", "", "max harus bilangan")
		}
		prev := math.Inf(-1)
		for j, b := range ind.Bands {
			bf := fmt.Sprintf("%s.bands[%d]", f, j)
			last := j == len(ind.Bands)-1
			switch {
			case b.Below == nil && !last:
				add(bf+".below", "", "hanya pita terakhir yang boleh tanpa batas below")
			case b.Below != nil && last:
				add(bf+".below", "", "pita terakhir tanpa below: ia menampung semua nilai yang lebih besar")
			case b.Below != nil && (!finite(*b.Below) || *b.Below <= prev):
				add(bf+".below", "", "batas below harus naik dari pita ke pita")
			}
			if b.Below != nil {
				prev = *b.Below
			}
			if bad(b.Points) {
				add(bf+".points", "", "poin terlalu besar atau bukan bilangan")
			}
		}
	}
	return errs.Fields(fe)
}

// suggest names a source close to an unknown one, for the error message.
func suggest(name string) string {
	best, bestD := "", 4
	for n := range sources {
		if d := distance(name, n); d < bestD || d == bestD && best != "" && n < best {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (maksudnya %q?)", best)
}

// distance is the Levenshtein distance of two short strings.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (ind *Indicator) weight() float64 {
	if ind.Weight == nil {
		return 1
	}
	return *ind.Weight
}

// Scores are kept in hundredths of a point (cents) while computing, so a
// score is exactly the base plus its contributions and ties are exact.
func cents(points float64) int64 { return int64(math.Round(points * 100)) }

// compiled is a model ready to score households.
type compiled struct {
	m    *Model
	base int64
	inds []compiledIndicator
	n    needs
}

type compiledIndicator struct {
	src     *source
	catPts  []int64 // by code index + 1; [0] is Missing
	bands   []compiledBand
	linear  bool
	weight  float64
	max     float64
	hasMax  bool
	missing int64
}

type compiledBand struct {
	below float64
	last  bool
	cents int64
}

func compile(m *Model) *compiled {
	c := &compiled{m: m, base: cents(m.Base)}
	for i := range m.Indicators {
		ind := &m.Indicators[i]
		src := sources[ind.Source]
		w := ind.weight()
		ci := compiledIndicator{src: src, weight: w, missing: cents(w * ind.Missing)}
		c.n.add(src)
		switch {
		case src.categorical():
			ci.catPts = make([]int64, len(src.set.Codes)+1)
			ci.catPts[0] = ci.missing
			for j, code := range src.set.Codes {
				ci.catPts[j+1] = cents(w * ind.Values[code])
			}
		case len(ind.Bands) > 0:
			for _, b := range ind.Bands {
				cb := compiledBand{cents: cents(w * b.Points), last: b.Below == nil}
				if b.Below != nil {
					cb.below = *b.Below
				}
				ci.bands = append(ci.bands, cb)
			}
		default:
			ci.linear = true
			if ind.Max != nil {
				ci.max, ci.hasMax = *ind.Max, true
			}
		}
		c.inds = append(c.inds, ci)
	}
	return c
}

// contribution returns an indicator's contribution to h's score, in cents.
func (ci *compiledIndicator) contribution(h *household) int64 {
	if ci.catPts != nil {
		return ci.catPts[ci.src.cat(h)]
	}
	v, ok := ci.src.num(h)
	if !ok {
		return ci.missing
	}
	if ci.linear {
		if ci.hasMax && v > ci.max {
			v = ci.max
		}
		return cents(ci.weight * v)
	}
	for _, b := range ci.bands {
		if b.last || v < b.below {
			return b.cents
		}
	}
	return 0
}

// score fills contrib (one entry per indicator, in cents) and returns the
// score in cents.
func (c *compiled) score(h *household, contrib []int64) int64 {
	s := c.base
	for i := range c.inds {
		v := c.inds[i].contribution(h)
		contrib[i] = v
		s += v
	}
	return s
}
