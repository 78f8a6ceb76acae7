package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// Demo villages: two in Rancaekek (32.04.28), one in Ciparay (32.04.29),
// and Batununggal (32.73.12) for imports.
const (
	district   = "32.04.28"
	village1   = "32.04.28.2001"
	village2   = "32.04.28.2002"
	village3   = "32.04.29.2001"
	importDist = "32.73.12"
)

// Valid identifiers: NIK = district PPKKCC + DDMMYY (+40 on the day for
// women) + serial; KK = district + date of issue + serial.
const (
	kkA     = "3204281506100001"
	kkB     = "3204281506100002"
	kkC     = "3204281506100003"
	kkD     = "3204291506100001"
	kkE     = "3204281506100004"
	nikHead = "3204281205800001" // BUDI SANTOSO, man, 1980-05-12
	nikWife = "3204284703850001" // SITI AMINAH, woman, 1985-03-07
	nikKid  = "3204280101100001" // MUHAMMAD RIZKI, boy, 2010-01-01
	nikBaby = "3204284202200001" // NUR AINI, girl, 2020-02-02
	nikB    = "3204282008750001" // ACHMAD SOEKARNO, man, 1975-08-20
	nikC    = "3204280303700001" // DEDI KURNIAWAN, man, 1970-03-03
	nikD    = "3204291111900001" // MOHAMAD RIZKI, man, 1990-11-11, other district
	nikE    = "3204280505950001" // RUDI HARTONO, man, 1995-05-05
)

type familyBody struct {
	Family  registry.Family   `json:"family"`
	Members []registry.Person `json:"members,omitempty"`
	Version int               `json:"version,omitempty"`
	Reason  string            `json:"reason"`
}

type familyView struct {
	Family  registry.Family   `json:"family"`
	Members []registry.Person `json:"members"`
}

func person(nik, name, sex, birth, relation string) registry.Person {
	return registry.Person{NIK: nik, Name: name, Sex: sex, BirthDate: birth, Relation: relation}
}

func family(kk, village, address string) registry.Family {
	return registry.Family{KK: kk, VillageCode: village, Address: address, FloorMaterial: "semen"}
}

func idPath(prefix string, id int64) string { return prefix + strconv.FormatInt(id, 10) }

// TestAPI runs the whole JSON API scenario through the real server on every
// engine, then scans what was logged for personal data and secrets.
func TestAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := &scenario{e: e}
		steps := []struct {
			name string
			fn   func(t *testing.T)
		}{
			{"auth", s.auth},
			{"create", s.create},
			{"validation", s.validation},
			{"update family", s.updateFamily},
			{"family status", s.familyStatus},
			{"people", s.people},
			{"list", s.list},
			{"search", s.search},
			{"lookup", s.lookup},
			{"regions", s.regions},
			{"import", s.importFile},
			{"import errors", s.importErrors},
			{"export", s.export},
			{"logout", s.logout},
			{"metrics", s.metrics},
		}
		for _, st := range steps {
			if !t.Run(st.name, st.fn) {
				// Later steps build on earlier ones; still scan the logs.
				break
			}
		}
		t.Run("privacy", s.privacy)
	})
}

type scenario struct {
	e  *env
	c  *client // the administrator
	a  familyView
	b  familyView
	cc familyView
	d  familyView
	ef familyView
	// importJob is the first import's ID, for the other-user check.
	importJob string
}

func (s *scenario) auth(t *testing.T) {
	anon := s.e.anonymous()
	p := anon.do(t, "GET", "/api/v1/families?region="+district, nil).problem(t, http.StatusUnauthorized)
	if p.Detail == "" {
		t.Error("401 without detail")
	}
	anon.do(t, "POST", "/api/v1/families", "{}").problem(t, http.StatusUnauthorized)
	// The document itself is public, and may be cached.
	if r := anon.do(t, "GET", "/api/v1/openapi.json", nil); r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Cache-Control"), "public") {
		t.Errorf("openapi.json: %d, Cache-Control %q", r.Status, r.Header.Get("Cache-Control"))
	}

	wrong := anon.do(t, "POST", "/api/v1/auth/login", map[string]string{"username": adminUser, "password": "salah-sama-sekali"})
	unknown := anon.do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "tidak-ada", "password": "salah-sama-sekali"})
	wrong.problem(t, http.StatusUnauthorized)
	unknown.problem(t, http.StatusUnauthorized)
	if !bytes.Equal(wrong.Body, unknown.Body) {
		t.Errorf("wrong password and unknown user answer differently:\n%s\n%s", wrong.Body, unknown.Body)
	}
	if sc := wrong.Header.Values("Set-Cookie"); len(sc) > 0 {
		t.Errorf("failed login sets cookies %v", sc)
	}
	s.e.secrets = append(s.e.secrets, "salah-sama-sekali")
	anon.do(t, "POST", "/api/v1/auth/login", "{not json").invalid(t, "body")
	// A cross-site form can post JSON as text/plain (login CSRF): refused.
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		req, _ := http.NewRequest("POST", s.e.ts.URL+"/api/v1/auth/login",
			strings.NewReader(`{"username":"`+adminUser+`","password":"`+adminPass+`"}`))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		r := anon.send(t, req)
		r.problem(t, http.StatusUnsupportedMediaType)
		if len(r.Header.Values("Set-Cookie")) > 0 {
			t.Errorf("login as %q sets a cookie", ct)
		}
	}

	// Signing in sets a safe cookie and returns the CSRF token.
	r := anon.do(t, "POST", "/api/v1/auth/login", map[string]string{"username": adminUser, "password": adminPass, "totp": s.e.mfa.Code(t, adminUser)})
	if r.Status != http.StatusOK {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	var ck *http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == api.SessionCookie {
			ck = c
		}
	}
	if ck == nil || ck.Value == "" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
		t.Fatalf("session cookie %+v", ck)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("login answer Cache-Control %q, want no-store", cc)
	}
	// A charset parameter is fine.
	req, _ := http.NewRequest("POST", s.e.ts.URL+"/api/v1/auth/login",
		strings.NewReader(`{"username":"`+adminUser+`","password":"`+adminPass+`","totp":"`+s.e.mfa.Code(t, adminUser)+`"}`))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if r := s.e.anonymous().send(t, req); r.Status != http.StatusOK {
		t.Errorf("login with charset: %d %s", r.Status, r.Body)
	} else {
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			s.e.secrets = append(s.e.secrets, c.Value)
		}
	}
	s.e.secrets = append(s.e.secrets, ck.Value)

	s.c = s.e.login(t, adminUser, adminPass)
	if r := s.c.do(t, "GET", "/api/v1/families?region="+district, nil); r.Status != http.StatusOK {
		t.Fatalf("signed-in list: %d %s", r.Status, r.Body)
	}
	// Unsafe requests need the CSRF token.
	body := familyBody{Family: family(kkA, village1, "JL. MELATI 1"), Members: []registry.Person{person(nikHead, "BUDI SANTOSO", "L", "1980-05-12", "kepala_keluarga")}, Reason: "x"}
	s.c.withoutCSRF().do(t, "POST", "/api/v1/families", body).problem(t, http.StatusForbidden)
	bad := &client{e: s.e, hc: s.c.hc, csrf: "bukan-token-yang-benar"}
	bad.do(t, "POST", "/api/v1/families", body).problem(t, http.StatusForbidden)
	// Nothing was created by the refused requests.
	s.c.do(t, "POST", "/api/v1/families/lookup", map[string]string{"no_kk": kkA}).problem(t, http.StatusNotFound)
}

