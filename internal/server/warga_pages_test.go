package server_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/determination/dettest"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// pages is a citizen's browser on the real server: the session cookie
// and the CSRF token of the last page read.
type pages struct {
	t       *testing.T
	x       *acct
	session string
	csrf    string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// send sends a request as the browser; a multipart body when files is
// not nil, else a urlencoded form (or nothing for GET).
func (p *pages) send(method, path string, fields map[string]string, files map[string][]byte) response {
	p.t.Helper()
	var ct string
	var body []byte
	switch {
	case files != nil:
		if p.csrf != "" {
			fields["csrf_token"] = p.csrf
		}
		ct, body = wgForm(fields, files)
	case method == "POST":
		v := url.Values{}
		for k, f := range fields {
			v.Set(k, f)
		}
		if p.csrf != "" {
			v.Set("csrf_token", p.csrf)
		}
		ct, body = "application/x-www-form-urlencoded", []byte(v.Encode())
	}
	r := wgSend(p.t, p.x.env, method, path, ct, body, p.session, "")
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == api.SessionCookie {
			p.session = c.Value
		}
	}
	if m := csrfField.FindSubmatch(r.Body); m != nil {
		p.csrf = string(m[1])
	}
	return r
}

// page reads a page and fails unless its status is want.
func (p *pages) page(path string, want int) string {
	p.t.Helper()
	r := p.send("GET", path, nil, nil)
	if r.Status != want {
		p.t.Fatalf("GET %s: %d, want %d: %.400s", path, r.Status, want, r.Body)
	}
	return html.UnescapeString(string(r.Body))
}

// post sends a form and fails unless the status is want and the page
// holds every text of has.
func (p *pages) post(path string, fields map[string]string, files map[string][]byte, want int, has ...string) string {
	p.t.Helper()
	r := p.send("POST", path, fields, files)
	body := html.UnescapeString(string(r.Body))
	if r.Status != want {
		p.t.Fatalf("POST %s: %d, want %d: %s", path, r.Status, want, body[max(0, strings.Index(body, "<main")):])
	}
	for _, h := range has {
		if !strings.Contains(body, h) {
			p.t.Errorf("POST %s: the page lacks %q: %.3000s", path, h, body)
		}
	}
	return body
}

