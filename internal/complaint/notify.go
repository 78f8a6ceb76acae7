package complaint

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/store"
)

// Handlers is who handles the cases of unit u, as a notice recipient: the
// accounts of the unit's role bound to exactly its region (the regency's
// social office dinsos, the province's provinsi, the nation's admin; the
// inspectorate of the level).
func Handlers(u Unit) notify.Recipient {
	if u.Kind == UnitInspectorate {
		return notify.Recipient{Role: authz.Inspectorate, Region: u.Region}
	}
	switch len(u.Region) {
	case 5:
		return notify.Recipient{Role: authz.District, Region: u.Region}
	case 2:
		return notify.Recipient{Role: authz.Province, Region: u.Region}
	}
	return notify.Recipient{Role: authz.Admin}
}

// sweepNotice is one notice of a sweep: the cases of one kind that a unit
// must now look at.
type sweepNotice struct {
	unit Unit
	kind Kind
	ids  []int64
}

// noticeCases lists case numbers for a notice body, the first 50 of them.
func noticeCases(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i == 50 {
			fmt.Fprintf(&b, " dan %d lainnya", len(ids)-50)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// byUnit gathers cases by unit and kind, in a stable order.
func byUnit(cases []dueCase, unitOf func(dueCase) Unit) []sweepNotice {
	var out []sweepNotice
	for _, d := range cases {
		u := unitOf(d)
		i := slices.IndexFunc(out, func(n sweepNotice) bool { return n.unit == u && n.kind == d.kind })
		if i < 0 {
			out = append(out, sweepNotice{unit: u, kind: d.kind})
			i = len(out) - 1
		}
		out[i].ids = append(out[i].ids, d.id)
	}
	return out
}

// notifySweep tells the handlers of each unit, in the sweep's transaction,
// of the cases reminded (escalated false) or escalated to them. Without a
// notification service it does nothing. Bodies carry case numbers only:
// never a contact, a description or a tracking code.
func (s *Service) notifySweep(ctx context.Context, tx *store.Tx, groups []sweepNotice, escalated bool) error {
	if s.Notify == nil || len(groups) == 0 {
		return nil
	}
	ns := make([]notify.Notice, 0, len(groups))
	for _, g := range groups {
		what, link := "pengaduan", "/admin/pengaduan"
		if g.kind == KindWBS {
			what, link = "laporan WBS", "/admin/wbs"
		}
		n := notify.Notice{To: Handlers(g.unit), Link: link}
		if escalated {
			n.Subject = fmt.Sprintf("%d %s diteruskan ke unit Anda", len(g.ids), what)
			n.Body = fmt.Sprintf("Batas waktu penanganan terlewati: %d %s diteruskan ke %s dengan batas waktu baru. Nomor: %s.",
				len(g.ids), what, unitLabel(g.unit), noticeCases(g.ids))
		} else {
			n.Subject = fmt.Sprintf("%d %s mendekati batas waktu", len(g.ids), what)
			n.Body = fmt.Sprintf("%d %s di %s mendekati batas waktu penanganan. Nomor: %s.",
				len(g.ids), what, unitLabel(g.unit), noticeCases(g.ids))
		}
		ns = append(ns, n)
	}
	_, err := s.Notify.SendManyTx(ctx, tx, ns)
	return err
}