func (s *scenario) createFamily(t *testing.T, f registry.Family, members ...registry.Person) familyView {
	t.Helper()
	r := s.c.do(t, "POST", "/api/v1/families", familyBody{Family: f, Members: members, Reason: "pendaftaran baru"})
	var v familyView
	r.expect(t, http.StatusCreated, &v)
	if want := idPath("/api/v1/families/", v.Family.ID); r.Header.Get("Location") != want {
		t.Errorf("Location = %q, want %q", r.Header.Get("Location"), want)
	}
	if v.Family.ID == 0 || v.Family.Version != 1 || len(v.Members) != len(members) {
		t.Fatalf("created %+v", v)
	}
	if strings.Contains(r.Header.Get("Location"), f.KK) {
		t.Error("Location carries the KK number")
	}
	return v
}

func (s *scenario) create(t *testing.T) {
	s.a = s.createFamily(t, family(kkA, village1, "JL. MELATI 1"),
		person(nikHead, "BUDI SANTOSO", "L", "1980-05-12", "kepala_keluarga"),
		person(nikWife, "SITI AMINAH", "P", "1985-03-07", "istri"),
		person(nikKid, "MUHAMMAD RIZKI", "L", "2010-01-01", "anak"))
	s.b = s.createFamily(t, family(kkB, village1, "JL. MAWAR 2"), person(nikB, "ACHMAD SOEKARNO", "L", "1975-08-20", "kepala_keluarga"))
	s.cc = s.createFamily(t, family(kkC, village2, "JL. KENANGA 3"), person(nikC, "DEDI KURNIAWAN", "L", "1970-03-03", "kepala_keluarga"))
	s.d = s.createFamily(t, family(kkD, village3, "JL. CIPARAY 4"), person(nikD, "MOHAMAD RIZKI", "L", "1990-11-11", "kepala_keluarga"))
	s.ef = s.createFamily(t, family(kkE, village2, "JL. TULIP 5"), person(nikE, "RUDI HARTONO", "L", "1995-05-05", "kepala_keluarga"))

	var got familyView
	r := s.c.do(t, "GET", idPath("/api/v1/families/", s.a.Family.ID), nil)
	r.expect(t, http.StatusOK, &got)
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("family answer Cache-Control %q, want no-store", cc)
	}
	checkSecurityHeaders(t, r.Header)
	if got.Family.KK != nik.Mask(kkA) || got.Family.VillageCode != village1 || got.Family.Status != "aktif" || len(got.Members) != 3 {
		t.Fatalf("get family: %+v", got)
	}
	for _, m := range got.Members {
		if m.FamilyID != s.a.Family.ID || m.VillageCode != village1 || m.Version != 1 || m.ChangedBy != "user:admin" {
			t.Errorf("member %+v", m)
		}
	}
	// A second family with the same KK is refused.
	r = s.c.do(t, "POST", "/api/v1/families", familyBody{Family: family(kkA, village1, "X"),
		Members: []registry.Person{person("3204281205800002", "BUDI LAIN", "L", "1980-05-12", "kepala_keluarga")}, Reason: "dobel"})
	r.invalid(t, "no_kk")
	if strings.Contains(string(r.Body), kkA) {
		t.Errorf("problem repeats the KK number unmasked: %s", r.Body)
	}
}

func (s *scenario) validation(t *testing.T) {
	head := person(nikHead, "BUDI SANTOSO", "L", "1980-05-12", "kepala_keluarga")
	// A NIK with a letter names the member.
	withLetter := head
	withLetter.NIK = "32042812058A0009"
	s.c.do(t, "POST", "/api/v1/families", familyBody{Family: family("3204281506100099", village1, "X"),
		Members: []registry.Person{withLetter}, Reason: "uji"}).invalid(t, "anggota[0].nik")
	// The second member's problems name index 1.
	kid := person("3204280101100009", "A", "X", "2010-13-01", "anak")
	p := s.c.do(t, "POST", "/api/v1/families", familyBody{Family: family("3204281506100099", village1, "X"),
		Members: []registry.Person{person("3204281205800009", "BUDI", "L", "1980-05-12", "kepala_keluarga"), kid}, Reason: "uji"}).
		invalid(t, "anggota[1].nama")
	for _, f := range []string{"anggota[1].jenis_kelamin", "anggota[1].tanggal_lahir"} {
		if !slices.ContainsFunc(p.Errors, func(e errs.FieldError) bool { return e.Field == f }) {
			t.Errorf("errors %+v do not name %s", p.Errors, f)
		}
	}
	// An unknown village.
	s.c.do(t, "POST", "/api/v1/families", familyBody{Family: family("3204281506100099", "32.04.28.2999", "X"),
		Members: []registry.Person{person("3204281205800009", "BUDI", "L", "1980-05-12", "kepala_keluarga")}, Reason: "uji"}).invalid(t, "kode_wilayah")
	// Invalid JSON, unknown fields, a missing reason.
	s.c.do(t, "POST", "/api/v1/families", `{"family": {`).invalid(t, "body")
	s.c.do(t, "POST", "/api/v1/families", `{"keluarga": {}}`).invalid(t, "body")
	s.c.do(t, "POST", "/api/v1/families", familyBody{Family: family("3204281506100099", village1, "X"),
		Members: []registry.Person{person("3204281205800009", "BUDI", "L", "1980-05-12", "kepala_keluarga")}}).invalid(t, "alasan")
	// Bad IDs and unknown records.
	s.c.do(t, "GET", "/api/v1/families/abc", nil).invalid(t, "id")
	s.c.do(t, "GET", "/api/v1/families/999999999", nil).problem(t, http.StatusNotFound)
	s.c.do(t, "GET", "/api/v1/people/999999999", nil).problem(t, http.StatusNotFound)
	s.c.do(t, "GET", "/api/v1/families/999999999/history", nil).problem(t, http.StatusNotFound)
	s.c.do(t, "GET", "/api/v1/people/999999999/history", nil).problem(t, http.StatusNotFound)
	s.c.do(t, "PUT", "/api/v1/families/999999999", familyBody{Family: family(kkA, village1, "X"), Version: 1, Reason: "uji"}).problem(t, http.StatusNotFound)
	s.c.do(t, "POST", "/api/v1/families/999999999/members", map[string]any{"person": person(nikBaby, "NUR AINI", "P", "2020-02-02", "anak"), "reason": "uji"}).problem(t, http.StatusNotFound)
	s.c.do(t, "GET", idPath("/api/v1/families/", s.a.Family.ID)+"?as_of=kemarin", nil).invalid(t, "as_of")
	// Nothing of the refused requests was written.
	var list struct {
		Families []registry.FamilySummary `json:"families"`
	}
	s.c.do(t, "GET", "/api/v1/families?region="+district, nil).expect(t, http.StatusOK, &list)
	if len(list.Families) != 4 {
		t.Errorf("district has %d families after refused creates, want 4", len(list.Families))
	}
}

