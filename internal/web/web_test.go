package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/auth/authtest"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/server"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/web"
)

// Seed data: two families in Rancaekek (Kabupaten Bandung) from the demo
// regions. NIK = district 320428 + DDMMYY (+40 on the day for women) + serial.
const (
	village1 = "32.04.28.2001" // Desa Rancaekek Wetan
	village2 = "32.04.28.2002" // Desa Rancaekek Kulon
	village3 = "32.04.28.2003" // Bojongsalam: many families, for paging
	kk1      = "3204281506100001"
	kk2      = "3204281506100002"
	headNIK  = "3204281205800001" // Muhammad Rizki, man born 1980-05-12
	wifeNIK  = "3204284703850001" // Siti Aminah, woman born 1985-03-07
	childNIK = "3204285001100001" // Dewi Lestari, girl born 2010-01-10
	evilNIK  = "3204282008750001" // the head of family 2, whose name holds markup
	evilName = `Agus <script>alert("x")</script> Salim`
	evilAddr = `Jl. <b onmouseover="x()">Mawar</b> 2`
	adminPw  = "rahasia-sekali-123"
	otherPw  = "rahasia-juga-456"
)

// personal is every piece of seeded personal data that must never appear
// in a URL the back office makes.
var personal = []string{kk1, kk2, headNIK, wifeNIK, childNIK, evilNIK,
	"muhammad", "rizki", "siti", "aminah", "dewi", "lestari", "agus", "salim", "moh"}

type env struct {
	t    *testing.T
	db   *store.DB
	reg  *registry.Registry
	url  string
	fam1 int64 // family of kk1
	fam2 int64 // family of kk2
	head int64 // person ID of Muhammad Rizki
	evil int64 // person ID of the head of family 2

	mfa *authtest.MFA // second-factor codes for sign-in

	mu    sync.Mutex
	clock time.Time
	sizes map[string]int // largest HTML page seen per route, in bytes
}

func (e *env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock = e.clock.Add(time.Second)
	return e.clock
}

func (e *env) setClock(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock = t
}