// register registers a resident at /warga/daftar with photos and lands
// signed in on /warga/akun; it returns the account's ID.
func (p *pages) register(nikv, kk, name, phone string) int64 {
	p.t.Helper()
	photo := mxJPEG()
	f := map[string]string{"nik": nikv, "kk": kk, "name": name, "village": villageA, "phone": phone, "password": wgPass,
		"provinsi": "32", "kabupaten": "32.04", "kecamatan": "32.04.28"}
	r := p.send("POST", "/warga/daftar", f, map[string][]byte{"ktp": photo, "selfie": photo})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/warga/akun" || p.session == "" {
		p.t.Fatalf("register: %d %s %.500s", r.Status, r.Header.Get("Location"), r.Body)
	}
	r = wgSend(p.t, p.x.env, "GET", "/api/v1/me/citizen", "", nil, p.session, "")
	var acc struct {
		ID int64 `json:"id"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &acc) != nil || acc.ID == 0 {
		p.t.Fatalf("my account: %d %s", r.Status, r.Body)
	}
	return acc.ID
}

// TestCitizenPages drives the citizens' pages through the real server: a
// resident registers with KTP and selfie, waits, is approved, signs in,
// files an usul and a sanggah picked by name, and sees their status; and
// every bad input gets its clear message.
func TestCitizenPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x, approve := citizenWorld(t, db)
		ctx := context.Background()
		// Registration: the form, a refusal naming the missing selfie, then
		// a registration that signs the resident in.
		p := &pages{t: t, x: x}
		if body := p.page("/warga/daftar", http.StatusOK); !strings.Contains(body, "Daftar akun warga") || !strings.Contains(body, `name="provinsi"`) {
			t.Fatalf("registration form: %.500s", body)
		}
		photo := mxJPEG()
		p.post("/warga/daftar", map[string]string{"nik": wgNIK, "kk": wgKK, "name": wgName, "village": villageA, "phone": "081234567890",
			"password": wgPass}, map[string][]byte{"ktp": photo}, http.StatusUnprocessableEntity, "Swafoto:")
		if p.session != "" {
			t.Fatal("a refused registration signed in")
		}
		id := p.register(wgNIK, wgKK, wgName, "081234567890")
		if body := p.page("/warga/akun", http.StatusOK); !strings.Contains(body, wgName) || !strings.Contains(body, "Menunggu verifikasi oleh operator desa/kelurahan") {
			t.Fatalf("account while waiting: %.2000s", body)
		}
		// Not verified yet: the page says so and a usul is refused.
		if body := p.page("/warga/usulan", http.StatusOK); !strings.Contains(body, "Akun Anda belum diverifikasi operator") || strings.Contains(body, `name="penerima"`) {
			t.Fatalf("usulan page while waiting: %.2000s", body)
		}
		p.post("/warga/usulan", map[string]string{"jenis": "usul_program", "program": "BPNT", "alasan": "belum menerima"}, map[string][]byte{},
			http.StatusForbidden, "akun warga belum terverifikasi oleh operator desa atau dinas sosial")

		approve(id)
		if body := p.page("/warga/pemberitahuan", http.StatusOK); !strings.Contains(body, "Akun Anda terverifikasi") || !strings.Contains(body, "2 belum dibaca") {
			t.Fatalf("notifications: %.2000s", body)
		}
		// Sign out, a wrong password, sign in with the phone number.
		p.post("/warga/keluar", map[string]string{}, nil, http.StatusSeeOther)
		p.session, p.csrf = "", ""
		p.page("/warga/masuk", http.StatusOK)
		p.post("/warga/masuk", map[string]string{"masuk": "081234567890", "kata_sandi": "salah-sekali-123"}, nil, http.StatusUnauthorized,
			"NIK/nomor HP/e-mail atau kata sandi salah.")
		p.post("/warga/masuk", map[string]string{"masuk": "081234567890", "kata_sandi": wgPass}, nil, http.StatusSeeOther)
		if body := p.page("/warga/akun", http.StatusOK); !strings.Contains(body, "Terverifikasi: Anda dapat mengajukan usul dan sanggah.") ||
			!strings.Contains(body, `<a href="/warga/usulan">Usulan dan sanggahan saya</a>`) {
			t.Fatalf("verified account: %.2000s", body)
		}

		// An usul for the resident's own family, then the same again.
		p.page("/warga/usulan", http.StatusOK)
		usul := map[string]string{"jenis": "usul_program", "program": "BPNT", "alasan": "belum menerima bantuan pangan"}
		p.post("/warga/usulan", usul, map[string][]byte{}, http.StatusSeeOther)
		p.post("/warga/usulan", map[string]string{"jenis": "usul_program", "program": "BPNT", "alasan": "sekali lagi"}, map[string][]byte{},
			http.StatusUnprocessableEntity, "subjek: usulan yang sama (jenis dan subjek) masih dalam proses")

		// The sanggah: search by name in the village, pick, and send.
		p.post("/warga/usulan/cari-penerima", map[string]string{"nama": "bu"}, nil, http.StatusUnprocessableEntity,
			"nama: ketik paling sedikit 3 huruf nama penerima")
		p.post("/warga/usulan/cari-penerima", map[string]string{"nama": "agus"}, nil, http.StatusOK,
			"Tidak ada penerima dengan nama itu di desa/kelurahan Anda") // Agus lives in village B
		body := p.post("/warga/usulan/cari-penerima", map[string]string{"nama": "santo"}, nil, http.StatusOK, "B**I S*****O · PKH")
		if strings.Contains(body, "Budi") || strings.Contains(body, "3204281205800001") || strings.Contains(body, `name="keluarga"`) {
			t.Fatalf("the results show more than a masked name: %.3000s", body)
		}
		m := regexp.MustCompile(`name="penerima" value="([^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no recipient to pick: %.3000s", body)
		}
		ref := m[1]
		withPhoto := func() map[string][]byte { return map[string][]byte{"foto": mxJPEG()} }
		fields := func(ref, lat, lon string) map[string]string {
			return map[string]string{"jenis": "sanggah", "penerima": ref, "alasan": "rumahnya besar dan punya mobil", "lintang": lat, "bujur": lon}
		}
		p.post("/warga/usulan", fields(ref, "-6,95", "107,6"), map[string][]byte{}, http.StatusUnprocessableEntity,
			"foto_rumah: foto rumah wajib dilampirkan")
		p.post("/warga/usulan", fields(ref, "-8.6", "122.2"), withPhoto(), http.StatusUnprocessableEntity,
			"lokasi: koordinat -8.60000, 122.20000 berada di luar provinsi desa ini (pulau lain?)")
		p.post("/warga/usulan", fields(ref[:len(ref)-2]+"AA", "-6.95", "107.6"), withPhoto(), http.StatusUnprocessableEntity,
			"penerima: pilihan penerima tidak sah")
		p.post("/warga/usulan", fields("", "-6.95", "107.6"), withPhoto(), http.StatusUnprocessableEntity,
			"penerima: cari nama penerima lalu pilih salah satu hasilnya")
		p.post("/warga/usulan", fields(ref, "-6.95", "107.6"), withPhoto(), http.StatusSeeOther)
		p.post("/warga/usulan", fields(ref, "-6.95", "107.6"), withPhoto(), http.StatusUnprocessableEntity,
			"subjek: usulan yang sama (jenis dan subjek) masih dalam proses")

		// The resident sees both items and their status.
		body = p.page("/warga/usulan", http.StatusOK)
		for _, want := range []string{"Usul penerima program · BPNT", "Sanggahan · PKH", "Diajukan"} {
			if !strings.Contains(body, want) {
				t.Errorf("my items lack %q: %.3000s", want, body)
			}
		}
		var n int64
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM proposal WHERE citizen_id = $1`, id).Scan(&n); err != nil || n != 2 {
			t.Fatalf("items stored: %d %v", n, err)
		}
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = $1`, proposal.ActSearch).Scan(&n); err != nil || n != 2 {
			t.Fatalf("searches audited: %d %v", n, err)
		}

		// A second resident registered in village A whose family card is
		// of village B: the usul is refused.
		q := &pages{t: t, x: x}
		id2 := q.register("3204286607950003", "3204281506100002", "RINA WATI", "081300000002")
		approve(id2)
		q.page("/warga/usulan", http.StatusOK)
		q.post("/warga/usulan", map[string]string{"jenis": "usul_program", "program": "BPNT", "alasan": "belum menerima"}, map[string][]byte{},
			http.StatusUnprocessableEntity, "kode_wilayah: hanya untuk warga desa/kelurahan yang sama dengan akun Anda")
		// And a reference picked by the first resident is not good for the second.
		q.post("/warga/usulan", fields(ref, "-6.95", "107.6"), withPhoto(), http.StatusUnprocessableEntity,
			"penerima: pilihan penerima tidak sah")
	})
}