// between returns an RFC 3339 time strictly between two versions' starts
// when they are far enough apart, else the first one's start.
func between(a, b time.Time) string {
	t := a
	if d := b.Sub(a); d >= 2*time.Microsecond {
		t = a.Add(d / 2).Truncate(time.Microsecond)
	}
	return url.QueryEscape(t.Format(time.RFC3339Nano))
}

func (s *scenario) updateFamily(t *testing.T) {
	id := s.a.Family.ID
	f := s.a.Family
	f.Address = "JL. MELATI 10"
	f.RT, f.RW = "001", "002"
	var v2 registry.Family
	s.c.do(t, "PUT", idPath("/api/v1/families/", id), familyBody{Family: f, Version: 1, Reason: "pindah rumah"}).expect(t, http.StatusOK, &v2)
	if v2.Version != 2 || v2.Address != "JL. MELATI 10" || v2.ChangeReason != "pindah rumah" {
		t.Fatalf("update: %+v", v2)
	}
	// A stale version is a conflict and changes nothing.
	f.Address = "JL. LAIN"
	p := s.c.do(t, "PUT", idPath("/api/v1/families/", id), familyBody{Family: f, Version: 1, Reason: "basi"}).problem(t, http.StatusConflict)
	if p.Detail == "" {
		t.Error("409 without detail")
	}
	var h struct {
		Versions []registry.Family `json:"versions"`
	}
	s.c.do(t, "GET", idPath("/api/v1/families/", id)+"/history", nil).expect(t, http.StatusOK, &h)
	if len(h.Versions) != 2 || h.Versions[0].Address != "JL. MELATI 1" || h.Versions[1].Address != "JL. MELATI 10" ||
		h.Versions[0].ValidTo == nil || !h.Versions[0].ValidTo.Equal(h.Versions[1].ValidFrom) || h.Versions[1].ValidTo != nil {
		t.Fatalf("history: %+v", h.Versions)
	}
	// As of a time between the versions: the old address, and the members then.
	var old familyView
	s.c.do(t, "GET", idPath("/api/v1/families/", id)+"?as_of="+between(h.Versions[0].ValidFrom, h.Versions[1].ValidFrom), nil).expect(t, http.StatusOK, &old)
	if old.Family.Version != 1 || old.Family.Address != "JL. MELATI 1" || len(old.Members) != 3 {
		t.Errorf("as of v1: %+v", old)
	}
	var now familyView
	s.c.do(t, "GET", idPath("/api/v1/families/", id)+"?as_of="+url.QueryEscape(time.Now().UTC().Add(time.Hour).Format(time.RFC3339)), nil).expect(t, http.StatusOK, &now)
	if now.Family.Version != 2 {
		t.Errorf("as of the future: version %d", now.Family.Version)
	}
	// Before the family existed: not found.
	s.c.do(t, "GET", idPath("/api/v1/families/", id)+"?as_of=2000-01-01", nil).problem(t, http.StatusNotFound)
	s.a.Family = v2
}

func (s *scenario) familyStatus(t *testing.T) {
	id := s.b.Family.ID
	path := idPath("/api/v1/families/", id) + "/status"
	s.c.do(t, "POST", path, map[string]any{"version": 1, "status": "hilang", "status_reason": "x"}).invalid(t, "status")
	s.c.do(t, "POST", path, map[string]any{"version": 1, "status": "ditidurkan"}).invalid(t, "status_reason")
	var f registry.Family
	s.c.do(t, "POST", path, map[string]any{"version": 1, "status": "ditidurkan", "status_reason": "tidak ditemukan saat verifikasi"}).expect(t, http.StatusOK, &f)
	if f.Status != "ditidurkan" || f.StatusReason != "tidak ditemukan saat verifikasi" || f.Version != 2 {
		t.Fatalf("status: %+v", f)
	}
	s.c.do(t, "POST", path, map[string]any{"version": 1, "status": "aktif", "status_reason": "basi"}).problem(t, http.StatusConflict)
	var v familyView
	s.c.do(t, "GET", idPath("/api/v1/families/", id), nil).expect(t, http.StatusOK, &v)
	if v.Family.Status != "ditidurkan" || v.Family.StatusReason != "tidak ditemukan saat verifikasi" || len(v.Members) != 1 {
		t.Fatalf("sleeping family: %+v", v)
	}
	var h struct {
		Versions []registry.Family `json:"versions"`
	}
	s.c.do(t, "GET", idPath("/api/v1/families/", id)+"/history", nil).expect(t, http.StatusOK, &h)
	if len(h.Versions) != 2 || h.Versions[0].Status != "aktif" || h.Versions[1].Status != "ditidurkan" {
		t.Fatalf("history: %+v", h.Versions)
	}
	s.b.Family = f
}

