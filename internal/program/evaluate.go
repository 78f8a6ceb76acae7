package program

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"

	"github.com/kemensos/jaring/internal/region"
)

// Outcome of a determination for a family or person.
type Outcome string

const (
	Eligible   Outcome = "layak"
	Ineligible Outcome = "tidak_layak"
	// Error: a rule could not be evaluated for this family (division by
	// zero, cost limit). The family is not served until the rule or the
	// data is fixed; other families are not affected.
	Error Outcome = "galat"
)

// Reason codes given by Jaring itself; reasons from configured rules carry
// the rule's code.
const (
	ReasonFamilyInactive  = "keluarga_tidak_aktif"    // family status not aktif
	ReasonNoActiveMember  = "tanpa_anggota_aktif"     // no member is aktif
	ReasonUnranked        = "belum_diperingkat"       // decile 0 where a limit applies
	ReasonDecile          = "desil_di_atas_batas"     // decile above the program's limit
	ReasonRuleError       = "galat_aturan"            // a rule could not be evaluated
	ReasonQuota           = "kuota_habis"             // quota of a region used up (determination engine)
	ReasonNoComponent     = "tanpa_komponen"          // PKH: no member counts for a component
	ReasonNoRecipient     = "tanpa_penerima"          // per-person program: no member eligible
	ReasonNoAmount        = "tanpa_nilai"             // no benefit tier applies
	ReasonMemberInactive  = "anggota_tidak_aktif"     // member not aktif: not counted
	ReasonCounted         = "dihitung"                // PKH: member counted for a component
	ReasonCountedOnce     = "dihitung_sekali"         // PKH: member fits a higher-paying component
	ReasonNotEnrolled     = "tidak_terdaftar_sekolah" // PKH: school component without enrolment
	ReasonOrderLimit      = "melebihi_urutan"         // PKH: beyond the 2nd child/pregnancy
	ReasonChildLimit      = "batas_anak"              // PKH: beyond the 3 children counted
	ReasonComponentLimit  = "batas_komponen"          // PKH: beyond the 4 components
	ReasonEligibilityFail = "tidak_memenuhi_syarat"   // generic, for rules without a code (never shipped)
)

// Reason explains one step of a decision: Code is machine-readable, Text
// an Indonesian sentence naming the rule, the member and the value.
type Reason struct {
	Code     string `json:"code"`
	Rule     string `json:"rule,omitempty"` // the rule or component code, for rule errors and PKH choices
	MemberID int64  `json:"member_id,omitempty"`
	Value    string `json:"value,omitempty"`
	Text     string `json:"text"`
}

// ComponentChoice is one PKH component for one member, counted or not.
type ComponentChoice struct {
	MemberID  int64  `json:"member_id"`
	Member    string `json:"member"`
	Component string `json:"component"`
	Label     string `json:"label"`
	Annual    int64  `json:"annual"`
	Reason    Reason `json:"reason"`
}

// PersonDecision is the decision for one member of a per-person program.
type PersonDecision struct {
	MemberID int64    `json:"member_id"`
	Member   string   `json:"member"`
	Outcome  Outcome  `json:"outcome"`
	Reasons  []Reason `json:"reasons,omitempty"`
	Tier     string   `json:"tier,omitempty"`
	Monthly  int64    `json:"monthly,omitempty"`
	Annual   int64    `json:"annual,omitempty"`
}

// Decision is a program's decision for one family. Amounts are rupiah:
// Annual is spread over a year's periods (PKH's index, annual tiers),
// Monthly is paid for every month a period covers; PeriodAmount gives a
// period's amount. For a per-person program they are the sums over Persons.
type Decision struct {
	Program    string            `json:"program"`
	Version    int               `json:"version"`
	FamilyID   int64             `json:"family_id"`
	Outcome    Outcome           `json:"outcome"`
	Reasons    []Reason          `json:"reasons,omitempty"`
	Counted    []ComponentChoice `json:"counted,omitempty"`
	NotCounted []ComponentChoice `json:"not_counted,omitempty"`
	Persons    []PersonDecision  `json:"persons,omitempty"`
	Tier       string            `json:"tier,omitempty"`
	Annual     int64             `json:"annual"`
	Monthly    int64             `json:"monthly"`
}