// citizenWorld is a server whose village A holds the resident's own family
// (KK wgKK) and family A (Budi Santoso), which receives PKH in a final
// determination; the programs are installed and approve verifies an
// account as the village's operator.
func citizenWorld(t *testing.T, db *store.DB) (*acct, func(id int64)) {
	t.Helper()
	x := newAcct(t, db)
	ctx := context.Background()
	// The resident's own family in village A; family A (Budi Santoso)
	// receives PKH in a final determination.
	edit := registry.Edit{Actor: "test:seed", Reason: "data awal"}
	_, _, err := x.reg.CreateFamily(ctx, edit, registry.Family{KK: wgKK, VillageCode: villageA, Latitude: ptr(-6.95), Longitude: ptr(107.6)},
		[]registry.Person{{NIK: wgNIK, Name: "Siti Aminah", Sex: "P", BirthDate: "1990-07-15", Relation: "kepala_keluarga"}})
	if err != nil {
		t.Fatal(err)
	}
	dettest.Final(t, db, 1, "PKH", "2026-Q1", "2026-01-01", "2026-03-31",
		dettest.Item{FamilyID: x.famA, Village: villageA, Status: "new", Eligible: true, Amount: 750000})
	if _, err := program.NewStore(db).InstallDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := x.auth.CreateUser(ctx, "operator", "sandi-operator-desa-1", "desa", villageA); err != nil {
		t.Fatal(err)
	}
	op, opCSRF := wgLogin(t, x.env, "operator", "sandi-operator-desa-1")
	approve := func(id int64) {
		t.Helper()
		if r := x.do(t, "POST", "/api/v1/citizens/"+strconv.FormatInt(id, 10)+"/approve", `{}`, op, opCSRF); r.Status != http.StatusOK {
			t.Fatalf("approve: %d %s", r.Status, r.Body)
		}
	}

	return x, approve
}

func ptr(v float64) *float64 { return &v }