func (s *scenario) memberByNIK(t *testing.T, v familyView, n string) registry.Person {
	t.Helper()
	for _, m := range v.Members {
		if s.fullNIK(t, m) == n {
			return m
		}
	}
	t.Fatalf("no member %s in %+v", n, v.Members)
	return registry.Person{}
}

func (s *scenario) people(t *testing.T) {
	// Add a member.
	var baby registry.Person
	s.c.do(t, "POST", idPath("/api/v1/families/", s.a.Family.ID)+"/members",
		map[string]any{"person": person(nikBaby, "NUR AINI", "P", "2020-02-02", "anak"), "reason": "kelahiran"}).expect(t, http.StatusCreated, &baby)
	if baby.ID == 0 || baby.FamilyID != s.a.Family.ID || baby.VillageCode != village1 || baby.Version != 1 {
		t.Fatalf("added member: %+v", baby)
	}
	// The same NIK twice is refused; so is a second head.
	s.c.do(t, "POST", idPath("/api/v1/families/", s.a.Family.ID)+"/members",
		map[string]any{"person": person(nikBaby, "NUR AINI", "P", "2020-02-02", "anak"), "reason": "dobel"}).invalid(t, "nik")
	s.c.do(t, "POST", idPath("/api/v1/families/", s.a.Family.ID)+"/members",
		map[string]any{"person": person("3204281205800007", "KEPALA KEDUA", "L", "1980-05-12", "kepala_keluarga"), "reason": "dobel"}).invalid(t, "hubungan")

	// Update a person.
	head := s.memberByNIK(t, s.a, nikHead)
	upd := head
	upd.Name = "BUDI SANTOSA"
	upd.Occupation = "buruh"
	var head2 registry.Person
	s.c.do(t, "PUT", idPath("/api/v1/people/", head.ID), map[string]any{"person": upd, "version": 1, "reason": "koreksi nama"}).expect(t, http.StatusOK, &head2)
	if head2.Version != 2 || head2.Name != "BUDI SANTOSA" || head2.Occupation != "buruh" || head2.FamilyID != s.a.Family.ID {
		t.Fatalf("updated person: %+v", head2)
	}
	s.c.do(t, "PUT", idPath("/api/v1/people/", head.ID), map[string]any{"person": upd, "version": 1, "reason": "basi"}).problem(t, http.StatusConflict)
	bad := upd
	bad.NIK = "32042812058A0001"
	s.c.do(t, "PUT", idPath("/api/v1/people/", head.ID), map[string]any{"person": bad, "version": 2, "reason": "x"}).invalid(t, "nik")

	// As of a time between the versions: the old name.
	var h struct {
		Versions []registry.Person `json:"versions"`
	}
	s.c.do(t, "GET", idPath("/api/v1/people/", head.ID)+"/history", nil).expect(t, http.StatusOK, &h)
	if len(h.Versions) != 2 || h.Versions[0].Name != "BUDI SANTOSO" || h.Versions[1].Name != "BUDI SANTOSA" {
		t.Fatalf("person history: %+v", h.Versions)
	}
	var old registry.Person
	s.c.do(t, "GET", idPath("/api/v1/people/", head.ID)+"?as_of="+between(h.Versions[0].ValidFrom, h.Versions[1].ValidFrom), nil).expect(t, http.StatusOK, &old)
	if old.Name != "BUDI SANTOSO" || old.Version != 1 {
		t.Errorf("as of v1: %+v", old)
	}
	var cur registry.Person
	s.c.do(t, "GET", idPath("/api/v1/people/", head.ID), nil).expect(t, http.StatusOK, &cur)
	if cur.Name != "BUDI SANTOSA" || cur.Version != 2 {
		t.Errorf("current: %+v", cur)
	}

	// Move the wife to family C (another village) by family_id.
	wife := s.memberByNIK(t, s.a, nikWife)
	moved := wife
	moved.FamilyID = s.cc.Family.ID
	var wife2 registry.Person
	s.c.do(t, "PUT", idPath("/api/v1/people/", wife.ID), map[string]any{"person": moved, "version": 1, "reason": "menikah lagi"}).expect(t, http.StatusOK, &wife2)
	if wife2.FamilyID != s.cc.Family.ID || wife2.VillageCode != village2 || wife2.Version != 2 {
		t.Fatalf("moved: %+v", wife2)
	}
	moved.FamilyID = 999999999
	s.c.do(t, "PUT", idPath("/api/v1/people/", wife.ID), map[string]any{"person": moved, "version": 2, "reason": "x"}).invalid(t, "family_id")

	var a, c familyView
	s.c.do(t, "GET", idPath("/api/v1/families/", s.a.Family.ID), nil).expect(t, http.StatusOK, &a)
	s.c.do(t, "GET", idPath("/api/v1/families/", s.cc.Family.ID), nil).expect(t, http.StatusOK, &c)
	var aNIKs, cNIKs []string
	for _, m := range a.Members {
		aNIKs = append(aNIKs, s.fullNIK(t, m))
	}
	for _, m := range c.Members {
		cNIKs = append(cNIKs, s.fullNIK(t, m))
	}
	slices.Sort(aNIKs)
	slices.Sort(cNIKs)
	if want := []string{nikKid, nikHead, nikBaby}; !slices.Equal(aNIKs, sortCopy(want)) {
		t.Errorf("family A members %v, want %v", aNIKs, want)
	}
	if want := []string{nikC, nikWife}; !slices.Equal(cNIKs, sortCopy(want)) {
		t.Errorf("family C members %v, want %v", cNIKs, want)
	}
	s.c.do(t, "GET", idPath("/api/v1/people/", wife.ID)+"/history", nil).expect(t, http.StatusOK, &h)
	if len(h.Versions) != 2 || h.Versions[0].FamilyID != s.a.Family.ID || h.Versions[1].FamilyID != s.cc.Family.ID {
		t.Fatalf("moved person's history: %+v", h.Versions)
	}
	// Family A as of before the move still lists her.
	var before familyView
	s.c.do(t, "GET", idPath("/api/v1/families/", s.a.Family.ID)+"?as_of="+between(h.Versions[0].ValidFrom, h.Versions[1].ValidFrom), nil).expect(t, http.StatusOK, &before)
	if !slices.ContainsFunc(before.Members, func(p registry.Person) bool { return p.ID == wife.ID }) {
		t.Errorf("family A before the move: %+v", before.Members)
	}

	// A person's status.
	var dead registry.Person
	s.c.do(t, "POST", idPath("/api/v1/people/", baby.ID)+"/status", map[string]any{"version": 1, "status": "meninggal", "status_reason": "akta kematian"}).expect(t, http.StatusOK, &dead)
	if dead.Status != "meninggal" || dead.Version != 2 {
		t.Errorf("person status: %+v", dead)
	}
	s.c.do(t, "POST", idPath("/api/v1/people/", baby.ID)+"/status", map[string]any{"version": 2, "status": "aktif"}).invalid(t, "status_reason")

	// Family E's only member moves out: E keeps no members.
	eHead := s.ef.Members[0]
	eHead.FamilyID = s.d.Family.ID
	eHead.Relation = "famili_lain"
	s.c.do(t, "PUT", idPath("/api/v1/people/", eHead.ID), map[string]any{"person": eHead, "version": 1, "reason": "ikut saudara"}).expect(t, http.StatusOK, nil)
}

func sortCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func (s *scenario) list(t *testing.T) {
	type page struct {
		Families  []registry.FamilySummary `json:"families"`
		NextAfter *int64                   `json:"next_after"`
	}
	var ids []int64
	path := "/api/v1/families?region=" + district + "&limit=3"
	var p1 page
	s.c.do(t, "GET", path, nil).expect(t, http.StatusOK, &p1)
	if len(p1.Families) != 3 || p1.NextAfter == nil || *p1.NextAfter != p1.Families[2].ID {
		t.Fatalf("page 1: %+v", p1)
	}
	var p2 page
	s.c.do(t, "GET", path+"&after="+strconv.FormatInt(*p1.NextAfter, 10), nil).expect(t, http.StatusOK, &p2)
	if len(p2.Families) != 1 || p2.NextAfter != nil {
		t.Fatalf("page 2: %+v", p2)
	}
	for _, f := range append(p1.Families, p2.Families...) {
		ids = append(ids, f.ID)
		if !strings.HasPrefix(f.VillageCode, district+".") {
			t.Errorf("family %d in %s listed under %s", f.ID, f.VillageCode, district)
		}
	}
	want := []int64{s.a.Family.ID, s.b.Family.ID, s.cc.Family.ID, s.ef.Family.ID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("listed %v, want %v in order", ids, want)
	}
	byID := map[int64]registry.FamilySummary{}
	for _, f := range append(p1.Families, p2.Families...) {
		byID[f.ID] = f
	}
	// Family A: head, kid (the baby died, the wife moved); B sleeps; E is empty.
	if a := byID[s.a.Family.ID]; a.HeadName != "BUDI SANTOSA" || a.Members != 2 || a.Address != "JL. MELATI 10" {
		t.Errorf("summary A: %+v", a)
	}
	if b := byID[s.b.Family.ID]; b.Status != "ditidurkan" {
		t.Errorf("summary B: %+v", b)
	}
	if e := byID[s.ef.Family.ID]; e.Members != 0 || e.HeadName != "" {
		t.Errorf("summary E: %+v", e)
	}
	// A village scope.
	var v page
	s.c.do(t, "GET", "/api/v1/families?region="+village3, nil).expect(t, http.StatusOK, &v)
	if len(v.Families) != 1 || v.Families[0].ID != s.d.Family.ID || v.NextAfter != nil {
		t.Errorf("village list: %+v", v)
	}
}

func (s *scenario) search(t *testing.T) {
	type hits struct {
		People []registry.PersonHit `json:"people"`
	}
	var h hits
	s.c.do(t, "POST", "/api/v1/people/search", map[string]any{"region": district, "q": "moh rizki"}).expect(t, http.StatusOK, &h)
	if len(h.People) != 1 || h.People[0].Name != "MUHAMMAD RIZKI" || h.People[0].NIK != nik.Mask(nikKid) {
		t.Fatalf("search in %s: %+v", district, h.People)
	}
	// Across the regency both Rizkis are found.
	s.c.do(t, "POST", "/api/v1/people/search", map[string]any{"region": "32.04", "q": "Muhamad  RIZKI"}).expect(t, http.StatusOK, &h)
	var names []string
	for _, p := range h.People {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"MOHAMAD RIZKI", "MUHAMMAD RIZKI"}) {
		t.Errorf("search in 32.04: %v", names)
	}
	// Old spelling and prefixes.
	s.c.do(t, "POST", "/api/v1/people/search", map[string]any{"region": district, "q": "ahmad sukarno"}).expect(t, http.StatusOK, &h)
	if len(h.People) != 1 || h.People[0].NIK != nik.Mask(nikB) {
		t.Errorf("search old spelling: %+v", h.People)
	}
	s.c.do(t, "POST", "/api/v1/people/search", map[string]any{"region": district, "q": "zzz"}).expect(t, http.StatusOK, &h)
	if h.People == nil || len(h.People) != 0 {
		t.Errorf("no hits should be an empty list: %+v", h.People)
	}
	s.c.do(t, "POST", "/api/v1/people/search", map[string]any{"region": district, "q": "  12 "}).invalid(t, "q")
}

func (s *scenario) lookup(t *testing.T) {
	var p registry.Person
	s.c.do(t, "POST", "/api/v1/people/lookup", map[string]string{"nik": nikKid}).expect(t, http.StatusOK, &p)
	if p.NIK != nik.Mask(nikKid) || p.Name != "MUHAMMAD RIZKI" || p.FamilyID != s.a.Family.ID {
		t.Errorf("lookup NIK: %+v", p)
	}
	s.c.do(t, "POST", "/api/v1/people/lookup", map[string]string{"nik": "3204281205800099"}).problem(t, http.StatusNotFound)
	s.c.do(t, "POST", "/api/v1/people/lookup", "nik="+nikKid).invalid(t, "body")

	var v familyView
	s.c.do(t, "POST", "/api/v1/families/lookup", map[string]string{"no_kk": kkC}).expect(t, http.StatusOK, &v)
	if v.Family.ID != s.cc.Family.ID || len(v.Members) != 2 {
		t.Errorf("lookup KK: %+v", v)
	}
	s.c.do(t, "POST", "/api/v1/families/lookup", map[string]string{"no_kk": "3204281506109999"}).problem(t, http.StatusNotFound)
	// A family without current members answers an empty list, as GET does.
	r := s.c.do(t, "POST", "/api/v1/families/lookup", map[string]string{"no_kk": kkE})
	r.expect(t, http.StatusOK, &v)
	if v.Family.ID != s.ef.Family.ID || !bytes.Contains(r.Body, []byte(`"members":[]`)) {
		t.Errorf("lookup of a family without members: %s", r.Body)
	}
	g := s.c.do(t, "GET", idPath("/api/v1/families/", s.ef.Family.ID), nil)
	if !bytes.Contains(g.Body, []byte(`"members":[]`)) {
		t.Errorf("get of a family without members: %s", g.Body)
	}
}

