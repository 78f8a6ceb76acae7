package complaint_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// handlers creates one account per handling unit of village A's regency
// and province, and one elsewhere who must hear nothing; it returns their
// IDs by user name.
func handlers(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	a := auth.New(db)
	ids := map[string]int64{}
	for _, u := range []struct {
		name string
		role authz.Role
		reg  string
	}{
		{"dinsos-bandung", authz.District, "32.04"},
		{"dinsos-sikka", authz.District, "53.07"},
		{"provinsi-jabar", authz.Province, "32"},
		{"inspektorat-bandung", authz.Inspectorate, "32.04"},
		{"inspektorat-jabar", authz.Inspectorate, "32"},
		{"admin-pusat", authz.Admin, ""},
	} {
		got, err := a.CreateUser(context.Background(), u.name, "kata-sandi-panjang-123", string(u.role), u.reg)
		if err != nil {
			t.Fatal(err)
		}
		ids[u.name] = got.ID
	}
	return ids
}

type notice struct {
	user                int64
	subject, body, link string
}

func notices(t *testing.T, db *store.DB) []notice {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT user_id, subject, body, link FROM notification ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []notice
	for rows.Next() {
		var n notice
		if err := rows.Scan(&n.user, &n.subject, &n.body, &n.link); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSweepNotifiesHandlers: a reminder tells the unit's handlers, an
// escalation tells the unit one level up; each unit hears of its own
// cases only, and a notice names case numbers, never the description,
// the contact or the tracking code.
func TestSweepNotifiesHandlers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, clock := setup(t, db)
		s.Notify = notify.New(db)
		s.Notify.Now = clock.Now
		ids := handlers(t, db)
		ctx := context.Background()
		file := func(k complaint.Kind, c complaint.Category, region, text string) complaint.Receipt {
			t.Helper()
			rc, err := s.File(ctx, complaint.Filing{Kind: k, Category: c, Region: region, Description: text,
				Contact: complaint.Contact{Name: "Ani Pelapor", Phone: "081299887766"}})
			if err != nil {
				t.Fatal(err)
			}
			return rc
		}
		social := file(complaint.KindComplaint, complaint.NotReceived, villageA, "Bantuan BPNT tidak masuk kartu.")
		levy := file(complaint.KindComplaint, complaint.Pungli, villageA, "Bantuan dipotong Rp50.000 oleh agen.")
		wbs := file(complaint.KindWBS, complaint.Pungli, "32.04", "Kepala seksi meminta setoran.")

		// 11 days and a minute: the two 14-day cases are reminded.
		clock.Advance(11*24*time.Hour + time.Minute)
		if res, err := s.Sweep(ctx); err != nil || res.Reminded != 2 || res.Escalated != 0 {
			t.Fatalf("first sweep: %+v %v", res, err)
		}
		got := notices(t, db)
		want := map[int64]notice{
			ids["dinsos-bandung"]:      {subject: "1 pengaduan mendekati batas waktu", link: "/admin/pengaduan", body: fmt.Sprint("Nomor: ", social.ID, ".")},
			ids["inspektorat-bandung"]: {subject: "1 pengaduan mendekati batas waktu", link: "/admin/pengaduan", body: fmt.Sprint("Nomor: ", levy.ID, ".")},
		}
		check := func(step string, got []notice, want map[int64]notice) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s: %d notices, want %d: %+v", step, len(got), len(want), got)
			}
			for _, n := range got {
				w, ok := want[n.user]
				if !ok {
					t.Errorf("%s: user %d was told %q", step, n.user, n.subject)
					continue
				}
				if n.subject != w.subject || n.link != w.link || !strings.HasSuffix(n.body, w.body) {
					t.Errorf("%s: user %d got %+v, want %+v", step, n.user, n, w)
				}
				for _, secret := range []string{"Ani", "081299887766", "Bantuan", "setoran", social.Code, levy.Code, wbs.Code} {
					if strings.Contains(n.subject+n.body, secret) {
						t.Errorf("%s: a notice carries %q", step, secret)
					}
				}
			}
		}
		check("reminder", got, want)

		// Three days on: both move a level up, to the province's units.
		clock.Advance(3 * 24 * time.Hour)
		if res, err := s.Sweep(ctx); err != nil || res.Reminded != 0 || res.Escalated != 2 {
			t.Fatalf("second sweep: %+v %v", res, err)
		}
		got = notices(t, db)[2:]
		check("escalation", got, map[int64]notice{
			ids["provinsi-jabar"]:    {subject: "1 pengaduan diteruskan ke unit Anda", link: "/admin/pengaduan", body: fmt.Sprint("Nomor: ", social.ID, ".")},
			ids["inspektorat-jabar"]: {subject: "1 pengaduan diteruskan ke unit Anda", link: "/admin/pengaduan", body: fmt.Sprint("Nomor: ", levy.ID, ".")},
		})
		for _, n := range got {
			if !strings.Contains(n.body, "Batas waktu penanganan terlewati") {
				t.Errorf("escalation notice %q does not say why", n.body)
			}
		}

		// Nine more days: the WBS report (30 days) is reminded, on the WBS queue.
		clock.Advance(9 * 24 * time.Hour)
		if res, err := s.Sweep(ctx); err != nil || res.Reminded != 1 {
			t.Fatalf("third sweep: %+v %v", res, err)
		}
		check("wbs reminder", notices(t, db)[4:], map[int64]notice{
			ids["inspektorat-bandung"]: {subject: "1 laporan WBS mendekati batas waktu", link: "/admin/wbs", body: fmt.Sprint("Nomor: ", wbs.ID, ".")},
		})
		// A sweep with nothing to do tells nobody.
		if _, err := s.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(notices(t, db)); n != 5 {
			t.Errorf("%d notices after an idle sweep, want 5", n)
		}
	})
}

// TestSweepNoticeInTransaction: when the notice cannot be written, the
// reminder is not either: the two share one transaction.
func TestSweepNoticeInTransaction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, clock := setup(t, db)
		s.Notify = notify.New(db)
		handlers(t, db)
		ctx := context.Background()
		rc, err := s.File(ctx, complaint.Filing{Kind: complaint.KindComplaint, Category: complaint.NotReceived, Region: villageA,
			Description: "Bantuan tidak pernah diterima.", Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(11*24*time.Hour + time.Minute)
		// The notification table gone, the notice's write fails.
		if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, `DROP TABLE notification`); return err }); err != nil {
			t.Fatal(err)
		}
		if res, err := s.Sweep(ctx); err == nil {
			t.Fatalf("sweep without a notification table: %+v, want an error", res)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM complaint WHERE id = $1 AND reminded_at IS NOT NULL`, rc.ID); n != 0 {
			t.Error("the case is marked reminded although its notice was not written")
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM complaint_event WHERE complaint_id = $1 AND kind = 'pengingat'`, rc.ID); n != 0 {
			t.Error("a reminder event was written although its notice was not")
		}
	})
}
