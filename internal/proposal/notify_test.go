package proposal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/store"
)

// TestNotifications: the citizen hears of each decision on their item;
// the operators of the next level hear of new work, once per region.
func TestNotifications(t *testing.T) {
	run(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		if err := w.db.Write(ctx, func(tx *store.Tx) error {
			for _, u := range []struct {
				id         int64
				name, role string
				region     string
			}{{101, "warga-a", "warga", villageA}, {11, "op-a1", "desa", villageA}, {12, "op-a2", "desa", villageA}, {21, "dinsos-1", "dinsos", district}} {
				if _, err := tx.Exec(ctx, `INSERT INTO users (id, username, password_hash, role, region_code, created_at) VALUES ($1, $2, 'x', $3, $4, 0)`,
					u.id, u.name, u.role, u.region); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		w.svc.Notify = proposal.Notifier(notify.New(w.db, notify.LogSender{}))
		it, err := w.svc.Submit(ctx, citizenA, proposal.Input{Kind: proposal.UsulProgram, FamilyID: w.famA, Program: "BPNT", Reason: "belum menerima"})
		if err != nil {
			t.Fatal(err)
		}
		// New work for the village's operators.
		if n := w.count(`SELECT COUNT(*) FROM notification WHERE user_id IN (11, 12) AND link = '/usulan'`); n != 2 {
			t.Fatalf("village operators told %d times", n)
		}
		w.throughMeeting(it.ID)
		// The citizen heard of the village check and the meeting; the district of the work waiting.
		if n := w.count(`SELECT COUNT(*) FROM notification WHERE user_id = 101`); n != 2 {
			t.Fatalf("citizen told %d times", n)
		}
		if n := w.count(`SELECT COUNT(*) FROM notification WHERE user_id = 21`); n != 1 {
			t.Fatalf("district told %d times", n)
		}
		if _, err := w.svc.Decide(as(dis1), proposal.Decision{Step: proposal.StepDistrict, Verdict: proposal.Reject, Reason: "sudah menerima PKH",
			Items: proposal.Selection{IDs: []int64{it.ID}}}); err != nil {
			t.Fatal(err)
		}
		var body string
		if err := w.db.QueryRow(ctx, `SELECT body FROM notification WHERE user_id = 101 ORDER BY id DESC LIMIT 1`).Scan(&body); err != nil || body == "" {
			t.Fatal(body, err)
		}
		if want := "Ditolak"; !strings.Contains(body, want) || !strings.Contains(body, "sudah menerima PKH") {
			t.Fatalf("citizen's notice: %q", body)
		}
	})
}
