package program

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/region"
)

// Program codes of the programs Jaring ships configured.
const (
	PKH    = "PKH"
	BPNT   = "BPNT"
	PBIJK  = "PBI_JK"
	ATENSI = "ATENSI"
	PENA   = "PENA"
)

// Codes lists the shipped programs in display order.
var Codes = []string{PKH, BPNT, PBIJK, ATENSI, PENA}

// Units of a program: who receives.
const (
	UnitFamily = "family" // the family (KPM) receives one benefit
	UnitPerson = "person" // each eligible member receives
)

// Benefit kinds.
const (
	KindPKH  = "pkh"  // PKH components with their counting rules
	KindFlat = "flat" // a fixed amount per unit, the first matching tier
)

// Rule effects (exclusions only).
const (
	EffectFamily = "family" // the whole family is excluded
	EffectMember = "member" // only that member (programs per person)
)

// Document is one version of a program's configuration, as stored (JSON)
// and edited. docs/programs.md describes every field.
type Document struct {
	Program       string `json:"program"`
	Name          string `json:"name"`
	EffectiveFrom string `json:"effective_from"` // YYYY-MM-DD
	Unit          string `json:"unit"`
	// DecileMax is the highest welfare decile served (PKH 4); 0 means the
	// program has no decile limit. Unranked families (decile 0) are not
	// served when there is a limit.
	DecileMax   int              `json:"decile_max"`
	Eligibility []Rule           `json:"eligibility,omitempty"`
	Exclusions  []Rule           `json:"exclusions,omitempty"`
	Benefit     Benefit          `json:"benefit"`
	Calendars   []Calendar       `json:"calendars"`
	Quotas      map[string]int64 `json:"quotas,omitempty"`
	Notes       string           `json:"notes,omitempty"`
}

// Rule is an eligibility condition (must hold) or an exclusion (excludes
// when it holds), written in CEL.
type Rule struct {
	Code  string `json:"code"`
	Scope Scope  `json:"scope,omitempty"` // family (default) or member
	Expr  string `json:"expr"`            // CEL, bool
	// Value is an optional CEL expression (any type) whose result fills
	// {nilai} in Reason, e.g. label("occupation", member.occupation).
	Value string `json:"value,omitempty"`
	// Reason is the Indonesian sentence given when the rule rejects or
	// excludes: {nama} is the member's name (member rules), {nilai} the
	// value.
	Reason string `json:"reason"`
	Effect string `json:"effect,omitempty"` // exclusions: family (default) or member
}

// Benefit defines what a recipient gets.
type Benefit struct {
	Kind string `json:"kind"`
	// PKH: the component table and the counting rules. 0 means no limit.
	MaxComponents int         `json:"max_components,omitempty"`
	MaxChildren   int         `json:"max_children,omitempty"`
	Components    []Component `json:"components,omitempty"`
	// Flat: tiers, the first whose Expr holds applies (no Expr: always).
	Amounts []Amount `json:"amounts,omitempty"`
}

// Component is one PKH component.
type Component struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Annual int64  `json:"annual"` // rupiah a year
	Expr   string `json:"expr"`   // CEL over member (and family), bool
	// Child components count towards MaxChildren.
	Child bool `json:"child,omitempty"`
	// RequiresEnrollment: only a member with school_enrolled counts.
	RequiresEnrollment bool `json:"requires_enrollment,omitempty"`
	// OrderBy (birth_order or pregnancy_order) and MaxOrder: only up to the
	// MaxOrder-th child or pregnancy counts. An order of 0 (unknown) is not
	// limited.
	OrderBy  string `json:"order_by,omitempty"`
	MaxOrder int    `json:"max_order,omitempty"`
}

// Amount is one tier of a flat benefit: Monthly or Annual rupiah per unit.
type Amount struct {
	Code    string `json:"code"`
	Label   string `json:"label"`
	Expr    string `json:"expr,omitempty"`
	Monthly int64  `json:"monthly,omitempty"`
	Annual  int64  `json:"annual,omitempty"`
}