func (d *Decision) fail(o Outcome, r Reason) {
	if o == Error || d.Outcome != Error {
		d.Outcome = o
	}
	d.Reasons = append(d.Reasons, r)
}

// Evaluate decides the program for one family: register status, decile
// limit, eligibility rules, exclusions, then the benefit. Every reason is
// collected (not only the first), so the answer to "why not?" is complete.
// A rule that cannot be evaluated makes the outcome Error with a
// galat_aturan reason; Evaluate never panics on a rule and never returns a
// Go error. Quotas are not applied here (see QuotasFor).
//
// ctx cancels a long evaluation (a family larger than the cost estimate's
// bound is evaluated with interrupt checks); Evaluate itself does not check
// ctx between rules: the caller checks it between families.
func (c *Compiled) Evaluate(ctx context.Context, f *Family) *Decision {
	d := &Decision{Program: c.Doc.Program, Version: c.Version, FamilyID: f.ID, Outcome: Eligible}
	ev := evaluator{ctx: ctx, c: c, f: f, bounded: withinEstimate(f), act: activation{fam: f}}
	if f.Status != "aktif" {
		d.fail(Ineligible, Reason{Code: ReasonFamilyInactive, Value: f.Status,
			Text: "keluarga berstatus " + Label("status", f.Status)})
	} else if f.Size == 0 {
		d.fail(Ineligible, Reason{Code: ReasonNoActiveMember, Text: "tidak ada anggota keluarga yang berstatus aktif"})
	}
	if max := int64(c.Doc.DecileMax); max > 0 {
		switch {
		case f.Decile <= 0:
			d.fail(Ineligible, Reason{Code: ReasonUnranked, Text: "keluarga belum diperingkat (belum ada desil)"})
		case f.Decile > max:
			d.fail(Ineligible, Reason{Code: ReasonDecile, Value: strconv.FormatInt(f.Decile, 10),
				Text: fmt.Sprintf("desil %d di atas batas desil %d", f.Decile, max)})
		}
	}
	for i := range c.eligibility {
		r := &c.eligibility[i]
		if r.Scope != ScopeFamily {
			continue // per-person rules: below
		}
		ok, err := ev.rule(r, nil)
		if err != nil {
			d.fail(Error, ev.errorReason(r.Code, nil, err))
		} else if !ok {
			d.fail(Ineligible, ev.reason(r, nil))
		}
	}
	excludedMembers := map[*Member][]Reason{}
	for i := range c.exclusions {
		r := &c.exclusions[i]
		if r.Scope == ScopeFamily {
			hit, err := ev.rule(r, nil)
			if err != nil {
				d.fail(Error, ev.errorReason(r.Code, nil, err))
			} else if hit {
				d.fail(Ineligible, ev.reason(r, nil))
			}
			continue
		}
		for _, m := range f.Members {
			hit, err := ev.rule(r, m)
			switch {
			case err != nil:
				d.fail(Error, ev.errorReason(r.Code, m, err))
			case !hit:
			case r.Effect == EffectMember:
				excludedMembers[m] = append(excludedMembers[m], ev.reason(r, m))
			default:
				d.fail(Ineligible, ev.reason(r, m))
			}
		}
	}
	if d.Outcome != Eligible {
		return d
	}
	switch {
	case c.Doc.Benefit.Kind == KindPKH:
		ev.pkh(d)
	case c.Doc.Unit == UnitPerson:
		ev.persons(d, excludedMembers)
	default:
		a, err := ev.tier(nil)
		switch {
		case err != nil:
			d.fail(Error, *err)
		case a == nil:
			d.fail(Ineligible, Reason{Code: ReasonNoAmount, Text: "tidak ada nilai bantuan yang berlaku bagi keluarga ini"})
		default:
			d.Tier, d.Monthly, d.Annual = a.Code, a.Monthly, a.Annual
		}
	}
	return d
}

