package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

var (
	secretField = regexp.MustCompile(`<dd class="secret">([^<]+)</dd>`)
	userLink    = regexp.MustCompile(`href="(/admin/pengguna/\d+)">([a-z0-9.-]+)</a>`)
)

// userPath returns the account page of a user from the list page.
func userPath(t *testing.T, b *browser, name string) string {
	t.Helper()
	_, body := b.get(t, "/admin/pengguna")
	for _, m := range userLink.FindAllStringSubmatch(body, -1) {
		if m[2] == name {
			return m[1]
		}
	}
	t.Fatalf("no %s on the list:\n%s", name, body)
	return ""
}

func TestAccountPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.browser()

		// The sign-in form asks for the code; the administrator needs it.
		_, body := e.browser().get(t, "/masuk")
		contains(t, body, `<label for="kode">Kode autentikator</label>`, `autocomplete="one-time-code"`)
		resp, body := e.browser().post(t, "/masuk", url.Values{"nama_pengguna": {"admin"}, "kata_sandi": {adminPw}})
		expect(t, resp, body, http.StatusUnauthorized)
		contains(t, body, "kode autentikator salah atau belum diisi")
		admin.signIn(t, "admin", adminPw)

		_, body = admin.get(t, "/")
		contains(t, body, `href="/admin/pengguna"`, `action="/keluar-semua"`)
		resp, body = admin.get(t, "/admin/pengguna")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, ">admin</a>", ">operator</a>", `<option value="desa">Operator desa/kelurahan</option>`,
			`<option value="provinsi">Dinas Sosial provinsi (wajib dua langkah)</option>`)
		tok := csrfField.FindStringSubmatch(body)[1]

		// A village operator: the generated password is shown once.
		resp, body = admin.post(t, "/admin/pengguna", url.Values{"csrf_token": {tok}, "nama_pengguna": {"op-wetan"}, "peran": {"desa"}, "wilayah": {village1}})
		expect(t, resp, body, http.StatusCreated)
		m := secretField.FindStringSubmatch(body)
		if m == nil || len(m[1]) < 16 {
			t.Fatalf("no password shown:\n%s", body)
		}
		opPass := m[1]
		lacks(t, body, "<svg class=\"qr\"")
		// A province office: password and second factor, with its QR code.
		resp, body = admin.post(t, "/admin/pengguna", url.Values{"csrf_token": {tok}, "nama_pengguna": {"jabar"}, "peran": {"provinsi"}, "wilayah": {"32"}})
		expect(t, resp, body, http.StatusCreated)
		secrets := secretField.FindAllStringSubmatch(body, -1)
		if len(secrets) != 2 {
			t.Fatalf("want password and TOTP secret:\n%s", body)
		}
		provPass := secrets[0][1]
		e.mfa.Remember("jabar", secrets[1][1])
		contains(t, body, `<svg class="qr"`, `<path d="M0 0h7v1h-7z`)
		// Refused: a village role bound to a district, and without CSRF.
		resp, body = admin.post(t, "/admin/pengguna", url.Values{"csrf_token": {tok}, "nama_pengguna": {"salah"}, "peran": {"desa"}, "wilayah": {"32.04"}})
		expect(t, resp, body, http.StatusUnprocessableEntity)
		contains(t, body, "desa/kelurahan", `value="salah"`)
		resp, body = admin.post(t, "/admin/pengguna", url.Values{"nama_pengguna": {"tanpa-csrf"}, "peran": {"desa"}, "wilayah": {village1}})
		expect(t, resp, body, http.StatusForbidden)

		// The operator signs in without a code and manages nothing.
		op := e.browser()
		op.signIn(t, "op-wetan", opPass)
		_, body = op.get(t, "/")
		lacks(t, body, `href="/admin/pengguna"`)
		resp, body = op.get(t, "/admin/pengguna")
		expect(t, resp, body, http.StatusForbidden)

		// Tokens: created (shown once), listed by prefix, revoked.
		page := userPath(t, admin, "op-wetan")
		resp, body = admin.post(t, page+"/token", url.Values{"csrf_token": {tok}, "nama_token": {"skrip"}, "hari": {"30"}})
		expect(t, resp, body, http.StatusCreated)
		m = secretField.FindStringSubmatch(body)
		if m == nil || !strings.HasPrefix(m[1], "jrg_") {
			t.Fatalf("no token shown:\n%s", body)
		}
		token := m[1]
		resp, body = admin.post(t, page+"/token", url.Values{"csrf_token": {tok}, "hari": {"400"}})
		expect(t, resp, body, http.StatusUnprocessableEntity)
		resp, body = admin.get(t, page)
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "skrip", token[:10]+"…", "Cabut")
		lacks(t, body, token)
		revoke := regexp.MustCompile(`action="(/admin/token/\d+/cabut)"`).FindStringSubmatch(body)
		if revoke == nil {
			t.Fatalf("no revoke form:\n%s", body)
		}
		resp, body = admin.post(t, revoke[1], url.Values{"csrf_token": {tok}})
		expect(t, resp, body, http.StatusSeeOther)
		_, body = admin.get(t, page)
		contains(t, body, "Dicabut")

		// The province office: signs in with its code, sees its province only.
		prov := e.browser()
		prov.signIn(t, "jabar", provPass)
		_, body = prov.get(t, "/admin/pengguna")
		contains(t, body, ">op-wetan</a>", ">jabar</a>", "32 dan di bawahnya")
		lacks(t, body, ">admin</a>", `<option value="admin">`, `<option value="inspektorat">`)
		adminPage := userPath(t, admin, "admin")
		resp, body = prov.get(t, adminPage)
		expect(t, resp, body, http.StatusNotFound)

		// Disabling the operator ends its session at once.
		resp, body = admin.post(t, page+"/nonaktifkan", url.Values{"csrf_token": {tok}})
		expect(t, resp, body, http.StatusSeeOther)
		_, body = admin.get(t, page)
		contains(t, body, "Nonaktif")
		lacks(t, body, `/nonaktifkan"`)
		resp, _ = op.get(t, "/")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/masuk" {
			t.Errorf("disabled operator: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		// One's own account cannot be disabled from the page either.
		lacksSelf := adminPage
		_, body = admin.get(t, lacksSelf)
		lacks(t, body, `/nonaktifkan"`)

		// In English.
		admin.get(t, "/bahasa?ke=en&kembali=/admin/pengguna")
		_, body = admin.get(t, "/admin/pengguna")
		contains(t, body, "Add an account", "Village or ward operator", "Province social office (two-step required)")
	})
}

