package program

import (
	"fmt"
	"sort"
	"strconv"
)

// pkh chooses the family's PKH components (DOMAIN.md, PKH counting rules):
//
//  1. A member counts only when active in the register.
//  2. For each active member, the components whose expression holds are
//     its candidates; a school component (requires_enrollment) needs
//     school_enrolled, and a component with max_order (early childhood,
//     pregnancy) only counts up to that child or pregnancy.
//  3. A member counts once, for its highest-paying candidate; between equal
//     amounts the component listed first in the table wins (severe
//     disability before elderly in the shipped table).
//  4. At most max_children members count for child components: the
//     highest-paying ones, between equal amounts the elder child.
//  5. At most max_components components count for the family: the
//     highest-paying ones, between equal amounts the component listed
//     first, then the member listed first.
//
// A member dropped at step 4 or 5 is not moved to another component: it
// counted for its highest-paying one and that one did not fit.
func (ev *evaluator) pkh(d *Decision) {
	b := &ev.c.Doc.Benefit
	type pick struct {
		m    *Member
		mi   int
		comp *compiledComponent
	}
	var picks []pick
	var fits, allowed []*compiledComponent
	for mi, m := range ev.f.Members {
		fits = fits[:0]
		for ci := range ev.c.components {
			comp := &ev.c.components[ci]
			ok, err := ev.test(comp.expr, m)
			if err != nil {
				d.fail(Error, ev.errorReason(comp.Code, m, err))
				continue
			}
			if ok {
				fits = append(fits, comp)
			}
		}
		if len(fits) == 0 {
			continue
		}
		if !m.Active() {
			best := highest(fits)
			d.NotCounted = append(d.NotCounted, choice(m, best, Reason{Code: ReasonMemberInactive, Value: m.Status,
				Text: fmt.Sprintf("anggota keluarga %s berstatus %s, tidak dihitung untuk komponen %s",
					m.Name, Label("status", m.Status), best.Label)}))
			continue
		}
		allowed = allowed[:0]
		for _, comp := range fits {
			if comp.RequiresEnrollment && !m.SchoolEnrolled {
				d.NotCounted = append(d.NotCounted, choice(m, comp, Reason{Code: ReasonNotEnrolled, Value: m.SchoolLevel,
					Text: fmt.Sprintf("%s (jenjang %s) tidak terdaftar di Dapodik/EMIS (tanpa ID sekolah): komponen %s tidak dihitung",
						m.Name, Label("school_level", m.SchoolLevel), comp.Label)}))
				continue
			}
			if comp.MaxOrder > 0 {
				ord, what := m.BirthOrder, "anak"
				if comp.OrderBy == "pregnancy_order" {
					ord, what = m.PregnancyOrder, "kehamilan"
				}
				if ord > int64(comp.MaxOrder) {
					d.NotCounted = append(d.NotCounted, choice(m, comp, Reason{Code: ReasonOrderLimit, Value: strconv.FormatInt(ord, 10),
						Text: fmt.Sprintf("%s %s ke-%d: komponen %s hanya sampai %s ke-%d",
							m.Name, what, ord, comp.Label, what, comp.MaxOrder)}))
					continue
				}
			}
			allowed = append(allowed, comp)
		}
		if len(allowed) == 0 {
			continue
		}
		best := highest(allowed)
		for _, comp := range allowed {
			if comp != best {
				d.NotCounted = append(d.NotCounted, choice(m, comp, Reason{Code: ReasonCountedOnce,
					Text: fmt.Sprintf("%s juga memenuhi komponen %s, tetapi setiap anggota dihitung sekali: untuk komponen %s",
						m.Name, comp.Label, best.Label)}))
			}
		}
		picks = append(picks, pick{m: m, mi: mi, comp: best})
	}
	if d.Outcome == Error {
		return
	}
	byAmount := func(ps []pick, child bool) {
		sort.SliceStable(ps, func(i, j int) bool {
			a, b := ps[i], ps[j]
			if a.comp.Annual != b.comp.Annual {
				return a.comp.Annual > b.comp.Annual
			}
			if child && a.m.Age != b.m.Age {
				return a.m.Age > b.m.Age
			}
			if a.comp.index != b.comp.index {
				return a.comp.index < b.comp.index
			}
			return a.mi < b.mi
		})
	}
	if b.MaxChildren > 0 {
		var children []pick
		kept := picks[:0:0]
		for _, p := range picks {
			if p.comp.Child {
				children = append(children, p)
			} else {
				kept = append(kept, p)
			}
		}
		byAmount(children, true)
		for i, p := range children {
			if i < b.MaxChildren {
				kept = append(kept, p)
				continue
			}
			d.NotCounted = append(d.NotCounted, choice(p.m, p.comp, Reason{Code: ReasonChildLimit,
				Text: fmt.Sprintf("%s tidak dihitung untuk komponen %s: paling banyak %d anak dihitung per keluarga",
					p.m.Name, p.comp.Label, b.MaxChildren)}))
		}
		picks = kept
	}
	byAmount(picks, false)
	if b.MaxComponents > 0 && len(picks) > b.MaxComponents {
		for _, p := range picks[b.MaxComponents:] {
			d.NotCounted = append(d.NotCounted, choice(p.m, p.comp, Reason{Code: ReasonComponentLimit,
				Text: fmt.Sprintf("komponen %s untuk %s tidak dihitung: paling banyak %d komponen per keluarga",
					p.comp.Label, p.m.Name, b.MaxComponents)}))
		}
		picks = picks[:b.MaxComponents]
	}
	sort.SliceStable(picks, func(i, j int) bool { return picks[i].mi < picks[j].mi })
	for _, p := range picks {
		d.Counted = append(d.Counted, choice(p.m, p.comp, Reason{Code: ReasonCounted,
			Text: p.m.Name + " dihitung untuk komponen " + p.comp.Label + " (" + Rupiah(p.comp.Annual) + " setahun)"}))
		d.Annual += p.comp.Annual
	}
	if len(d.Counted) == 0 {
		d.fail(Ineligible, Reason{Code: ReasonNoComponent, Text: "tidak ada anggota keluarga yang memenuhi komponen PKH"})
	}
}

// highest returns the highest-paying component, the first listed between
// equals.
func highest(cs []*compiledComponent) *compiledComponent {
	best := cs[0]
	for _, c := range cs[1:] {
		if c.Annual > best.Annual || (c.Annual == best.Annual && c.index < best.index) {
			best = c
		}
	}
	return best
}

func choice(m *Member, c *compiledComponent, r Reason) ComponentChoice {
	r.Rule = c.Code
	r.MemberID = m.ID
	return ComponentChoice{MemberID: m.ID, Member: m.Name, Component: c.Code, Label: c.Label, Annual: c.Annual, Reason: r}
}
