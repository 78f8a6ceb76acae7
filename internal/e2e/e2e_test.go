package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// TestBrowser drives Chromium through the site on each engine: one
// register, ranking and determination per engine, one browser for all, a
// fresh browser context (cookies) per flow. PostgreSQL runs the flows
// whose answers come from engine-specific queries; the back office and
// the no-script path are the same pages on either engine.
func TestBrowser(t *testing.T) {
	start := time.Now()
	b := newBrowser(t)
	t.Logf("browser started in %s", time.Since(start).Round(time.Millisecond))
	flows := []struct {
		name, shots string
		sqliteOnly  bool
		fn          func(*testing.T, *site, *tab)
	}{
		{"backoffice", "kantor", true, backOffice},
		{"check-by-name", "cek-nama", false, checkByName},
		{"check-by-nik", "cek-nik", false, checkByNIK},
		{"check-without-script", "cek-tanpa-js", true, checkWithoutScript},
		{"complaint", "pengaduan", false, complaintFlow},
		{"complaint-without-script", "pengaduan-tanpa-js", true, complaintWithoutScript},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		start := time.Now()
		s := newSite(t, db)
		t.Logf("site ready in %s", time.Since(start).Round(time.Millisecond))
		engine := string(db.Engine())
		for _, f := range flows {
			if f.sqliteOnly && db.Engine() != store.SQLite {
				continue
			}
			t.Run(f.name, func(t *testing.T) { f.fn(t, s, b.tab(t, engine+"-"+f.shots)) })
		}
	})
}

// backOffice: the sign-in page, a wrong password refused in Indonesian, a
// village operator signed in searching a name of the village.
func backOffice(t *testing.T, s *site, tb *tab) {
	tb.do("open the sign-in page", chromedp.Navigate(s.URL+"/masuk"), chromedp.WaitVisible(chromedp.ID("nama_pengguna")))
	tb.shot("masuk")
	if got := run(tb, "read the language", chromedp.AttributeValue(chromedp.CSS("html"), "lang")); got.Value != "id" {
		t.Errorf("sign-in page language %q, want id", got.Value)
	}
	tb.contains("sign-in page", "Nama pengguna", "Kata sandi")

	tb.do("sign in with a wrong password",
		chromedp.SendKeys(chromedp.ID("nama_pengguna"), operatorUser),
		chromedp.SendKeys(chromedp.ID("kata_sandi"), "bukan-kata-sandinya"),
		chromedp.Click(chromedp.CSS(`form[action="/masuk"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.error[role=alert]`)),
	)
	tb.shot("sandi-salah")
	if msg := tb.text(`p.error[role=alert]`); !strings.Contains(msg, "kata sandi salah") {
		t.Errorf("wrong password: error %q, want the Indonesian refusal", msg)
	}
	if v := run(tb, "read the user name kept", chromedp.Value(chromedp.ID("nama_pengguna"))); v != operatorUser {
		t.Errorf("wrong password: user name field %q, want it kept", v)
	}

	tb.do("sign in",
		chromedp.SendKeys(chromedp.ID("kata_sandi"), operatorPass),
		chromedp.Click(chromedp.CSS(`form[action="/masuk"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/keluar"]`)),
	)
	tb.shot("beranda")
	if u := tb.text(`.user`); !strings.Contains(u, operatorUser) {
		t.Errorf("signed in: user shown %q", u)
	}

	// A name of the operator's village: the search finds it, masked NIK.
	p := s.findPerson(t, ` AND p.village_code = $1`, s.operatorVillage)
	tb.do("open the search", chromedp.Click(chromedp.CSS(`nav a[href="/cari"]`)), chromedp.WaitVisible(chromedp.ID("nama")))
	tb.do("search a name",
		chromedp.SendKeys(chromedp.ID("nama"), p.Name),
		chromedp.Click(chromedp.CSS(`form[action="/cari"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`main p[role=status]`)),
	)
	tb.shot("cari")
	hits := tb.text(`main table tbody`)
	if !strings.Contains(hits, p.Name) || !strings.Contains(hits, p.VillageCode) {
		t.Errorf("search %q: results lack the person:\n%s", p.Name, hits)
	}
	if !strings.Contains(hits, nik.Mask(p.NIK)) {
		t.Errorf("search: the person's masked NIK is not in the results:\n%s", hits)
	}
	tb.lacks("search results", p.NIK)
}
