package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/welfare"
)

// TestFamilyWelfare checks the Kesejahteraan block of the family page: no
// ranking yet, then the decile with its label, the score and the
// indicators that moved it, in both languages.
func TestFamilyWelfare(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		admin := e.browser()
		admin.signIn(t, "admin", adminPw)
		page := fmt.Sprintf("/keluarga/%d", e.fam1)

		resp, body := admin.get(t, page)
		expect(t, resp, body, http.StatusOK)
		contains(t, body, `<h2 id="kesejahteraan">Kesejahteraan</h2>`, "Keluarga ini belum diperingkat")

		_, err := welfare.CreateModel(ctx, db, []byte(`{"version": "uji-web", "effective_from": "2026-01-01", "title": "Uji", "base": 50,
  "indicators": [
    {"name": "lantai", "label": "Jenis lantai", "source": "lantai", "values": {"semen": -2.5, "tanah": -8}},
    {"name": "kambing", "label": "Kambing dan babi", "source": "ternak_kecil", "weight": 1.25},
    {"name": "anggota", "label": "Jumlah anggota", "source": "jumlah_anggota", "bands": [{"below": 2, "points": 6}, {"points": -3}]},
    {"name": "mobil", "label": "Mobil", "source": "aset.mobil", "weight": 20}
  ]}`), "test")
		if err != nil {
			t.Fatal(err)
		}
		// The ranking's data time must follow the register's test clock.
		now := time.Date(2026, 2, 1, 5, 0, 0, 0, time.UTC)
		if _, err := welfare.Rank(ctx, db, welfare.Options{Model: "uji-web", TempDir: t.TempDir(), Now: func() time.Time { return now }}, nil); err != nil {
			t.Fatal(err)
		}
		// Family 1: semen -2.5, two goats +2.5, three members -3, no car: 47,
		// below family 2 (no floor given, one member: 56), so decile 1.
		_, body = admin.get(t, page)
		contains(t, body, "<dt>Desil</dt><dd>1 <small>sangat miskin</small></dd>", "<dt>Skor</dt><dd>47</dd>",
			"uji-web", "1 Feb 2026 12:00 WIB", "secara nasional.",
			`<tr><td>Nilai dasar model</td><td></td><td class="num">50</td></tr>`,
			`<tr><td>Jumlah anggota</td><td>3</td><td class="num">−3</td></tr>`,
			`<tr><td>Jenis lantai</td><td>Semen/bata merah</td><td class="num">−2,5</td></tr>`,
			`<tr><td>Kambing dan babi</td><td>2</td><td class="num">&#43;2,5</td></tr>`,
			`<th scope="row">Skor</th><td></td><td class="num">47</td>`)
		lacks(t, body, "Mobil", "belum diperingkat")

		_, body = admin.get(t, fmt.Sprintf("/keluarga/%d", e.fam2))
		contains(t, body, "<dd>6 <small>menengah ke atas</small></dd>", "<dt>Skor</dt><dd>56</dd>")

		admin.get(t, "/bahasa?ke=en&kembali="+page)
		_, body = admin.get(t, page)
		contains(t, body, `<h2 id="kesejahteraan">Welfare</h2>`, "<dd>1 <small>extremely poor</small></dd>", "−2.5", "nationally.")
	})
}