// newEnv seeds a database and serves the whole application as production
// does: server.New with every handler set and middleware.
func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	if _, err := region.Import(ctx, db, region.Demo()); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, reg: registry.New(db), clock: time.Date(2026, 1, 10, 2, 0, 0, 0, time.UTC), sizes: map[string]int{}}
	e.reg.Now = e.now
	edit := registry.Edit{Actor: "test:seed", Reason: "data awal"}
	f1, m1, err := e.reg.CreateFamily(ctx, edit,
		registry.Family{KK: kk1, VillageCode: village1, Address: "Jl. Melati 1", RT: "001", RW: "002", FloorMaterial: "semen", Goats: 2},
		[]registry.Person{
			{NIK: headNIK, Name: "Muhammad Rizki", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"},
			{NIK: wifeNIK, Name: "Siti Aminah", Sex: "P", BirthDate: "1985-03-07", Relation: "istri"},
			{NIK: childNIK, Name: "Dewi Lestari", Sex: "P", BirthDate: "2010-01-10", Relation: "anak"},
		})
	if err != nil {
		t.Fatal(err)
	}
	f2, m2, err := e.reg.CreateFamily(ctx, edit,
		registry.Family{KK: kk2, VillageCode: village2, Address: evilAddr},
		[]registry.Person{{NIK: evilNIK, Name: "Agus Salim", Sex: "L", BirthDate: "1975-08-20", Relation: "kepala_keluarga"}})
	if err != nil {
		t.Fatal(err)
	}
	e.fam1, e.fam2, e.head, e.evil = f1.ID, f2.ID, m1[0].ID, m2[0].ID
	// Dirty legacy data: a name with markup, as an old system might have
	// stored it (the register's own validation refuses it today).
	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE person SET name = $1 WHERE id = $2`, evilName, e.evil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a := auth.New(db)
	e.mfa = authtest.Setup(a)
	if _, err := a.CreateUser(ctx, "admin", adminPw, auth.RoleAdmin, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateUser(ctx, "operator", otherPw, auth.RoleAdmin, ""); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Deps{DB: db, Registry: e.reg, Auth: a, Imports: registry.NewJobs(e.reg, t.TempDir()),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

// browser is a client with its own cookies that does not follow redirects,
// so tests see every redirect. It checks every HTML page it receives.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{e: e, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		checkURL(t, "Location", loc)
	}
	if resp.StatusCode/100 != 3 && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		b.e.checkPage(t, req, string(body))
	}
	return resp, string(body)
}

func (b *browser) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", b.e.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b.do(t, req)
}

func (b *browser) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", b.e.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(t, req)
}

// upload posts a multipart form with one file.
func (b *browser) upload(t *testing.T, path string, fields map[string]string, fileName, content string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("berkas", fileName)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(fw, content)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", b.e.url+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(t, req)
}

func (b *browser) signIn(t *testing.T, user, password string) {
	t.Helper()
	resp, body := b.post(t, "/masuk", url.Values{"nama_pengguna": {user}, "kata_sandi": {password}, "kode": {b.e.mfa.Code(t, user)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("sign in: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf reads the token from the sign-out form every page carries.
func (b *browser) csrf(t *testing.T) string {
	t.Helper()
	_, body := b.get(t, "/cari")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf_token on the page:\n%s", body)
	}
	return m[1]
}

func expect(t *testing.T, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
}

func contains(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if t.Failed() {
		t.Fatalf("page:\n%s", body)
	}
}

func lacks(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(body, u) {
			t.Errorf("page shows %q", u)
		}
	}
	if t.Failed() {
		t.Fatalf("page:\n%s", body)
	}
}

var (
	urlAttr   = regexp.MustCompile(`(?i)\s(?:href|action|src|formaction)="([^"]*)"`)
	digitRun  = regexp.MustCompile(`[0-9]{16}`)
	inlineCSS = regexp.MustCompile(`(?i)\sstyle=|<style`)
	handler   = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+=`)
)

// checkURL fails when a URL carries personal data: a 16-digit number or a
// seeded name.
func checkURL(t *testing.T, what, u string) {
	t.Helper()
	if d, err := url.QueryUnescape(u); err == nil {
		u = d
	}
	if digitRun.MatchString(u) {
		t.Errorf("%s %q carries a 16-digit number", what, u)
	}
	lower := strings.ToLower(u)
	for _, p := range personal {
		if strings.Contains(lower, p) {
			t.Errorf("%s %q carries personal data %q", what, u, p)
		}
	}
}

// checkPage holds every page to the rules that apply to all: the layout's
// language and viewport, nothing the Content-Security-Policy would block,
// no personal data in a URL, and a weight well under 50 KB.
func (e *env) checkPage(t *testing.T, req *http.Request, body string) {
	t.Helper()
	if !regexp.MustCompile(`<html lang="(id|en)">`).MatchString(body) || !strings.Contains(body, `<meta name="viewport"`) {
		t.Errorf("%s: no <html lang> or viewport", req.URL.Path)
	}
	if inlineCSS.MatchString(body) || handler.MatchString(body) || strings.Contains(strings.ToLower(body), "<script") {
		t.Errorf("%s: inline style, script or event handler in the page", req.URL.Path)
	}
	for _, m := range urlAttr.FindAllStringSubmatch(body, -1) {
		checkURL(t, req.URL.Path+" link", m[1])
		if strings.HasPrefix(m[1], "http") || strings.HasPrefix(m[1], "//") {
			t.Errorf("%s: external URL %q", req.URL.Path, m[1])
		}
	}
	if len(body) >= 50<<10 {
		t.Errorf("%s: page weighs %d bytes", req.URL.Path, len(body))
	}
	route := req.Method + " " + routeOf(req.URL.Path)
	e.mu.Lock()
	e.sizes[route] = max(e.sizes[route], len(body))
	e.mu.Unlock()
}

var numbers = regexp.MustCompile(`/[0-9][0-9.]*|/[A-Za-z0-9_-]{16}(/|$)`)

func routeOf(p string) string { return numbers.ReplaceAllString(p, "/…$1") }

func TestBackOffice(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.browser()

		t.Run("signed out", func(t *testing.T) {
			anon := e.browser()
			for _, p := range []string{"/", "/wilayah/32", fmt.Sprintf("/keluarga/%d", e.fam1), "/cari", "/impor"} {
				resp, body := anon.get(t, p)
				expect(t, resp, body, http.StatusSeeOther)
				if loc := resp.Header.Get("Location"); loc != "/masuk" {
					t.Fatalf("GET %s: Location %q", p, loc)
				}
			}
			resp, body := anon.get(t, "/masuk")
			expect(t, resp, body, http.StatusOK)
			contains(t, body, `<html lang="id">`, `<label for="nama_pengguna">`, `<label for="kata_sandi">`, `action="/masuk"`)
			lacks(t, body, `action="/keluar"`)
		})

		t.Run("wrong password", func(t *testing.T) {
			anon := e.browser()
			for _, user := range []string{"admin", "tidak-ada"} {
				resp, body := anon.post(t, "/masuk", url.Values{"nama_pengguna": {user}, "kata_sandi": {"salah-sekali-123"}})
				expect(t, resp, body, http.StatusUnauthorized)
				if n := strings.Count(body, "Nama pengguna atau kata sandi salah"); n != 1 {
					t.Fatalf("message shown %d times:\n%s", n, body)
				}
				if len(resp.Cookies()) != 0 {
					t.Fatalf("cookies set on failure: %v", resp.Cookies())
				}
			}
			// A foreign site's form cannot sign a browser in (login CSRF).
			req, _ := http.NewRequest("POST", e.url+"/masuk", strings.NewReader("nama_pengguna=admin&kata_sandi="+adminPw))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			resp, body := anon.do(t, req)
			expect(t, resp, body, http.StatusForbidden)
		})

		admin.signIn(t, "admin", adminPw)

		t.Run("dashboard", func(t *testing.T) {
			resp, body := admin.get(t, "/")
			expect(t, resp, body, http.StatusOK)
			if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q", cc)
			}
			contains(t, body, `<span class="sr">Pengguna: </span>admin`, `href="/wilayah/32">Jawa Barat</a>`,
				`<dt>Keluarga aktif</dt><dd>2</dd>`, `<dt>Jiwa aktif</dt><dd>4</dd>`, `<rect width="100"`,
				`<li><a href="/" aria-current="page">Beranda</a></li>`, `href="/cari"`, `href="/impor"`, `href="/wilayah"`)
			// The stylesheet, versioned and cached.
			m := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatal("no stylesheet link")
			}
			resp, css := admin.get(t, m[1])
			expect(t, resp, css, http.StatusOK)
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=31536000") {
				t.Fatalf("stylesheet headers %v", resp.Header)
			}
			if len(css) > 10<<10 {
				t.Errorf("stylesheet weighs %d bytes", len(css))
			}
		})

		t.Run("browse down to a village", func(t *testing.T) {
			resp, body := admin.get(t, "/wilayah")
			expect(t, resp, body, http.StatusOK)
			contains(t, body, `href="/wilayah/32">Jawa Barat</a>`)
			_, body = admin.get(t, "/wilayah/32")
			contains(t, body, `<h1>Jawa Barat</h1>`, `href="/wilayah/32.04">Kabupaten Bandung</a>`, `href="/api/v1/export?region=32&amp;format=csv"`)
			_, body = admin.get(t, "/wilayah/32.04")
			contains(t, body, `href="/wilayah/32.04.28">Rancaekek</a>`, `aria-current="page">Kabupaten Bandung</span>`, `href="/wilayah/32">Jawa Barat</a>`)
			_, body = admin.get(t, "/wilayah/32.04.28")
			contains(t, body, `href="/wilayah/32.04.28.2001">Rancaekek Wetan</a>`, `<td class="num">3</td>`)
			resp, body = admin.get(t, "/wilayah/"+village1)
			expect(t, resp, body, http.StatusOK)
			contains(t, body, fmt.Sprintf(`href="/keluarga/%d">Muhammad Rizki</a>`, e.fam1), nik.Mask(kk1),
				`href="/api/v1/export?region=32.04.28.2001&amp;format=csv"`, `href="/api/v1/export?region=32.04.28.2001&amp;format=xlsx"`,
				`Desa · <span class="code">32.04.28.2001</span>`, `href="/wilayah/32.04.28">Rancaekek</a>`)
			lacks(t, body, kk1, headNIK)
			// The export link works for the signed-in browser.
			resp, csv := admin.get(t, "/api/v1/export?region="+village1+"&format=csv")
			expect(t, resp, csv, http.StatusOK)
			contains(t, csv, "Muhammad Rizki")

			for _, p := range []string{"/wilayah/99.99", "/wilayah/bukan-kode", "/wilayah/32.04.28.9999"} {
				resp, body := admin.get(t, p)
				expect(t, resp, body, http.StatusNotFound)
				contains(t, body, "Halaman tidak ditemukan", `action="/keluar"`)
			}
		})

		t.Run("village paging", func(t *testing.T) {
			ctx := context.Background()
			for i := 1; i <= 53; i++ {
				_, _, err := e.reg.CreateFamily(ctx, registry.Edit{Actor: "test", Reason: "paging"},
					registry.Family{KK: fmt.Sprintf("320428010120%04d", i), VillageCode: village3},
					[]registry.Person{{NIK: fmt.Sprintf("320428010190%04d", i), Name: "Warga Bojong", Sex: "L", BirthDate: "1990-01-01", Relation: "kepala_keluarga"}})
				if err != nil {
					t.Fatal(err)
				}
			}
			_, body := admin.get(t, "/wilayah/"+village3)
			if n := strings.Count(body, `href="/keluarga/`); n != 50 {
				t.Fatalf("first page lists %d families", n)
			}
			m := regexp.MustCompile(`rel="next" href="([^"]+)"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no next link:\n%s", body)
			}
			_, body = admin.get(t, strings.ReplaceAll(m[1], "&amp;", "&"))
			if n := strings.Count(body, `href="/keluarga/`); n != 3 {
				t.Fatalf("second page lists %d families", n)
			}
			contains(t, body, `href="/wilayah/`+village3+`">Halaman pertama</a>`)
			lacks(t, body, `rel="next"`)
		})

		t.Run("family page, history and as-of view", func(t *testing.T) {
			ctx := context.Background()
			f, _, err := e.reg.GetFamily(ctx, e.fam1, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			e.setClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
			f.FloorMaterial = "keramik"
			if _, err := e.reg.UpdateFamily(ctx, registry.Edit{Actor: "user:verifikator", Reason: "verivali lapangan"}, e.fam1, f.Version, f); err != nil {
				t.Fatal(err)
			}
			page := fmt.Sprintf("/keluarga/%d", e.fam1)
			resp, body := admin.get(t, page)
			expect(t, resp, body, http.StatusOK)
			contains(t, body, "<dt>Lantai</dt><dd>Keramik</dd>", "<dt>No. KK</dt><dd>"+nik.Mask(kk1)+"</dd>",
				fmt.Sprintf(`href="/orang/%d">Muhammad Rizki</a>`, e.head), "Siti Aminah", "Dewi Lestari",
				nik.Mask(headNIK), "Kepala keluarga", "Istri", "Perempuan", "12 Mei 1980",
				"<dt>Ternak</dt><dd>Kambing 2</dd>",
				"Riwayat perubahan", "verivali lapangan", "user:verifikator", "test:seed", "Data dibuat",
				`<ul class="changed"><li>Lantai</li></ul>`, "2 Mar 2026 08:00 WIB", `href="/wilayah/32.04.28.2001">Rancaekek Wetan</a>`)
			lacks(t, body, kk1, headNIK, wifeNIK, childNIK, "<li>Kambing</li>")

			// As of a day before the change: the old floor.
			_, body = admin.get(t, page+"?pada=2026-02-01")
			contains(t, body, "<dt>Lantai</dt><dd>Semen/bata merah</dd>", "Data per tanggal 1 Feb 2026.", `value="2026-02-01"`, `href="`+page+`">Lihat data terkini</a>`)
			// Version links show exactly that version.
			m := regexp.MustCompile(`href="\?pada=([^"]+)"[^>]*>1</a>`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no link to version 1:\n%s", body)
			}
			_, body = admin.get(t, page+"?pada="+m[1])
			contains(t, body, "<dt>Lantai</dt><dd>Semen/bata merah</dd>")
			// Before the family existed; a bad date; no such family.
			resp, body = admin.get(t, page+"?pada=2025-01-01")
			expect(t, resp, body, http.StatusNotFound)
			resp, body = admin.get(t, page+"?pada=kemarin")
			expect(t, resp, body, http.StatusUnprocessableEntity)
			contains(t, body, "Data tidak valid", "pada")
			for _, p := range []string{"/keluarga/999999", "/keluarga/abc", "/orang/0"} {
				resp, body = admin.get(t, p)
				expect(t, resp, body, http.StatusNotFound)
			}
		})

		t.Run("person page", func(t *testing.T) {
			ctx := context.Background()
			p, err := e.reg.GetPerson(ctx, e.head, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			p.Occupation = "petani"
			if _, err := e.reg.UpdatePerson(ctx, registry.Edit{Actor: "user:admin", Reason: "pemutakhiran"}, e.head, p.Version, p); err != nil {
				t.Fatal(err)
			}
			resp, body := admin.get(t, fmt.Sprintf("/orang/%d", e.head))
			expect(t, resp, body, http.StatusOK)
			contains(t, body, "<h1>Muhammad Rizki</h1>", "<dt>NIK</dt><dd>"+nik.Mask(headNIK)+"</dd>", "<dt>Pekerjaan</dt><dd>Petani/pekebun</dd>",
				fmt.Sprintf(`href="/keluarga/%d"`, e.fam1), `<ul class="changed"><li>Pekerjaan</li></ul>`, "pemutakhiran")
			lacks(t, body, headNIK, "<title>Muhammad")
		})

		t.Run("search", func(t *testing.T) {
			tok := admin.csrf(t)
			resp, body := admin.get(t, "/cari")
			expect(t, resp, body, http.StatusOK)
			contains(t, body, `method="post" action="/cari"`, `<label for="nama">`, `<label for="wilayah">`, `<option value="32">Jawa Barat</option>`)

			resp, body = admin.post(t, "/cari", url.Values{"csrf_token": {tok}, "nama": {"moh rizki"}})
			expect(t, resp, body, http.StatusOK)
			contains(t, body, fmt.Sprintf(`href="/orang/%d">Muhammad Rizki</a>`, e.head), nik.Mask(headNIK), "12 Mei 1980", village1, `value="moh rizki"`)
			lacks(t, body, headNIK, "Siti Aminah")
			// Within a region, and outside it.
			_, body = admin.post(t, "/cari", url.Values{"csrf_token": {tok}, "nama": {"MUHAMAD  rizki"}, "wilayah": {"32.04.28"}})
			contains(t, body, "Muhammad Rizki")
			_, body = admin.post(t, "/cari", url.Values{"csrf_token": {tok}, "nama": {"moh rizki"}, "wilayah": {"31"}})
			contains(t, body, "Tidak ada orang yang cocok.")
			// Errors: no name, a bad region code; a name in the URL is ignored.
			resp, body = admin.post(t, "/cari", url.Values{"csrf_token": {tok}, "nama": {"  "}})
			expect(t, resp, body, http.StatusUnprocessableEntity)
			contains(t, body, "Isi nama yang dicari")
			resp, body = admin.post(t, "/cari", url.Values{"csrf_token": {tok}, "nama": {"rizki"}, "wilayah": {"32.4"}})
			expect(t, resp, body, http.StatusUnprocessableEntity)
			contains(t, body, "Kode wilayah tidak dikenal")
			resp, body = admin.post(t, "/cari?nama=rizki", url.Values{"csrf_token": {tok}})
			expect(t, resp, body, http.StatusUnprocessableEntity)
			// Without the CSRF token.
			resp, body = admin.post(t, "/cari", url.Values{"nama": {"rizki"}})
			expect(t, resp, body, http.StatusForbidden)
		})

		t.Run("markup in data is escaped", func(t *testing.T) {
			_, body := admin.get(t, "/wilayah/"+village2)
			contains(t, body, `Agus &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Salim`, `Jl. &lt;b onmouseover=&#34;x()&#34;&gt;Mawar&lt;/b&gt; 2`)
			_, body = admin.get(t, fmt.Sprintf("/keluarga/%d", e.fam2))
			contains(t, body, `Agus &lt;script&gt;`)
			_, body = admin.get(t, fmt.Sprintf("/orang/%d", e.evil))
			contains(t, body, `<h1>Agus &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Salim</h1>`)
			// (checkPage has already refused any raw <script in these pages.)
		})

		t.Run("import", func(t *testing.T) {
			resp, body := admin.get(t, "/impor")
			expect(t, resp, body, http.StatusOK)
			contains(t, body, `enctype="multipart/form-data"`, `accept=".csv,.xlsx`, `<label for="berkas">`, `<label for="izinkan_pindah">`, `<label for="alasan">`)
			tok := admin.csrf(t)
			good := "no_kk,kode_wilayah,alamat,nik,nama,jenis_kelamin,tanggal_lahir,hubungan\n" +
				"3204281506100003,32.04.28.2004,Jl. Kenanga 3,3204281101700001,Bambang Pamungkas,L,1970-01-11,kepala_keluarga\n" +
				"3204281506100003,,,3204285202720001,Sri Rahayu,P,1972-02-12,istri\n"
			resp, body = admin.upload(t, "/impor", map[string]string{"csrf_token": tok, "alasan": "hasil Musdes 2026"}, "musdes.csv", good)
			expect(t, resp, body, http.StatusSeeOther)
			job := resp.Header.Get("Location")
			if !regexp.MustCompile(`^/impor/[A-Za-z0-9_-]+$`).MatchString(job) {
				t.Fatalf("Location %q", job)
			}
			body = waitImport(t, admin, job)
			contains(t, body, "Selesai", "musdes.csv", "<dt>Keluarga baru</dt><dd>1</dd>", "<dt>Jiwa baru</dt><dd>2</dd>",
				"<dt>Galat</dt><dd>0</dd>", `<progress id="kemajuan" max="100" value="100">`)
			lacks(t, body, "/laporan")
			_, body = admin.get(t, "/wilayah/32.04.28.2004")
			contains(t, body, "Bambang Pamungkas")
			f, err := e.reg.FindByKK(context.Background(), "3204281506100003")
			if err != nil || f.ChangeReason != "hasil Musdes 2026" || f.ChangedBy != "user:admin" {
				t.Fatalf("imported family %+v, %v", f.Change, err)
			}

			// The same through an XLSX workbook.
			var xlsx bytes.Buffer
			xw := registry.NewXLSXWriter(&xlsx)
			for _, line := range strings.Split(strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(good,
				"3204281506100003", "3204281506100005"), "32.04.28.2004", "32.04.28.2005")), "\n") {
				row := strings.Split(line, ",")
				if strings.HasPrefix(row[3], "320428") {
					row[3] = row[3][:12] + "0005" // other NIKs
				}
				if err := xw.Write(row); err != nil {
					t.Fatal(err)
				}
			}
			if err := xw.Close(); err != nil {
				t.Fatal(err)
			}
			resp, body = admin.upload(t, "/impor", map[string]string{"csrf_token": tok}, "musdes.xlsx", xlsx.String())
			expect(t, resp, body, http.StatusSeeOther)
			body = waitImport(t, admin, resp.Header.Get("Location"))
			contains(t, body, "musdes.xlsx", "<dt>Keluarga baru</dt><dd>1</dd>", "<dt>Jiwa baru</dt><dd>2</dd>")

			// A file with an error: the report names the row.
			bad := strings.Replace(good, "3204281506100003", "3204281506100004", 2)
			bad = strings.Replace(bad, "3204281101700001", "3204281101700002", 1)
			bad = strings.Replace(bad, "3204285202720001", "32042852027X0001", 1)
			resp, body = admin.upload(t, "/impor", map[string]string{"csrf_token": tok}, "salah.csv", bad)
			expect(t, resp, body, http.StatusSeeOther)
			job = resp.Header.Get("Location")
			body = waitImport(t, admin, job)
			contains(t, body, "<dt>Keluarga ditolak</dt><dd>1</dd>", "<dt>Galat</dt><dd>1</dd>", `href="`+job+`/laporan"`)
			resp, report := admin.get(t, job+"/laporan")
			expect(t, resp, report, http.StatusOK)
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("report headers %v", resp.Header)
			}
			contains(t, report, "row,column,value,reason", "\n3,nik,")
			lacks(t, report, "32042852027X0001")

			// Another user sees neither the job nor its report.
			other := e.browser()
			other.signIn(t, "operator", otherPw)
			for _, p := range []string{job, job + "/laporan"} {
				resp, body := other.get(t, p)
				expect(t, resp, body, http.StatusNotFound)
				lacks(t, body, "salah.csv")
			}

			// Refused uploads.
			resp, body = admin.upload(t, "/impor", map[string]string{"csrf_token": tok}, "", "")
			expect(t, resp, body, http.StatusUnprocessableEntity)
			contains(t, body, "Pilih berkas CSV atau XLSX.")
			resp, body = admin.upload(t, "/impor", map[string]string{"csrf_token": tok}, "data.txt", good)
			expect(t, resp, body, http.StatusUnprocessableEntity)
			contains(t, body, "Jenis berkas tidak didukung")
			resp, body = admin.upload(t, "/impor", nil, "musdes.csv", good)
			expect(t, resp, body, http.StatusForbidden)
		})

		t.Run("English", func(t *testing.T) {
			resp, body := admin.get(t, "/wilayah/32")
			contains(t, body, `href="/bahasa?ke=en&amp;kembali=%2fwilayah%2f32"`)
			resp, body = admin.get(t, "/bahasa?ke=en&kembali=%2Fwilayah%2F32")
			expect(t, resp, body, http.StatusSeeOther)
			if loc := resp.Header.Get("Location"); loc != "/wilayah/32" {
				t.Fatalf("Location %q", loc)
			}
			_, body = admin.get(t, "/wilayah/32")
			contains(t, body, `<html lang="en">`, ">Home</a>", ">Regions</a>", "Regions below", "Sign out", "Bahasa Indonesia")
			lacks(t, body, ">Beranda<")
			_, body = admin.get(t, fmt.Sprintf("/keluarga/%d", e.fam1))
			contains(t, body, "<dt>Floor</dt>", "Head of family", "12 May 1980", "Change history")
			for _, back := range []string{"//evil.example/", "https://evil.example/", `/\evil.example`, "wilayah"} {
				resp, body := admin.get(t, "/bahasa?ke=id&kembali="+url.QueryEscape(back))
				expect(t, resp, body, http.StatusSeeOther)
				if loc := resp.Header.Get("Location"); loc != "/" {
					t.Fatalf("kembali %q: Location %q", back, loc)
				}
			}
			_, body = admin.get(t, "/")
			contains(t, body, `<html lang="id">`, ">Beranda</a>")
		})

		t.Run("not found and errors in the layout", func(t *testing.T) {
			resp, body := admin.get(t, "/tidak-ada")
			expect(t, resp, body, http.StatusNotFound)
			contains(t, body, "<h1>Halaman tidak ditemukan</h1>", `action="/keluar"`)
			resp, body = admin.get(t, "/api/v1/tidak-ada")
			expect(t, resp, body, http.StatusNotFound)
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("API 404 as %s", resp.Header.Get("Content-Type"))
			}
		})

		t.Run("sign out", func(t *testing.T) {
			resp, body := admin.post(t, "/keluar", nil)
			expect(t, resp, body, http.StatusForbidden)
			resp, body = admin.post(t, "/keluar", url.Values{"csrf_token": {"salah"}})
			expect(t, resp, body, http.StatusForbidden)
			resp, body = admin.post(t, "/keluar", url.Values{"csrf_token": {admin.csrf(t)}})
			expect(t, resp, body, http.StatusSeeOther)
			if loc := resp.Header.Get("Location"); loc != "/masuk" {
				t.Fatalf("Location %q", loc)
			}
			resp, body = admin.get(t, "/")
			expect(t, resp, body, http.StatusSeeOther)
		})

		routes := make([]string, 0, len(e.sizes))
		for r := range e.sizes {
			routes = append(routes, r)
		}
		sort.Strings(routes)
		for _, r := range routes {
			t.Logf("largest page %-28s %6d bytes", r, e.sizes[r])
		}
	})
}

