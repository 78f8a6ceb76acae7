package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/server"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// TestNothingPersonalInTheLogs runs a full scenario through the API and the
// back office, with the server's logger and slog's default logger writing
// at debug level into one buffer: sign-ins with wrong and right passwords
// and codes, a token and a refused one, a refused CSRF token, creates,
// changes and refusals, imports with errors (one without its header row),
// searches and lookups, reveals, exports, the audit trail and internal
// errors. Then nothing logged may hold a run of 12 or more digits (a NIK
// or KK number, whole or in part), a name of the register, a password, a
// session cookie, a CSRF token, an API token or a TOTP secret.
func TestNothingPersonalInTheLogs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		logs := &logBuffer{}
		logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		prev := slog.Default()
		slog.SetDefault(logger)
		t.Cleanup(func() { slog.SetDefault(prev) })
		var a *auth.Service
		var reg *registry.Registry
		e := newEnv(t, db, func(d *server.Deps) { d.Logger, a, reg = logger, d.Auth, d.Registry })
		ctx := context.Background()
		s := &logScenario{t: t, e: e}
		s.secret(adminPass)

		// Accounts: a village operator, a district office with a token, a province office with a second factor.
		const opPass, distPass, provPass = "sandi-operator-desa-1", "sandi-dinsos-kab-123", "sandi-provinsi-3200"
		s.secret(opPass, distPass, provPass)
		if _, err := a.CreateUser(ctx, "operator", opPass, "desa", "32.04.28.2001"); err != nil {
			t.Fatal(err)
		}
		dist, err := a.CreateUser(ctx, "dinsos", distPass, "dinsos", "32.04")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.CreateUser(ctx, "provinsi", provPass, "provinsi", "32"); err != nil {
			t.Fatal(err)
		}
		s.secret(e.mfa.Enroll(t, "provinsi"))
		bearer, _, err := a.CreateToken(ctx, dist.ID, "skrip", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		s.secret(bearer)

		// Sign-ins: wrong passwords (API and form), an unknown name, a wrong code, then right.
		for _, body := range []string{loginBody(adminUser, "salah-kata-sandi-99", "123456"), loginBody("tidak-ada", "kata-sandi-lain-77", ""),
			loginBody("provinsi", provPass, "000000"), loginBody("operator", "3204281205800001", "")} {
			s.secret("salah-kata-sandi-99", "kata-sandi-lain-77")
			if r := s.send(http.MethodPost, "/api/v1/auth/login", []byte(body), "application/json", "", "", ""); r.Status != http.StatusUnauthorized {
				t.Fatalf("wrong sign-in: %d %s", r.Status, r.Body)
			}
		}
		form := url.Values{"nama_pengguna": {"operator"}, "kata_sandi": {"salah-di-formulir-1"}}
		s.secret("salah-di-formulir-1")
		s.send(http.MethodPost, "/masuk", []byte(form.Encode()), "application/x-www-form-urlencoded", "", "", "")
		admin, adminCSRF := s.login(adminUser, adminPass)
		op, opCSRF := s.login("operator", opPass)
		prov, _ := s.login("provinsi", provPass)
		form.Set("kata_sandi", opPass)
		r := s.send(http.MethodPost, "/masuk", []byte(form.Encode()), "application/x-www-form-urlencoded", "", "", "")
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			s.secret(c.Value)
		}

		// The register: creates, refusals, changes.
		people := []struct{ nik, name, sex, birth, rel string }{
			{"3204281205800001", "BUDI SANTOSO", "L", "1980-05-12", "kepala_keluarga"},
			{"3204284703850001", "SITI AMINAH", "P", "1985-03-07", "istri"},
			{"3204280101100001", "MUHAMMAD RIZKI", "L", "2010-01-01", "anak"},
		}
		var members []registry.Person
		for _, p := range people {
			members = append(members, registry.Person{NIK: p.nik, Name: p.name, Sex: p.sex, BirthDate: p.birth, Relation: p.rel})
			s.personal(p.nik, p.name)
		}
		s.personal("3204281506100001", "3204281506100002", "3273121506100001", "3273121205800001", "AGUS SALIM", "DEWI LESTARI",
			"3273124703850001", "3204281205800099", "3204281506109999", "NUR AINI", "3204284202200001")
		body := func(v any) []byte { b, _ := json.Marshal(v); return b }
		r = s.send("POST", "/api/v1/families", body(map[string]any{"family": registry.Family{KK: "3204281506100001", VillageCode: "32.04.28.2001", Address: "JL. MELATI 1"},
			"members": members, "reason": "pendaftaran 3204281205800001"}), "application/json", op, opCSRF, "")
		var fv struct {
			Family  registry.Family   `json:"family"`
			Members []registry.Person `json:"members"`
		}
		if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &fv) != nil {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		// The same KK again; a NIK with a letter; a member whose NIK is taken.
		s.send("POST", "/api/v1/families", body(map[string]any{"family": registry.Family{KK: "3204281506100001", VillageCode: "32.04.28.2001"},
			"members": members[:1], "reason": "dobel"}), "application/json", op, opCSRF, "")
		s.send("POST", "/api/v1/families", body(map[string]any{"family": registry.Family{KK: "3204281506100002", VillageCode: "32.04.28.2001"},
			"members": []registry.Person{{NIK: "32042812058A0001", Name: "BUDI SANTOSO", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"}}, "reason": "x"}),
			"application/json", op, opCSRF, "")
		s.send("POST", fmt.Sprintf("/api/v1/families/%d/members", fv.Family.ID), body(map[string]any{"person": members[1], "reason": "x"}), "application/json", op, opCSRF, "")
		s.send("POST", fmt.Sprintf("/api/v1/families/%d/members", fv.Family.ID), body(map[string]any{"reason": "kelahiran",
			"person": registry.Person{NIK: "3204284202200001", Name: "NUR AINI", Sex: "P", BirthDate: "2020-02-02", Relation: "anak"}}), "application/json", op, opCSRF, "")
		head := fv.Members[0]
		head.Occupation = "petani"
		s.send("PUT", fmt.Sprintf("/api/v1/people/%d", head.ID), body(map[string]any{"person": head, "version": 1, "reason": "koreksi"}), "application/json", op, opCSRF, "")
		s.send("PUT", fmt.Sprintf("/api/v1/people/%d", head.ID), body(map[string]any{"person": head, "version": 1, "reason": "basi"}), "application/json", op, opCSRF, "")
		// Without the CSRF token; with a refused bearer token.
		s.send("POST", "/api/v1/people/search", body(map[string]string{"q": "budi"}), "application/json", op, "", "")
		s.send("GET", "/api/v1/stats", nil, "", "", "", "jrg_tidak-berlaku-3204281205800001")

		// Imports with errors, through the API and the form; one file without its header row.
		csv := "no_kk,kode_wilayah,alamat,nik,nama,jenis_kelamin,tanggal_lahir,hubungan\n" +
			"3273121506100001,32.73.12.1001,JL. GUMURUH 1,3273121205800001,AGUS SALIM,L,1980-05-12,kepala_keluarga\n" +
			"3273121506100001,,,3273124703850001,DEWI LESTARI,P,1985-03-07,istri\n" +
			"3204281506100001,32.04.28.2001,JL. MELATI 1,3204281205800001,BUDI SANTOSO,L,1980-05-12,kepala_keluarga\n" +
			"3204281506109999,32.04.28.2001,JL. X,32042812058A0099,BARIS RUSAK,L,1980-05-12,kepala_keluarga\n"
		s.personal("BARIS RUSAK")
		noHeader := "3204281506109999,32.04.28.2001,JL. X,3204281205800099,TANPA JUDUL,L,1980-05-12,kepala_keluarga\n"
		s.personal("TANPA JUDUL")
		for _, f := range []struct{ path, field, name, content string }{
			{"/api/v1/imports", "file", "keluarga.csv", csv}, {"/api/v1/imports", "file", "judul.csv", noHeader},
			{"/impor", "berkas", "keluarga.csv", csv}, {"/impor", "berkas", "judul.csv", noHeader}, {"/impor", "berkas", "rusak.xlsx", "bukan xlsx 3204281205800001"},
		} {
			q := mxFile(f.path, f.field, f.name, f.content, nil)
			r := s.send("POST", q.path, q.body, q.ctype, admin, adminCSRF, "")
			if loc := r.Header.Get("Location"); loc != "" {
				id := loc[strings.LastIndex(loc, "/")+1:]
				s.waitImport(admin, id)
				s.send("GET", "/api/v1/imports/"+id+"/report", nil, "", admin, "", "")
				s.send("GET", "/impor/"+id, nil, "", admin, "", "")
				s.send("GET", "/impor/"+id+"/laporan", nil, "", admin, "", "")
			}
		}

		// Searches, lookups, pages, reveals, exports, the audit trail.
		s.send("POST", "/api/v1/people/search", body(map[string]string{"q": "budi santoso"}), "application/json", op, opCSRF, "")
		s.send("POST", "/api/v1/people/search", body(map[string]string{"q": "3204281205800001"}), "application/json", op, opCSRF, "")
		s.send("POST", "/cari", []byte(url.Values{"nama": {"siti aminah"}}.Encode()), "application/x-www-form-urlencoded", op, opCSRF, "")
		s.send("POST", "/cari", []byte(url.Values{"nama": {"3204281205800001"}}.Encode()), "application/x-www-form-urlencoded", op, opCSRF, "")
		for _, n := range []string{"3204281205800001", "3204281205800099"} {
			s.send("POST", "/api/v1/people/lookup", body(map[string]string{"nik": n}), "application/json", op, opCSRF, "")
		}
		for _, kk := range []string{"3204281506100001", "3204281506109999"} {
			s.send("POST", "/api/v1/families/lookup", body(map[string]string{"no_kk": kk}), "application/json", "", "", bearer)
		}
		s.send("GET", fmt.Sprintf("/api/v1/families/%d", fv.Family.ID), nil, "", "", "", bearer)
		s.send("GET", fmt.Sprintf("/keluarga/%d", fv.Family.ID), nil, "", op, "", "")
		s.send("GET", fmt.Sprintf("/orang/%d", head.ID), nil, "", op, "", "")
		s.send("GET", fmt.Sprintf("/api/v1/people/%d/history", head.ID), nil, "", prov, "", "")
		s.send("POST", fmt.Sprintf("/api/v1/people/%d/nik", head.ID), body(map[string]string{"reason": "verifikasi 3204281205800001"}), "application/json", op, opCSRF, "")
		s.send("POST", fmt.Sprintf("/orang/%d/nik", head.ID), []byte(url.Values{"alasan": {"verifikasi"}}.Encode()), "application/x-www-form-urlencoded", op, opCSRF, "")
		s.send("POST", fmt.Sprintf("/orang/%d/nik", head.ID), nil, "application/x-www-form-urlencoded", op, opCSRF, "")
		s.send("GET", "/api/v1/export?region=32.04.28.2001", nil, "", admin, "", "")
		s.send("GET", "/api/v1/export?format=xlsx", nil, "", "", "", bearer)
		s.send("GET", "/api/v1/audit?limit=1000", nil, "", admin, "", "")
		s.send("GET", "/api/v1/audit/export", nil, "", admin, "", "")
		s.send("GET", "/audit", nil, "", admin, "", "")

		// Internal errors: a table gone from under the server.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `ALTER TABLE person RENAME TO person_hilang`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct{ method, path, body string }{
			{"POST", "/api/v1/people/lookup", `{"nik":"3204281205800001"}`},
			{"POST", "/api/v1/people/search", `{"q":"budi santoso"}`},
			{"GET", fmt.Sprintf("/api/v1/families/%d", fv.Family.ID), ""},
		} {
			var b []byte
			if q.body != "" {
				b = []byte(q.body)
			}
			if r := s.send(q.method, q.path, b, "application/json", op, opCSRF, ""); r.Status != http.StatusInternalServerError {
				t.Errorf("%s %s without the person table: %d", q.method, q.path, r.Status)
			}
		}
		s.send("POST", "/cari", []byte(url.Values{"nama": {"budi santoso"}}.Encode()), "application/x-www-form-urlencoded", op, opCSRF, "")
		s.send("GET", fmt.Sprintf("/keluarga/%d", fv.Family.ID), nil, "", op, "", "")
		_ = reg

		s.check(logs.String())
	})
}

type logScenario struct {
	t        *testing.T
	e        *env
	secrets  []string // must never be logged
	names    []string // personal data of the register: never logged
	requests int
}

func (s *logScenario) secret(v ...string)   { s.secrets = append(s.secrets, v...) }
func (s *logScenario) personal(v ...string) { s.names = append(s.names, v...) }

// send sends a request and remembers every cookie and CSRF token it is given.
func (s *logScenario) send(method, path string, body []byte, ctype, session, csrf, bearer string) response {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.e.ts.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: session})
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
		s.secret(bearer)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	s.requests++
	for _, c := range res.Cookies() {
		if c.Name == api.SessionCookie && c.Value != "" {
			s.secret(c.Value)
		}
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (s *logScenario) login(user, pass string) (string, string) {
	s.t.Helper()
	r := s.send("POST", "/api/v1/auth/login", []byte(loginBody(user, pass, s.e.mfa.Code(s.t, user))), "application/json", "", "", "")
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil {
		s.t.Fatalf("sign in %s: %d %s", user, r.Status, r.Body)
	}
	s.secret(out.CSRF)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == api.SessionCookie {
			return c.Value, out.CSRF
		}
	}
	s.t.Fatalf("sign in %s: no cookie", user)
	return "", ""
}