// withinEstimate reports whether every size of the family is within the
// bounds the cost estimate assumed, so the estimate (at most CostLimit)
// holds and the expressions can run without cost tracking.
func withinEstimate(f *Family) bool {
	if len(f.Members) > EstimateMembers || len(f.Assets) > maxAssets || len(f.Programs) > maxPrograms {
		return false
	}
	for _, s := range [...]string{f.Province, f.Regency, f.District, f.Village, f.Status, f.Floor, f.Wall, f.Roof,
		f.WaterSource, f.Sanitation, f.Electricity, f.CookingFuel, f.HouseOwnership, f.LandOwnership} {
		if len(s) > maxString {
			return false
		}
	}
	for _, m := range f.Members {
		if len(m.PPKS) > maxPPKS {
			return false
		}
		for _, s := range [...]string{m.Sex, m.Relation, m.MaritalStatus, m.Status, m.Occupation, m.Education,
			m.SchoolLevel, m.Disability, m.DisabilitySeverity} {
			if len(s) > maxString {
				return false
			}
		}
	}
	for _, s := range f.Assets {
		if len(s) > maxString {
			return false
		}
	}
	for _, s := range f.Programs {
		if len(s) > maxString {
			return false
		}
	}
	return true
}

type evaluator struct {
	ctx     context.Context
	c       *Compiled
	f       *Family
	bounded bool
	act     activation
}