// waitImport reloads an import's page as the browser would until it stops
// asking to be reloaded, and returns the final page.
func waitImport(t *testing.T, b *browser, path string) string {
	t.Helper()
	for range 600 {
		resp, body := b.get(t, path)
		expect(t, resp, body, http.StatusOK)
		if !strings.Contains(body, `http-equiv="refresh"`) {
			return body
		}
		contains(t, body, "Sedang berjalan", "<progress")
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("import %s did not finish", path)
	return ""
}

// TestCatalogue checks that both languages hold the same messages and that
// every message a template asks for exists.
func TestCatalogue(t *testing.T) {
	id, en := web.Catalogue["id"], web.Catalogue["en"]
	for k := range id {
		if _, ok := en[k]; !ok {
			t.Errorf("message %q has no English", k)
		}
	}
	for k := range en {
		if _, ok := id[k]; !ok && !strings.Contains(k, ".") {
			t.Errorf("message %q has no Indonesian", k)
		}
	}
	call := regexp.MustCompile(`\.(?:T|Tf) "([^"]+)"`)
	err := fs.WalkDir(web.TemplateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.TemplateFS, p)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			if _, ok := id[m[1]]; !ok {
				t.Errorf("%s asks for unknown message %q", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSafeReturn(t *testing.T) {
	for s, want := range map[string]bool{
		"/": true, "/wilayah/32?setelah=5": true, "": false, "//evil.example": false, "/\\evil.example": false,
		"https://evil.example/": false, "wilayah": false, "/a\r\nSet-Cookie: x=y": false,
	} {
		if got := web.SafeReturn(s); got != want {
			t.Errorf("SafeReturn(%q) = %v", s, got)
		}
	}
}

func TestFormatInt(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{{"id", 0, "0"}, {"id", 999, "999"}, {"id", 1000, "1.000"}, {"id", 286000000, "286.000.000"}, {"en", 1234567, "1,234,567"}, {"id", -1500, "-1.500"}} {
		if got := web.FormatInt(c.lang, c.n); got != c.want {
			t.Errorf("FormatInt(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

func TestRedact(t *testing.T) {
	got := web.Redact("kolom tidak dikenal: 3204281205800001, 12345")
	if got != "kolom tidak dikenal: 3204**********01, 12345" {
		t.Fatalf("Redact: %q", got)
	}
}