func (s *scenario) regions(t *testing.T) {
	var rs struct {
		Regions []struct{ Code, Name string } `json:"regions"`
	}
	s.c.do(t, "GET", "/api/v1/regions?parent=32.04", nil).expect(t, http.StatusOK, &rs)
	if len(rs.Regions) != 2 || rs.Regions[0].Code != "32.04.28" || rs.Regions[1].Code != "32.04.29" {
		t.Errorf("children of 32.04: %+v", rs.Regions)
	}
	s.c.do(t, "GET", "/api/v1/regions", nil).expect(t, http.StatusOK, &rs)
	if len(rs.Regions) != 38 {
		t.Errorf("%d provinces", len(rs.Regions))
	}
	s.c.do(t, "GET", "/api/v1/regions?parent=3204", nil).invalid(t, "parent")
	var one struct{ Code, Name string }
	s.c.do(t, "GET", "/api/v1/regions/"+village1, nil).expect(t, http.StatusOK, &one)
	if one.Code != village1 || one.Name != "Rancaekek Wetan" {
		t.Errorf("region: %+v", one)
	}
	s.c.do(t, "GET", "/api/v1/regions/32.04.28.2999", nil).problem(t, http.StatusNotFound)

	var st struct {
		Counts []registry.RegionCount `json:"counts"`
	}
	s.c.do(t, "GET", "/api/v1/stats?region="+district, nil).expect(t, http.StatusOK, &st)
	// Active families: A, C, E (B sleeps); active people: A's head and kid and
	// B's head (the person stays active in a sleeping family), C's two.
	got := map[string]registry.RegionCount{}
	for _, c := range st.Counts {
		got[c.Code] = c
	}
	if got[village1].Families != 1 || got[village1].People != 3 || got[village2].Families != 2 || got[village2].People != 2 {
		t.Errorf("stats: %+v", st.Counts)
	}
}

const importHeader = "no_kk,kode_wilayah,alamat,lantai,aset,nik,nama,jenis_kelamin,tanggal_lahir,hubungan,pekerjaan,jenjang_sekolah,id_sekolah"

const goodCSV = importHeader + "\n" +
	"3273121506100001,32.73.12.1001,JL. GUMURUH 1,keramik,televisi|sepeda_motor,3273121205800001,AGUS SALIM,L,1980-05-12,kepala_keluarga,buruh,,\n" +
	"3273121506100001,,,,,3273124703850001,DEWI LESTARI,P,1985-03-07,istri,mengurus_rumah_tangga,,\n" +
	"3273121506100002,32.73.12.1002,JL. MALEER 2,semen,,3273122008750001,HENDRA GUNAWAN,L,1975-08-20,kepala_keluarga,pedagang,,\n"

// Row 2 has a letter in the NIK; its family is rejected, the other one is added.
const badCSV = importHeader + "\n" +
	"3273121506100003,32.73.12.1003,JL. CIBANGKONG 3,semen,,32731212058X0002,YANTI,P,1980-05-12,kepala_keluarga,,,\n" +
	"3273121506100004,32.73.12.1004,JL. KACAPIRING 4,semen,,3273121010900001,WAHYU,L,1990-10-10,kepala_keluarga,,,\n"

type importJob struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	FileName string `json:"file_name"`
	Error    string `json:"error"`
	Result   struct {
		Rows             int64 `json:"baris"`
		Families         int64 `json:"keluarga"`
		FamiliesAdded    int64 `json:"keluarga_baru"`
		FamiliesRejected int64 `json:"keluarga_ditolak"`
		PeopleAdded      int64 `json:"jiwa_baru"`
		Errors           int64 `json:"galat"`
	} `json:"result"`
	Finished *time.Time `json:"finished"`
}

// runImport uploads content, polls until the job is no longer running and
// checks that it ended "selesai".
func (s *scenario) runImport(t *testing.T, name, content string) importJob {
	t.Helper()
	job := s.startImport(t, name, content)
	if job.State != "selesai" || job.Finished == nil {
		t.Fatalf("import ended %q: %s", job.State, job.Error)
	}
	return job
}

// startImport uploads content and polls until the job is no longer running.
func (s *scenario) startImport(t *testing.T, name, content string) importJob {
	t.Helper()
	r := s.c.upload(t, "/api/v1/imports", name, content)
	var job importJob
	r.expect(t, http.StatusAccepted, &job)
	if job.ID == "" || r.Header.Get("Location") != "/api/v1/imports/"+job.ID {
		t.Fatalf("import started: %s, Location %q", r.Body, r.Header.Get("Location"))
	}
	deadline := time.Now().Add(30 * time.Second)
	for job.State == "berjalan" {
		if time.Now().After(deadline) {
			t.Fatalf("import still running: %+v", job)
		}
		time.Sleep(20 * time.Millisecond)
		s.c.do(t, "GET", "/api/v1/imports/"+job.ID, nil).expect(t, http.StatusOK, &job)
	}
	return job
}

func (s *scenario) importFile(t *testing.T) {
	job := s.runImport(t, "keluarga.csv", goodCSV)
	s.importJob = job.ID
	if job.FileName != "keluarga.csv" || job.Result.Rows != 3 || job.Result.Families != 2 || job.Result.FamiliesAdded != 2 ||
		job.Result.PeopleAdded != 3 || job.Result.Errors != 0 {
		t.Errorf("import result: %+v", job)
	}
	var p registry.Person
	s.c.do(t, "POST", "/api/v1/people/lookup", map[string]string{"nik": "3273124703850001"}).expect(t, http.StatusOK, &p)
	if p.Name != "DEWI LESTARI" || p.VillageCode != "32.73.12.1001" || !strings.HasPrefix(p.ChangedBy, "user:admin") {
		t.Errorf("imported person: %+v", p)
	}
	// The same file again changes nothing.
	again := s.runImport(t, "keluarga.csv", goodCSV)
	if again.Result.FamiliesAdded != 0 || again.Result.PeopleAdded != 0 || again.Result.Families != 2 {
		t.Errorf("second import: %+v", again.Result)
	}
	// An upload without a file.
	s.c.do(t, "POST", "/api/v1/imports", "{}").invalid(t, "file")
	// An upload of an unknown format.
	s.c.upload(t, "/api/v1/imports", "keluarga.pdf", "%PDF-1.4").invalid(t, "file")
	// A file with an unknown column fails as a whole.
	bad := s.startImport(t, "kolom.csv", "halo,no_kk\n1,2\n")
	if bad.State != "gagal" || bad.Error == "" || bad.Finished == nil {
		t.Errorf("import with an unknown column: %+v", bad)
	}
	s.c.do(t, "GET", "/api/v1/imports/tidak-ada", nil).problem(t, http.StatusNotFound)
}