// Calendar is the payment calendar of one channel. Either Cadence and Year
// (expanded into Periods when the document is normalized) or Periods.
type Calendar struct {
	Channel string   `json:"channel"`
	Cadence string   `json:"cadence,omitempty"` // monthly bimonthly quarterly yearly
	Year    int      `json:"year,omitempty"`
	Periods []Period `json:"periods,omitempty"`
}

// Period is one payment period: whole months from Start to End inclusive.
type Period struct {
	Code  string `json:"code"`
	Start string `json:"start"` // YYYY-MM-DD, the first day of a month
	End   string `json:"end"`   // YYYY-MM-DD, the last day of a month
}

// Problem is one thing wrong with a document, at its place: Path is the
// JSON path of the field (exclusions[1].expr); for an expression, Line and
// Column (1-based) point into it and Snippet shows where.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Snippet string `json:"snippet,omitempty"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", p.Path, p.Line, p.Column, p.Message)
	}
	return p.Path + ": " + p.Message
}

// Invalid is a document that cannot be used, with every problem found. It
// matches errs.ErrInvalid.
type Invalid struct {
	Problems []Problem
}

func (e *Invalid) Error() string {
	var b strings.Builder
	b.WriteString("konfigurasi program tidak valid")
	for i, p := range e.Problems {
		if i == 10 {
			fmt.Fprintf(&b, "; dan %d lainnya", len(e.Problems)-10)
			break
		}
		b.WriteString("; ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Is makes errors.Is(err, errs.ErrInvalid) true.
func (e *Invalid) Is(target error) bool { return target == errs.ErrInvalid }

// FieldErrors converts the problems for the API's validation response.
func (e *Invalid) FieldErrors() []errs.FieldError {
	out := make([]errs.FieldError, len(e.Problems))
	for i, p := range e.Problems {
		r := p.Message
		if p.Line > 0 {
			r = fmt.Sprintf("baris %d kolom %d: %s", p.Line, p.Column, p.Message)
		}
		out[i] = errs.FieldError{Field: p.Path, Reason: r}
	}
	return out
}

type problems []Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &Invalid{Problems: ps}
}

// ParseDocument reads a JSON document. Unknown fields are errors (usually a
// typo); the position of a syntax error is given as line and column.
func ParseDocument(data []byte) (*Document, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Document
	if err := dec.Decode(&d); err != nil {
		p := Problem{Path: "$", Message: "JSON tidak valid: " + err.Error()}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			p.Line, p.Column = lineCol(data, se.Offset-1)
		case errors.As(err, &te):
			p.Path = te.Field
			p.Line, p.Column = lineCol(data, te.Offset-1)
		}
		return nil, &Invalid{Problems: []Problem{p}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Invalid{Problems: []Problem{{Path: "$", Message: "ada data setelah dokumen JSON"}}}
	}
	return &d, nil
}

// lineCol gives the 1-based line and column of byte offset off.
func lineCol(data []byte, off int64) (int, int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// JSON returns the document as indented JSON, the stored form.
func (d *Document) JSON() []byte {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		panic(err) // a Document always marshals
	}
	return b
}

var (
	programCodeRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,19}$`)
	ruleCodeRE    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,49}$`)
	periodCodeRE  = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z_-]{0,19}$`)
)

// normalize fills defaults and expands calendar cadences, in place.
func (d *Document) normalize() {
	d.Program = strings.ToUpper(strings.TrimSpace(d.Program))
	for _, rs := range [][]Rule{d.Eligibility, d.Exclusions} {
		for i := range rs {
			if rs[i].Scope == "" {
				rs[i].Scope = ScopeFamily
			}
		}
	}
	for i := range d.Exclusions {
		if d.Exclusions[i].Effect == "" {
			d.Exclusions[i].Effect = EffectFamily
		}
	}
	for i := range d.Calendars {
		c := &d.Calendars[i]
		if c.Cadence != "" && len(c.Periods) == 0 {
			if ps, err := CadencePeriods(c.Cadence, c.Year); err == nil {
				c.Periods = ps
				c.Cadence, c.Year = "", 0
			}
		}
	}
}

// CadencePeriods makes a year's periods: monthly "2026-01".."2026-12",
// bimonthly "2026-B1".."2026-B6", quarterly "2026-Q1".."2026-Q4", yearly
// "2026".
func CadencePeriods(cadence string, year int) ([]Period, error) {
	if year < 2000 || year > 2200 {
		return nil, fmt.Errorf("tahun %d di luar 2000-2200", year)
	}
	var months int
	var code func(i int) string
	switch cadence {
	case "monthly":
		months, code = 1, func(i int) string { return fmt.Sprintf("%d-%02d", year, i+1) }
	case "bimonthly":
		months, code = 2, func(i int) string { return fmt.Sprintf("%d-B%d", year, i+1) }
	case "quarterly":
		months, code = 3, func(i int) string { return fmt.Sprintf("%d-Q%d", year, i+1) }
	case "yearly":
		months, code = 12, func(int) string { return fmt.Sprint(year) }
	default:
		return nil, fmt.Errorf("irama %q tidak dikenal (monthly, bimonthly, quarterly, yearly)", cadence)
	}
	var ps []Period
	for i := 0; i < 12/months; i++ {
		start := time.Date(year, time.Month(1+i*months), 1, 0, 0, 0, 0, time.UTC)
		end := start.AddDate(0, months, -1)
		ps = append(ps, Period{Code: code(i), Start: start.Format(dateLayout), End: end.Format(dateLayout)})
	}
	return ps, nil
}

const dateLayout = "2006-01-02"

func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(dateLayout, s)
	return t, err == nil
}

// validate checks everything but the expressions (compile does those).
func (d *Document) validate() problems {
	var ps problems
	if !programCodeRE.MatchString(d.Program) {
		ps.add("program", "kode program %q tidak valid (huruf besar, angka, _; mis. PKH)", d.Program)
	}
	if strings.TrimSpace(d.Name) == "" {
		ps.add("name", "nama program wajib diisi")
	}
	eff, ok := parseDate(d.EffectiveFrom)
	if !ok {
		ps.add("effective_from", "tanggal berlaku %q bukan tanggal YYYY-MM-DD", d.EffectiveFrom)
	}
	if d.Unit != UnitFamily && d.Unit != UnitPerson {
		ps.add("unit", "unit %q tidak dikenal (family atau person)", d.Unit)
	}
	if d.DecileMax < 0 || d.DecileMax > 10 {
		ps.add("decile_max", "batas desil %d di luar 0-10", d.DecileMax)
	}
	seen := map[string]string{}
	checkRule := func(path string, r Rule, exclusion bool) {
		if !ruleCodeRE.MatchString(r.Code) {
			ps.add(path+".code", "kode aturan %q tidak valid (huruf kecil, angka, _)", r.Code)
		} else if p, dup := seen[r.Code]; dup {
			ps.add(path+".code", "kode aturan %q sudah dipakai di %s", r.Code, p)
		} else {
			seen[r.Code] = path
		}
		switch r.Scope {
		case ScopeFamily:
			if strings.Contains(r.Reason, "{nama}") {
				ps.add(path+".reason", "{nama} hanya untuk aturan lingkup member")
			}
		case ScopeMember:
			if !exclusion && d.Unit != UnitPerson {
				ps.add(path+".scope", "syarat lingkup member hanya untuk program per orang (unit person)")
			}
		default:
			ps.add(path+".scope", "lingkup %q tidak dikenal (family atau member)", r.Scope)
		}
		if strings.TrimSpace(r.Reason) == "" {
			ps.add(path+".reason", "kalimat alasan wajib diisi")
		}
		if bad := badPlaceholder(r.Reason); bad != "" {
			ps.add(path+".reason", "penanda %s tidak dikenal (yang ada: {nama}, {nilai})", bad)
		}
		if strings.Contains(r.Reason, "{nilai}") && strings.TrimSpace(r.Value) == "" {
			ps.add(path+".value", "alasan memakai {nilai}: ekspresi value wajib diisi")
		}
		if exclusion {
			switch r.Effect {
			case EffectFamily:
			case EffectMember:
				if d.Unit != UnitPerson || r.Scope != ScopeMember {
					ps.add(path+".effect", "effect member hanya untuk aturan lingkup member pada program per orang")
				}
			default:
				ps.add(path+".effect", "effect %q tidak dikenal (family atau member)", r.Effect)
			}
		} else if r.Effect != "" {
			ps.add(path+".effect", "effect hanya untuk pengecualian")
		}
	}
	for i, r := range d.Eligibility {
		checkRule(fmt.Sprintf("eligibility[%d]", i), r, false)
	}
	for i, r := range d.Exclusions {
		checkRule(fmt.Sprintf("exclusions[%d]", i), r, true)
	}
	d.validateBenefit(&ps)
	d.validateCalendars(&ps, eff, ok)
	for _, code := range sortedKeys(d.Quotas) {
		path := fmt.Sprintf("quotas[%q]", code)
		if code != "" {
			if err := region.Validate(code); err != nil {
				ps.add(path, "kode wilayah tidak valid: %v", err)
			}
		}
		if d.Quotas[code] < 0 {
			ps.add(path, "kuota %d tidak boleh negatif", d.Quotas[code])
		}
	}
	return ps
}

func badPlaceholder(s string) string {
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return ""
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s[i:]
		}
		if p := s[i : i+j+1]; p != "{nama}" && p != "{nilai}" {
			return p
		}
		s = s[i+j+1:]
	}
}

func (d *Document) validateBenefit(ps *problems) {
	b := &d.Benefit
	switch b.Kind {
	case KindPKH:
		if d.Unit != UnitFamily {
			ps.add("benefit.kind", "komponen PKH hanya untuk program per keluarga")
		}
		if b.MaxComponents < 0 {
			ps.add("benefit.max_components", "tidak boleh negatif")
		}
		if b.MaxChildren < 0 {
			ps.add("benefit.max_children", "tidak boleh negatif")
		}
		if len(b.Components) == 0 {
			ps.add("benefit.components", "minimal satu komponen")
		}
		if len(b.Amounts) > 0 {
			ps.add("benefit.amounts", "amounts hanya untuk kind flat")
		}
		seen := map[string]bool{}
		for i, c := range b.Components {
			path := fmt.Sprintf("benefit.components[%d]", i)
			if !ruleCodeRE.MatchString(c.Code) {
				ps.add(path+".code", "kode komponen %q tidak valid", c.Code)
			} else if seen[c.Code] {
				ps.add(path+".code", "kode komponen %q ganda", c.Code)
			}
			seen[c.Code] = true
			if strings.TrimSpace(c.Label) == "" {
				ps.add(path+".label", "label wajib diisi")
			}
			if c.Annual <= 0 {
				ps.add(path+".annual", "indeks tahunan harus lebih dari 0")
			}
			switch c.OrderBy {
			case "":
				if c.MaxOrder != 0 {
					ps.add(path+".max_order", "max_order butuh order_by")
				}
			case "birth_order", "pregnancy_order":
				if c.MaxOrder < 1 {
					ps.add(path+".max_order", "max_order harus 1 atau lebih")
				}
			default:
				ps.add(path+".order_by", "order_by %q tidak dikenal (birth_order atau pregnancy_order)", c.OrderBy)
			}
		}
	case KindFlat:
		if len(b.Components) > 0 || b.MaxChildren != 0 || b.MaxComponents != 0 {
			ps.add("benefit.components", "komponen dan batasnya hanya untuk kind pkh")
		}
		if len(b.Amounts) == 0 {
			ps.add("benefit.amounts", "minimal satu nilai bantuan")
		}
		seen := map[string]bool{}
		for i, a := range b.Amounts {
			path := fmt.Sprintf("benefit.amounts[%d]", i)
			if !ruleCodeRE.MatchString(a.Code) {
				ps.add(path+".code", "kode %q tidak valid", a.Code)
			} else if seen[a.Code] {
				ps.add(path+".code", "kode %q ganda", a.Code)
			}
			seen[a.Code] = true
			if strings.TrimSpace(a.Label) == "" {
				ps.add(path+".label", "label wajib diisi")
			}
			if a.Monthly < 0 || a.Annual < 0 {
				ps.add(path, "nilai tidak boleh negatif")
			}
			if a.Monthly > 0 && a.Annual > 0 {
				ps.add(path, "isi monthly atau annual, tidak keduanya")
			}
		}
	default:
		ps.add("benefit.kind", "jenis manfaat %q tidak dikenal (pkh atau flat)", b.Kind)
	}
}

var channelRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,29}$`)

