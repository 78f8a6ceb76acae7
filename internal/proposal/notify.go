package proposal

import (
	"context"
	"fmt"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/store"
)

// Notifier returns a Notify function that tells, through n: the citizen
// who filed an item of each decision on it, and the operators of the
// level that works next of the items waiting for them (one notice per
// village or district, however many items).
func Notifier(n *notify.Service) func(ctx context.Context, tx *store.Tx, ev Event) error {
	return func(ctx context.Context, tx *store.Tx, ev Event) error {
		var ns []notify.Notice
		groups := map[notify.Recipient]int{}
		for _, it := range ev.Items {
			if it.CitizenID != 0 && it.MakerUserID != 0 && ev.Status != Submitted {
				body := fmt.Sprintf("%s nomor %d kini berstatus %s.", it.Kind.Label(), it.ID, ev.Status.Label())
				if ev.Reason != "" {
					body += " Alasan: " + ev.Reason
				}
				ns = append(ns, notify.Notice{To: notify.Recipient{UserID: it.MakerUserID},
					Subject: fmt.Sprintf("Usulan nomor %d: %s", it.ID, ev.Status.Label()), Body: body, Link: "/warga/usulan"})
			}
			if r, ok := nextLevel(it, ev.Status); ok {
				groups[r]++
			}
		}
		for r, count := range groups {
			ns = append(ns, notify.Notice{To: r, Subject: fmt.Sprintf("%d usulan menunggu: %s", count, ev.Status.Label()),
				Body: fmt.Sprintf("%d usulan di wilayah %s menunggu langkah berikutnya (%s).", count, r.Region, ev.Status.Label()), Link: "/usulan"})
		}
		if len(ns) == 0 {
			return nil
		}
		_, err := n.SendManyTx(ctx, tx, ns)
		return err
	}
}

// nextLevel is who works next on an item that reached status.
func nextLevel(it EventItem, status Status) (notify.Recipient, bool) {
	district := it.VillageCode
	if len(district) >= 5 {
		district = district[:5]
	}
	switch {
	case status == Submitted && it.Kind == Objection:
		return notify.Recipient{Role: authz.District, Region: district}, true
	case status == Submitted:
		return notify.Recipient{Role: authz.Village, Region: it.VillageCode}, true
	case status == MeetingAgreed, status == DistrictChecked:
		return notify.Recipient{Role: authz.District, Region: district}, true
	case status == Upheld:
		return notify.Recipient{Role: authz.SocialWorker, Region: district}, true
	}
	return notify.Recipient{}, false
}