func (s *scenario) importErrors(t *testing.T) {
	job := s.runImport(t, "salah.csv", badCSV)
	if job.Result.FamiliesRejected != 1 || job.Result.FamiliesAdded != 1 || job.Result.Errors == 0 {
		t.Errorf("import with a bad row: %+v", job.Result)
	}
	r := s.c.do(t, "GET", "/api/v1/imports/"+job.ID+"/report", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("report: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "laporan-galat-salah.csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("report %s: %v", r.Body, err)
	}
	if len(recs) < 2 || !slices.Equal(recs[0], []string{"row", "column", "value", "reason"}) {
		t.Fatalf("report: %q", recs)
	}
	found := false
	for _, rec := range recs[1:] {
		if rec[0] == "2" && rec[1] == "nik" {
			found = true
			if strings.Contains(rec[2], "32731212058X0002") {
				t.Errorf("report shows the NIK unmasked: %q", rec)
			}
		}
		if rec[0] == "3" {
			t.Errorf("the good row is reported: %q", rec)
		}
	}
	if !found {
		t.Errorf("report does not name row 2, column nik: %q", recs)
	}

	// Another user cannot see the jobs.
	ctx := context.Background()
	if _, err := s.e.auth.CreateUser(ctx, "operator", "kata-sandi-operator-9", auth.RoleAdmin, ""); err != nil {
		t.Fatal(err)
	}
	other := s.e.login(t, "operator", "kata-sandi-operator-9")
	other.do(t, "GET", "/api/v1/imports/"+job.ID, nil).problem(t, http.StatusNotFound)
	other.do(t, "GET", "/api/v1/imports/"+job.ID+"/report", nil).problem(t, http.StatusNotFound)
	other.do(t, "GET", "/api/v1/imports/"+s.importJob, nil).problem(t, http.StatusNotFound)
	s.c.do(t, "GET", "/api/v1/imports/"+s.importJob, nil).expect(t, http.StatusOK, nil)
}

func (s *scenario) export(t *testing.T) {
	r := s.c.do(t, "GET", "/api/v1/export?region="+importDist+"&format=csv", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export csv: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="register-327312.csv"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("export Cache-Control %q, want no-store", cc)
	}
	checkSecurityHeaders(t, r.Header)
	recs, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || !slices.Equal(recs[0], registry.Columns) {
		t.Fatalf("export: %d records, header %q", len(recs), recs[0])
	}
	nikCol := slices.Index(registry.Columns, "nik")
	var niks []string
	for _, rec := range recs[1:] {
		niks = append(niks, rec[nikCol])
	}
	slices.Sort(niks)
	if want := sortCopy([]string{"3273121205800001", "3273124703850001", "3273122008750001", "3273121010900001"}); !slices.Equal(niks, want) {
		t.Errorf("exported NIKs %v, want %v", niks, want)
	}
	// The CSV reads back through the importer: nothing changes.
	job := s.runImport(t, "ekspor.csv", string(r.Body))
	if job.Result.Families != 3 || job.Result.FamiliesAdded != 0 || job.Result.PeopleAdded != 0 || job.Result.Errors != 0 {
		t.Errorf("re-import of the export: %+v", job.Result)
	}

	x := s.c.do(t, "GET", "/api/v1/export?region="+importDist+"&format=xlsx", nil)
	if x.Status != http.StatusOK || !bytes.HasPrefix(x.Body, []byte("PK")) {
		t.Fatalf("export xlsx: %d %q", x.Status, x.Body[:min(len(x.Body), 64)])
	}
	if ct := x.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("xlsx content type %q", ct)
	}
	if _, err := zip.NewReader(bytes.NewReader(x.Body), int64(len(x.Body))); err != nil {
		t.Fatalf("xlsx is not a zip: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || !slices.Equal(rows[0], registry.Columns) {
		t.Errorf("xlsx: %d rows, header %q", len(rows), rows[0])
	}

	// The district scope and the bad inputs.
	r = s.c.do(t, "GET", "/api/v1/export?region="+district, nil)
	recs, err = csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("export %s: %d %v", district, r.Status, err)
	}
	// A: head, kid, baby (meninggal is still a current member); B; C: head, wife.
	if len(recs) != 1+3+1+2 {
		t.Errorf("export %s: %d records", district, len(recs))
	}
	s.c.do(t, "GET", "/api/v1/export?region="+district+"&format=pdf", nil).invalid(t, "format")
	s.c.do(t, "GET", "/api/v1/export?region=3204", nil).invalid(t, "region")
}

func (s *scenario) logout(t *testing.T) {
	ctx := context.Background()
	if _, err := s.e.auth.CreateUser(ctx, "keluar", "kata-sandi-keluar-7", auth.RoleAdmin, ""); err != nil {
		t.Fatal(err)
	}
	c := s.e.login(t, "keluar", "kata-sandi-keluar-7")
	token := c.sessionToken(t)
	c.withoutCSRF().do(t, "POST", "/api/v1/auth/logout", nil).problem(t, http.StatusForbidden)
	r := c.do(t, "POST", "/api/v1/auth/logout", nil)
	if r.Status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if c.sessionToken(t) != "" {
		t.Error("logout left the cookie")
	}
	// The old token is dead on the server, not only in the browser.
	req, _ := http.NewRequest("GET", s.e.ts.URL+"/api/v1/stats", nil)
	req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: token})
	res := (&client{e: s.e, hc: &http.Client{}}).send(t, req)
	res.problem(t, http.StatusUnauthorized)
	// The administrator's session is untouched.
	s.c.do(t, "GET", "/api/v1/stats", nil).expect(t, http.StatusOK, nil)
}

