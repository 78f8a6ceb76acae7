package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/kemensos/jaring/internal/auth/authtest"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

const (
	cmpEvilName = `Budi <script>alert("nama")</script>`
	cmpEvilText = `Bantuan dipotong <img src=x onerror="alert(1)"> oleh <b>ketua RT</b>`
)

func TestComplaintPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		svc := complaint.New(db, authtest.Key)
		var jpg bytes.Buffer
		_ = jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 8, 8)), nil)
		social, err := svc.File(ctx, complaint.Filing{Kind: complaint.KindComplaint, Category: complaint.NotReceived, Region: village1,
			Description: cmpEvilText, Contact: complaint.Contact{Name: cmpEvilName, Phone: "081311112222"},
			Files: []complaint.Upload{{Data: jpg.Bytes()}}})
		if err != nil {
			t.Fatal(err)
		}
		pungli, err := svc.File(ctx, complaint.Filing{Kind: complaint.KindComplaint, Category: complaint.Pungli, Region: village1,
			Description: "Potongan Rp100.000 oleh agen.", Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		wbs, err := svc.File(ctx, complaint.Filing{Kind: complaint.KindWBS, Category: complaint.Misconduct, Region: "32.04",
			Description: "Petugas meminta imbalan untuk memasukkan nama ke daftar.", Contact: complaint.Contact{Name: "Saksi Kunci", Email: "saksi@example.id"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct{ name, role, region string }{{"dinsos1", "dinsos", "32.04"}, {"inspektur32", "inspektorat", "32"}} {
			if _, err := e.mfa.Svc.CreateUser(ctx, u.name, otherPw, u.role, u.region); err != nil {
				t.Fatal(err)
			}
		}

		// The district social office: its queue, the case with the markup escaped.
		d := e.browser()
		d.signIn(t, "dinsos1", otherPw)
		resp, body := d.get(t, "/admin/pengaduan")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, social.Code, "Dinas Sosial Kabupaten Bandung", `href="/admin/pengaduan"`)
		lacks(t, body, pungli.Code, wbs.Code, `href="/admin/wbs"`)
		resp, body = d.get(t, "/admin/pengaduan?terlambat=1")
		expect(t, resp, body, http.StatusOK)
		lacks(t, body, social.Code)
		resp, body = d.get(t, fmt.Sprintf("/admin/pengaduan/%d", social.ID))
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "Budi &lt;script&gt;", "&lt;img src=x", "081311112222", "bukti-1.jpg", `name="jenis" value="status"`)
		lacks(t, body, "<img src=x", "<b>ketua")
		fileLink := regexp.MustCompile(`href="(/admin/pengaduan/\d+/berkas/\d+)"`).FindStringSubmatch(body)
		if fileLink == nil {
			t.Fatal("no file link")
		}
		req, _ := http.NewRequest("GET", e.url+fileLink[1], nil)
		fr, fb := d.do(t, req)
		if fr.StatusCode != http.StatusOK || fr.Header.Get("Content-Type") != "image/jpeg" || fr.Header.Get("Content-Disposition") != `attachment; filename="bukti-1.jpg"` {
			t.Errorf("file: %d %v", fr.StatusCode, fr.Header)
		}
		if _, err := jpeg.Decode(bytes.NewReader([]byte(fb))); err != nil {
			t.Errorf("file does not decode: %v", err)
		}
		for _, path := range []string{fmt.Sprintf("/admin/pengaduan/%d", pungli.ID), fmt.Sprintf("/admin/pengaduan/%d", wbs.ID)} {
			resp, body = d.get(t, path)
			expect(t, resp, body, http.StatusNotFound)
		}
		for _, path := range []string{"/admin/wbs", fmt.Sprintf("/admin/wbs/%d", wbs.ID)} {
			resp, body = d.get(t, path)
			expect(t, resp, body, http.StatusForbidden)
		}
		tok := d.csrf(t)
		act := fmt.Sprintf("/admin/pengaduan/%d/tindakan", social.ID)
		resp, body = d.post(t, act, url.Values{"csrf_token": {tok}, "jenis": {"status"}, "status": {"selesai"}, "teks": {""}})
		expect(t, resp, body, http.StatusUnprocessableEntity)
		contains(t, body, "teks: tulis penyelesaian")
		resp, body = d.post(t, act, url.Values{"csrf_token": {tok}, "jenis": {"balasan"}, "teks": {"<i>Sedang</i> diperiksa"}})
		expect(t, resp, body, http.StatusSeeOther)
		resp, body = d.post(t, act, url.Values{"csrf_token": {tok}, "jenis": {"status"}, "status": {"selesai"}, "teks": {"Dana disalurkan ulang."}})
		expect(t, resp, body, http.StatusSeeOther)
		_, body = d.get(t, fmt.Sprintf("/admin/pengaduan/%d", social.ID))
		contains(t, body, "Dana disalurkan ulang.", "&lt;i&gt;Sedang&lt;/i&gt;", "Selesai")
		lacks(t, body, `name="jenis"`)
		resp, body = d.get(t, "/admin/pengaduan/statistik")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "<svg", "Rancaekek", "Bantuan tidak diterima")
		resp, body = d.get(t, "/admin/pengaduan/statistik?wilayah=53")
		expect(t, resp, body, http.StatusNotFound)

		// The inspectorate: WBS without the identity until revealed with a reason.
		in := e.browser()
		in.signIn(t, "inspektur32", otherPw)
		resp, body = in.get(t, "/admin/wbs")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, wbs.Code)
		resp, body = in.get(t, fmt.Sprintf("/admin/wbs/%d", wbs.ID))
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "Tersegel", `action="/admin/wbs/`)
		lacks(t, body, "Saksi Kunci", "saksi@example.id")
		tok = in.csrf(t)
		resp, body = in.post(t, fmt.Sprintf("/admin/wbs/%d/identitas", wbs.ID), url.Values{"csrf_token": {tok}, "alasan": {""}})
		expect(t, resp, body, http.StatusUnprocessableEntity)
		lacks(t, body, "Saksi Kunci")
		resp, body = in.post(t, fmt.Sprintf("/admin/wbs/%d/identitas", wbs.ID), url.Values{"csrf_token": {tok}, "alasan": {"Pemeriksaan khusus"}})
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "Saksi Kunci", "saksi@example.id")
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = $1 AND object_id = $2 AND actor = 'inspektur32'`, complaint.ActReveal, wbs.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("reveal audit entries: %d %v", n, err)
		}
		resp, body = in.post(t, fmt.Sprintf("/admin/wbs/%d/tindakan", wbs.ID), url.Values{"csrf_token": {tok}, "jenis": {"catatan"}, "teks": {"Diperiksa"}})
		expect(t, resp, body, http.StatusSeeOther)
		resp, body = in.get(t, fmt.Sprintf("/admin/pengaduan/%d", pungli.ID))
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "Inspektorat Kabupaten Bandung")
	})
}