func (ev *evaluator) run(x *expr, m *Member) (ref.Val, error) {
	ev.act.mem = m
	if ev.bounded {
		out, _, err := x.fast.Eval(&ev.act)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	return x.eval(ev.ctx, &ev.act)
}

func (ev *evaluator) test(x *expr, m *Member) (bool, error) {
	ev.act.mem = m
	if ev.bounded {
		out, _, err := x.fast.Eval(&ev.act)
		if err != nil {
			return false, err
		}
		b, ok := out.(types.Bool)
		if !ok {
			return false, fmt.Errorf("want bool, got %s", out.Type().TypeName())
		}
		return bool(b), nil
	}
	return x.evalBool(ev.ctx, &ev.act)
}

func (ev *evaluator) rule(r *compiledRule, m *Member) (bool, error) {
	return ev.test(r.expr, m)
}

// reason fills a rule's sentence for member m (nil for family rules).
func (ev *evaluator) reason(r *compiledRule, m *Member) Reason {
	out := Reason{Code: r.Code, Text: r.Reason}
	if m != nil {
		out.MemberID = m.ID
		out.Text = strings.ReplaceAll(out.Text, "{nama}", m.Name)
	}
	if r.value != nil {
		v, err := ev.run(r.value, m)
		if err != nil {
			out.Value = "(" + explainEvalError(err) + ")"
		} else {
			out.Value = formatValue(v)
		}
		out.Text = strings.ReplaceAll(out.Text, "{nilai}", out.Value)
	}
	return out
}

func (ev *evaluator) errorReason(rule string, m *Member, err error) Reason {
	r := Reason{Code: ReasonRuleError, Rule: rule, Text: "aturan " + rule + " tidak dapat dievaluasi: " + explainEvalError(err)}
	if m != nil {
		r.MemberID = m.ID
		r.Text += " (anggota " + m.Name + ")"
	}
	return r
}

// tier returns the first benefit tier that applies to the family (m nil)
// or member.
func (ev *evaluator) tier(m *Member) (*compiledAmount, *Reason) {
	for i := range ev.c.amounts {
		a := &ev.c.amounts[i]
		if a.expr == nil {
			return a, nil
		}
		ok, err := ev.test(a.expr, m)
		if err != nil {
			r := ev.errorReason(a.Code, m, err)
			return nil, &r
		}
		if ok {
			return a, nil
		}
	}
	return nil, nil
}

// persons decides each member of a per-person program.
func (ev *evaluator) persons(d *Decision, excluded map[*Member][]Reason) {
	for _, m := range ev.f.Members {
		p := PersonDecision{MemberID: m.ID, Member: m.Name, Outcome: Eligible}
		fail := func(o Outcome, r Reason) {
			if o == Error || p.Outcome != Error {
				p.Outcome = o
			}
			p.Reasons = append(p.Reasons, r)
		}
		if !m.Active() {
			fail(Ineligible, Reason{Code: ReasonMemberInactive, MemberID: m.ID, Value: m.Status,
				Text: "anggota keluarga " + m.Name + " berstatus " + Label("status", m.Status)})
		} else {
			for i := range ev.c.eligibility {
				r := &ev.c.eligibility[i]
				if r.Scope != ScopeMember {
					continue
				}
				ok, err := ev.rule(r, m)
				if err != nil {
					fail(Error, ev.errorReason(r.Code, m, err))
				} else if !ok {
					fail(Ineligible, ev.reason(r, m))
				}
			}
			for _, r := range excluded[m] {
				fail(Ineligible, r)
			}
		}
		if p.Outcome == Eligible {
			a, rerr := ev.tier(m)
			switch {
			case rerr != nil:
				fail(Error, *rerr)
			case a == nil:
				fail(Ineligible, Reason{Code: ReasonNoAmount, MemberID: m.ID,
					Text: "tidak ada nilai bantuan yang berlaku bagi anggota " + m.Name})
			default:
				p.Tier, p.Monthly, p.Annual = a.Code, a.Monthly, a.Annual
				d.Monthly += a.Monthly
				d.Annual += a.Annual
			}
		}
		if p.Outcome == Error {
			d.Outcome = Error
			d.Reasons = append(d.Reasons, p.Reasons...)
		}
		d.Persons = append(d.Persons, p)
	}
	if d.Outcome == Error {
		return
	}
	for _, p := range d.Persons {
		if p.Outcome == Eligible {
			return
		}
	}
	d.fail(Ineligible, Reason{Code: ReasonNoRecipient, Text: "tidak ada anggota keluarga yang memenuhi syarat"})
}

// Quota is the most recipients a region may have in a program.
type Quota struct {
	Region string `json:"region"` // "" = national
	Max    int64  `json:"max"`
}

// QuotasFor lists the quotas that a family in the village code must fit
// in, from the nation down to the village. The determination engine counts
// recipients against each and refuses a family whose any quota is full,
// with QuotaReason.
func (c *Compiled) QuotasFor(village string) []Quota {
	var out []Quota
	for _, code := range []string{"", prefix(village, 2), prefix(village, 5), prefix(village, 8), village} {
		if max, ok := c.Doc.Quotas[code]; ok {
			if len(out) > 0 && out[len(out)-1].Region == code {
				continue
			}
			out = append(out, Quota{Region: code, Max: max})
		}
	}
	return out
}

// QuotaReason is the reason given to a family refused because the quota of
// region (a region code, "" national) is used up.
func QuotaReason(q Quota) Reason {
	level := "nasional"
	if q.Region != "" {
		switch region.Level(q.Region) {
		case region.LevelProvince:
			level = "provinsi " + q.Region
		case region.LevelRegency:
			level = "kabupaten/kota " + q.Region
		case region.LevelDistrict:
			level = "kecamatan " + q.Region
		case region.LevelVillage:
			level = "desa/kelurahan " + q.Region
		default:
			level = "wilayah " + q.Region
		}
	}
	return Reason{Code: ReasonQuota, Value: q.Region,
		Text: fmt.Sprintf("kuota %s habis (batas %s penerima)", level, thousands(q.Max))}
}

// PeriodAmount is what the family receives in one period of a channel's
// calendar: the decision's monthly amount times the period's months, plus
// the annual amount's share. Annual shares are cut at month boundaries
// from the start of the period's year, so a year's periods add up to the
// annual amount exactly (PKH Rp900.000: four quarters of Rp225.000; an
// annual Rp1.000.000 paid every two months: 166.666, 166.667, 166.667, ...).
func (c *Compiled) PeriodAmount(d *Decision, channel, period string) (int64, error) {
	p, err := c.Period(channel, period)
	if err != nil {
		return 0, err
	}
	if d.Outcome != Eligible {
		return 0, nil
	}
	return periodShare(d.Annual, d.Monthly, p), nil
}

func periodShare(annual, monthly int64, p Period) int64 {
	s, _ := parseDate(p.Start)
	n := int64(p.months())
	first := int64(s.Month()) - 1
	share := annual*(first+n)/12 - annual*first/12
	return share + monthly*n
}

// Period looks up a period of a channel's calendar.
func (c *Compiled) Period(channel, code string) (Period, error) {
	cal, ok := c.periods[channel]
	if !ok {
		return Period{}, fmt.Errorf("program %s: saluran %q tidak ada di kalender", c.Doc.Program, channel)
	}
	p, ok := cal[code]
	if !ok {
		return Period{}, fmt.Errorf("program %s: periode %q tidak ada di kalender saluran %s", c.Doc.Program, code, channel)
	}
	return p, nil
}

// Rupiah formats an amount the Indonesian way: Rp2.400.000.
func Rupiah(n int64) string { return "Rp" + thousands(n) }

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}