// metrics checks that request counters are labelled by route pattern.
func (s *scenario) metrics(t *testing.T) {
	r := s.e.anonymous().do(t, "GET", "/metrics", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("metrics: %d", r.Status)
	}
	known := map[string]bool{"unmatched": true}
	for _, rt := range s.e.srv.Routes() {
		known[rt.Method+" "+rt.Pattern] = true
	}
	re := regexp.MustCompile(`(?m)^jaring_http_requests_total\{route="([^"]*)",status="(\d+)"\} \d+`)
	seen := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(r.Body), -1) {
		if !known[m[1]] {
			t.Errorf("metrics route label %q is not a route pattern", m[1])
		}
		seen[m[1]+" "+m[2]] = true
	}
	for _, want := range []string{
		"GET /api/v1/families/{id} 200", "GET /api/v1/families/{id} 404", "PUT /api/v1/families/{id} 409",
		"POST /api/v1/families 201", "POST /api/v1/families 422", "POST /api/v1/families 403",
		"GET /api/v1/families 401", "POST /api/v1/auth/login 401", "GET /api/v1/imports/{id} 200",
		"GET /api/v1/people/{id}/history 200",
	} {
		if !seen[want] {
			t.Errorf("metrics lack %s", want)
		}
	}
	if regexp.MustCompile(`route="[^"]*/\d+`).Match(r.Body) {
		t.Error("metrics carry raw paths with IDs")
	}
}

// privacy scans everything logged during the scenario.
func (s *scenario) privacy(t *testing.T) {
	logs := s.e.logs.String()
	if !strings.Contains(logs, `"route":"GET /api/v1/families/{id}"`) {
		t.Errorf("request log lacks route patterns; log:\n%.2000s", logs)
	}
	if m := regexp.MustCompile(`\d{16}`).FindString(logs); m != "" {
		t.Errorf("logs contain a 16-digit number (NIK or KK): %s", m)
	}
	for _, n := range []string{nikHead, nikWife, nikKid, nikBaby, kkA, kkB, kkC, "32042812058A0009", "32731212058X0002", "32042812058A0001"} {
		if strings.Contains(logs, n) {
			t.Errorf("logs contain identifier %s", n)
		}
	}
	for _, sec := range s.e.secrets {
		if sec != "" && strings.Contains(logs, sec) {
			t.Errorf("logs contain a secret (password or token) %.6s…", sec)
		}
	}
	for _, name := range []string{"BUDI SANTOS", "SITI AMINAH", "MUHAMMAD RIZKI"} {
		if strings.Contains(logs, name) {
			t.Errorf("logs contain the name %s", name)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs)
	}
}

// TestConcurrentWrites races writers on the same record: exactly one wins and
// the others get a clean 409 or 422, never a 500, on every engine.
func TestConcurrentWrites(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.login(t, adminUser, adminPass)
		const n = 8
		race := func(what string, want int, req func(i int) response) {
			t.Helper()
			statuses := make([]int, n)
			bodies := make([]string, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					r := req(i)
					statuses[i], bodies[i] = r.Status, string(r.Body)
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for i, st := range statuses {
				switch st {
				case want:
					won++
				case http.StatusConflict, http.StatusUnprocessableEntity:
				default:
					t.Errorf("%s: request %d answered %d: %s", what, i, st, bodies[i])
				}
			}
			if won != 1 {
				t.Errorf("%s: %d winners, want 1 (statuses %v)", what, won, statuses)
			}
		}
		// The same KK registered at once, with different people.
		race("create same KK", http.StatusCreated, func(i int) response {
			head := person(fmt.Sprintf("32042812058000%02d", i+10), "KEPALA "+string(rune('A'+i)), "L", "1980-05-12", "kepala_keluarga")
			return c.do(t, "POST", "/api/v1/families", familyBody{Family: family(kkA, village1, "JL. BALAP"), Members: []registry.Person{head}, Reason: "balapan"})
		})
		var v familyView
		c.do(t, "POST", "/api/v1/families/lookup", map[string]string{"no_kk": kkA}).expect(t, http.StatusOK, &v)
		// The same version updated at once.
		race("update same version", http.StatusOK, func(i int) response {
			f := v.Family
			f.Address = "JL. BALAP " + strconv.Itoa(i)
			return c.do(t, "PUT", idPath("/api/v1/families/", f.ID), familyBody{Family: f, Version: 1, Reason: "balapan"})
		})
		// The same NIK added at once to different families.
		var fams []int64
		for i := range n {
			kk := fmt.Sprintf("32042815061001%02d", i+10)
			head := person(fmt.Sprintf("32042801011000%02d", i+10), "ANAK "+string(rune('A'+i)), "L", "2010-01-01", "kepala_keluarga")
			fams = append(fams, createSingle(t, c, kk, head))
		}
		race("add same NIK", http.StatusCreated, func(i int) response {
			return c.do(t, "POST", idPath("/api/v1/families/", fams[i])+"/members",
				map[string]any{"person": person(nikBaby, "NUR AINI", "P", "2020-02-02", "anak"), "reason": "balapan"})
		})
		if m := regexp.MustCompile(`\d{16}`).FindString(e.logs.String()); m != "" {
			t.Errorf("logs contain a 16-digit number: %s", m)
		}
	})
}

// createSingle creates a family with one head and returns its ID.
func createSingle(t *testing.T, c *client, kk string, head registry.Person) int64 {
	t.Helper()
	var v familyView
	c.do(t, "POST", "/api/v1/families", familyBody{Family: family(kk, village2, "JL. ANAK"), Members: []registry.Person{head}, Reason: "uji"}).expect(t, http.StatusCreated, &v)
	return v.Family.ID
}

// TestImportFailureLogsNoIdentifiers uploads a CSV without its header row, a
// common mistake: the first data row is read as column names. The job fails
// and tells its owner why; the server log must not receive the KK number
// and NIK that the unknown "column names" hold.
func TestImportFailureLogsNoIdentifiers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := &scenario{e: e, c: e.login(t, adminUser, adminPass)}
		job := s.startImport(t, "tanpa-judul.csv",
			"3273121506100001,32.73.12.1001,JL. GUMURUH 1,keramik,3273121205800001,AGUS SALIM,L,1980-05-12,kepala_keluarga\n")
		if job.State != "gagal" || job.Error == "" {
			t.Fatalf("headerless import: %+v", job)
		}
		if m := regexp.MustCompile(`\d{16}`).FindString(e.logs.String()); m != "" {
			t.Errorf("a failed import logs a 16-digit identifier (%s): registry.Jobs.run logs the import error, "+
				"whose unknown-column list repeats header cells verbatim", m)
		}
	})
}