func TestSignOutEverywhereAndLockout(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		one, two := e.browser(), e.browser()
		one.signIn(t, "admin", adminPw)
		two.signIn(t, "admin", adminPw)
		tok := one.csrf(t)
		resp, body := one.post(t, "/keluar-semua", url.Values{"csrf_token": {tok}})
		expect(t, resp, body, http.StatusSeeOther)
		for _, b := range []*browser{one, two} {
			if resp, _ := b.get(t, "/cari"); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("a session survived signing out everywhere: %d", resp.StatusCode)
			}
		}
		// Five failures lock the name out; the page says to wait.
		anon := e.browser()
		for i := 0; i < 5; i++ {
			resp, body := anon.post(t, "/masuk", url.Values{"nama_pengguna": {"operator"}, "kata_sandi": {"salah-sekali-123"}})
			expect(t, resp, body, http.StatusUnauthorized)
		}
		resp, body = anon.post(t, "/masuk", url.Values{"nama_pengguna": {"operator"}, "kata_sandi": {otherPw}, "kode": {e.mfa.Code(t, "operator")}})
		expect(t, resp, body, http.StatusTooManyRequests)
		contains(t, body, "Coba lagi dalam 1 menit")
		if resp.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		e.mfa.Clock.Advance(time.Minute)
		anon.signIn(t, "operator", otherPw)
	})
}