func (d *Document) validateCalendars(ps *problems, eff time.Time, effOK bool) {
	if len(d.Calendars) == 0 {
		ps.add("calendars", "minimal satu kalender pembayaran")
	}
	channels := map[string]bool{}
	for i, c := range d.Calendars {
		path := fmt.Sprintf("calendars[%d]", i)
		if !channelRE.MatchString(c.Channel) {
			ps.add(path+".channel", "saluran %q tidak valid (huruf kecil, mis. bank, pos)", c.Channel)
		} else if channels[c.Channel] {
			ps.add(path+".channel", "saluran %q ganda", c.Channel)
		}
		channels[c.Channel] = true
		if c.Cadence != "" {
			if _, err := CadencePeriods(c.Cadence, c.Year); err != nil {
				ps.add(path+".cadence", "%v", err)
			} else if len(c.Periods) > 0 {
				ps.add(path+".cadence", "isi cadence atau periods, tidak keduanya")
			}
			continue
		}
		if len(c.Periods) == 0 {
			ps.add(path+".periods", "minimal satu periode")
		}
		codes := map[string]bool{}
		for j, p := range c.Periods {
			pp := fmt.Sprintf("%s.periods[%d]", path, j)
			if !periodCodeRE.MatchString(p.Code) {
				ps.add(pp+".code", "kode periode %q tidak valid", p.Code)
			} else if codes[p.Code] {
				ps.add(pp+".code", "kode periode %q ganda", p.Code)
			}
			codes[p.Code] = true
			s, ok1 := parseDate(p.Start)
			e, ok2 := parseDate(p.End)
			if !ok1 {
				ps.add(pp+".start", "%q bukan tanggal YYYY-MM-DD", p.Start)
			} else if s.Day() != 1 {
				ps.add(pp+".start", "periode dimulai pada tanggal 1 (bulan penuh)")
			}
			if !ok2 {
				ps.add(pp+".end", "%q bukan tanggal YYYY-MM-DD", p.End)
			} else if e.AddDate(0, 0, 1).Day() != 1 {
				ps.add(pp+".end", "periode berakhir pada hari terakhir bulan (bulan penuh)")
			}
			if ok1 && ok2 && e.Before(s) {
				ps.add(pp+".end", "tanggal akhir %s sebelum tanggal mulai %s", p.End, p.Start)
			}
			if ok1 && effOK && s.Before(eff) {
				ps.add(pp+".start", "periode %s dimulai %s, sebelum tanggal berlaku %s", p.Code, p.Start, d.EffectiveFrom)
			}
			if !ok1 || !ok2 {
				continue
			}
			for k := 0; k < j; k++ {
				q := c.Periods[k]
				if overlaps(p.Start, p.End, q.Start, q.End) {
					ps.add(pp, "periode %s (%s s.d. %s) tumpang tindih dengan periode %s (%s s.d. %s)",
						p.Code, p.Start, p.End, q.Code, q.Start, q.End)
				}
			}
		}
	}
}

// overlaps compares YYYY-MM-DD ranges (inclusive) as strings: the layout
// sorts as dates do.
func overlaps(s1, e1, s2, e2 string) bool { return s1 <= e2 && s2 <= e1 }

// months counts the whole months of a period (Start the 1st, End the last day).
func (p Period) months() int {
	s, _ := parseDate(p.Start)
	e, _ := parseDate(p.End)
	return (e.Year()-s.Year())*12 + int(e.Month()) - int(s.Month()) + 1
}