// TestCitizenProposalsAPI: the same through /api/v1/me: a verified citizen
// files an usul and, after a search by name, a sanggah; lists them, reads
// one with its steps; the refusals name their fields; another citizen's
// item is not found.
func TestCitizenProposalsAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x, approve := citizenWorld(t, db)
		photo := mxJPEG()
		register := func(nikv, kk, phone string) (string, string) {
			t.Helper()
			f := map[string]string{"nik": nikv, "kk": kk, "name": "WARGA UJI", "village": villageA, "phone": phone, "password": wgPass}
			ct, body := wgForm(f, map[string][]byte{"ktp": photo, "selfie": photo})
			r := wgSend(t, x.env, "POST", "/api/v1/citizens/register", ct, body, "", "")
			var acc struct {
				ID int64 `json:"id"`
			}
			if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &acc) != nil {
				t.Fatalf("register: %d %s", r.Status, r.Body)
			}
			sess, csrf := wgLogin(t, x.env, nikv, wgPass)
			// Not verified yet: refused.
			if r := x.do(t, "POST", "/api/v1/me/proposals", `{"kind":"usul_program","program":"BPNT","reason":"x"}`, sess, csrf); r.Status != http.StatusForbidden {
				t.Fatalf("usul before verification: %d %s", r.Status, r.Body)
			}
			approve(acc.ID)
			return sess, csrf
		}
		sess, csrf := register(wgNIK, wgKK, "081234567890")
		expect := func(r response, status int, has ...string) {
			t.Helper()
			if r.Status != status {
				t.Fatalf("%d, want %d: %s", r.Status, status, r.Body)
			}
			for _, h := range has {
				if !strings.Contains(string(r.Body), h) {
					t.Errorf("%s lacks %s", r.Body, h)
				}
			}
		}
		expect(x.do(t, "POST", "/api/v1/me/proposals", `{"kind":"sanggah","program":"BPNT","reason":"x"}`, sess, csrf), http.StatusUnprocessableEntity, `"field":"kind"`)
		r := x.do(t, "POST", "/api/v1/me/proposals", `{"kind":"usul_program","program":"BPNT","reason":"belum menerima"}`, sess, csrf)
		expect(r, http.StatusCreated, `"status":"diajukan"`, `"kind_label":"Usul penerima program"`)
		var usul struct {
			ID int64 `json:"id"`
		}
		_ = json.Unmarshal(r.Body, &usul)
		expect(x.do(t, "POST", "/api/v1/me/proposals", `{"kind":"usul_program","program":"BPNT","reason":"lagi"}`, sess, csrf), http.StatusUnprocessableEntity,
			`"field":"subjek"`, "usulan yang sama (jenis dan subjek) masih dalam proses")

		expect(x.do(t, "POST", "/api/v1/me/objections/recipients", `{"name":"bu"}`, sess, csrf), http.StatusUnprocessableEntity, `"field":"nama"`)
		r = x.do(t, "POST", "/api/v1/me/objections/recipients", `{"name":"santo"}`, sess, csrf)
		var found struct {
			Recipients []proposal.Recipient `json:"recipients"`
		}
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &found) != nil || len(found.Recipients) != 1 ||
			found.Recipients[0].Names[0] != "B**I S*****O" || strings.Contains(string(r.Body), "Budi") {
			t.Fatalf("search: %d %s", r.Status, r.Body)
		}
		ref := found.Recipients[0].Ref
		object := func(ref, lat, lon string, photo []byte) response {
			files := map[string][]byte{}
			if photo != nil {
				files["photo"] = photo
			}
			ct, body := wgForm(map[string]string{"recipient": ref, "reason": "rumah besar, punya mobil", "latitude": lat, "longitude": lon}, files)
			return wgSend(t, x.env, "POST", "/api/v1/me/objections", ct, body, sess, csrf)
		}
		expect(object(ref, "-6.95", "107.6", nil), http.StatusUnprocessableEntity, `"field":"foto_rumah"`, "foto rumah wajib dilampirkan")
		expect(object(ref, "-8.6", "122.2", photo), http.StatusUnprocessableEntity, `"field":"lokasi"`, "berada di luar provinsi desa ini (pulau lain?)")
		expect(object(strconv.FormatInt(x.famA, 10), "-6.95", "107.6", photo), http.StatusUnprocessableEntity, `"field":"penerima"`)
		r = object(ref, "-6.95", "107.6", photo)
		expect(r, http.StatusCreated, `"kind":"sanggah"`, `"program":"PKH"`, `"deadline"`)
		expect(object(ref, "-6.95", "107.6", photo), http.StatusUnprocessableEntity, `"field":"subjek"`)

		r = x.do(t, "GET", "/api/v1/me/proposals", "", sess, "")
		var list struct {
			Items []struct {
				ID   int64  `json:"id"`
				Kind string `json:"kind"`
			} `json:"items"`
		}
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &list) != nil || len(list.Items) != 2 {
			t.Fatalf("my proposals: %d %s", r.Status, r.Body)
		}
		path := "/api/v1/me/proposals/" + strconv.FormatInt(usul.ID, 10)
		expect(x.do(t, "GET", path, "", sess, ""), http.StatusOK, `"steps":[{`, `"step":"ajukan"`)

		// Another citizen of the village does not see it.
		other, _ := register("3204286607950003", "3204281506100002", "081300000002")
		expect(x.do(t, "GET", path, "", other, ""), http.StatusNotFound)
		r = x.do(t, "GET", "/api/v1/me/proposals", "", other, "")
		expect(r, http.StatusOK, `"items":[]`)
	})
}