func (s *logScenario) waitImport(session, id string) {
	s.t.Helper()
	for range 500 {
		r := s.send("GET", "/api/v1/imports/"+id, nil, "", session, "", "")
		var job registry.ImportJob
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &job) != nil {
			s.t.Fatalf("import %s: %d %s", id, r.Status, r.Body)
		}
		if job.Finished != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("import %s did not finish", id)
}

var longDigits = regexp.MustCompile(`[0-9]{12,}`)

func (s *logScenario) check(logs string) {
	t := s.t
	t.Helper()
	if n := strings.Count(logs, "\n"); n < s.requests {
		t.Fatalf("%d log lines for %d requests: is the logger wired?", n, s.requests)
	}
	for _, want := range []string{`"status":401`, `"status":500`, `"msg":"request failed"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %s: the scenario did not run as meant", want)
		}
	}
	for _, line := range strings.Split(logs, "\n") {
		if m := longDigits.FindString(line); m != "" {
			t.Errorf("a run of %d digits in the logs: %.300s", len(m), line)
		}
		upper := strings.ToUpper(line)
		for _, n := range s.names {
			if strings.Contains(upper, strings.ToUpper(n)) {
				t.Errorf("personal data %q in the logs: %.300s", n, line)
			}
		}
		for _, sec := range s.secrets {
			if sec != "" && strings.Contains(line, sec) {
				t.Errorf("a secret (%.6s...) in the logs: %.300s", sec, line)
			}
		}
	}
}
