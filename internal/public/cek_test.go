package public

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/ratelimit"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/welfare"
)

const (
	tVillage = "32.01.01.2002"
	tNIK     = "3201011205800001" // WAWAN LESTARI, decile 1: receives PKH
	tNIK2    = "3201011205800002" // SITI AMINAH
	tNIK3    = "3201014703850002" // SITI AMINAH of another family
	tNIKAgus = "3201012008750001" // AGUS SALIM, ASN
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type site struct {
	t     *testing.T
	s     *Site
	h     http.Handler
	clock *clock
}

// newCheckSite is a register of three families in one village, a final
// PKH determination made by the engine, and the site in front of it with
// an easy challenge.
func newCheckSite(t *testing.T, db *store.DB, lim *Limits, loadTest bool) *site {
	t.Helper()
	ctx := context.Background()
	var rows [][]any
	for _, r := range [][2]string{{"32", "Jawa Barat"}, {"32.01", "Kabupaten Bogor"}, {"32.01.01", "Cibinong"},
		{"32.01.01.2002", "Pabuaran"}, {"32.01.01.1001", "Cibinong"}, {"33", "Jawa Tengah"}} {
		parent := any(nil)
		if i := strings.LastIndex(r[0], "."); i > 0 {
			parent = r[0][:i]
		}
		rows = append(rows, []any{r[0], r[1], int64(region.Level(r[0])), parent, true, int64(0)})
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.CopyFrom(ctx, "regions", []string{"code", "name", "level", "parent", "active", "updated_at"}, rows)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	reg := registry.New(db)
	e := registry.Edit{Actor: "tes", Reason: "tes"}
	fams := []struct {
		kk      string
		members []registry.Person
	}{
		{"3201011506100001", []registry.Person{{NIK: tNIK, Name: "WAWAN LESTARI", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"},
			{NIK: tNIK2, Name: "SITI AMINAH", Sex: "P", BirthDate: "1985-03-07", Relation: "istri"},
			{NIK: "3201010303100001", Name: "BAYU", Sex: "L", BirthDate: "2020-03-03", Relation: "anak"}}},
		{"3201011506100002", []registry.Person{{NIK: tNIKAgus, Name: "AGUS SALIM", Sex: "L", BirthDate: "1975-08-20", Relation: "kepala_keluarga", Occupation: "asn"},
			{NIK: tNIK3, Name: "SITI AMINAH", Sex: "P", BirthDate: "1985-03-07", Relation: "istri"}}},
	}
	var ids []int64
	for _, f := range fams {
		fam, _, err := reg.CreateFamily(ctx, e, registry.Family{KK: f.kk, VillageCode: tVillage}, f.members)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, fam.ID)
	}
	if err := welfare.EnsureDefault(ctx, db); err != nil {
		t.Fatal(err)
	}
	now := store.Micros(store.Now())
	if err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO welfare_runs (id, model_version, by_province, state, data_as_of, started_at, finished_at, started_by, families)
			VALUES (1, $1, FALSE, 'selesai', $2, $2, $2, 'tes', 2)`, welfare.DefaultModel().Version, now); err != nil {
			return err
		}
		for i, id := range ids {
			if _, err := tx.Exec(ctx, `INSERT INTO welfare_scores (run_id, family_id, family_version, province, score, decile, contributions)
				VALUES (1, $1, 1, '32', $2, $3, '[]')`, id, float64(i+1), i+1); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := program.NewStore(db).InstallDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	runner := jobs.New(db, jobs.Options{ID: "tes", Lease: 2 * time.Second, Poll: 20 * time.Millisecond,
		ProgressEvery: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	determination.RegisterJob(runner, db)
	dsvc := determination.New(db, runner)
	by := func(u string) context.Context {
		return authz.With(ctx, authz.Principal{Username: u, Role: authz.Program})
	}
	st, err := dsvc.Start(by("pembuat"), []determination.Spec{{Program: "PKH", Period: "2026-Q1"}})
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if in, err := runner.RunNow(rctx, st.JobID); err != nil || in.State != jobs.Done {
		t.Fatalf("job: %+v %v", in, err)
	}
	if _, err := dsvc.Approve(by("pemeriksa"), st.Determinations[0].ID); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	s := New(Deps{DB: db, Regions: region.Store{DB: db}, Now: c.now, Difficulty: 8, Limits: lim, LoadTest: loadTest})
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		mux.HandleFunc(rt.Method+" "+rt.Pattern, rt.Handler)
	}
	// As the server does: the request's ID and the client's address in the context.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(audit.WithRequest(r.Context(), "rtes", httpx.TrustedProxies(nil).ClientAddr(r))))
	})
	return &site{t: t, s: s, h: h, clock: c}
}

func (x *site) do(req *http.Request, from string) *httptest.ResponseRecorder {
	if from == "" {
		from = "198.51.100.1"
	}
	req.RemoteAddr = from + ":4000"
	rec := httptest.NewRecorder()
	x.h.ServeHTTP(rec, req)
	return rec
}

func (x *site) post(v url.Values, from string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/cek-bansos", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return x.do(req, from)
}

func (x *site) api(body any, from string) *httptest.ResponseRecorder {
	b, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", "/api/v1/publik/cek", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	return x.do(req, from)
}

// token returns a fresh challenge and a nonce that solves it.
func (x *site) token() (string, string) {
	tok := x.s.ch.issue().Challenge
	return tok, solveFor(tok, x.s.ch.difficulty)
}

func solveFor(tok string, bits int) string {
	for n := 0; ; n++ {
		if leadingZeroBits(tok, strconv.Itoa(n)) >= bits {
			return strconv.Itoa(n)
		}
	}
}

func nikForm(n string, tok, nonce string) url.Values {
	return url.Values{"cara": {"nik"}, "nik": {n}, "tantangan": {tok}, "nonce": {nonce}}
}

// The answer page shows the masked name, the decile and the program, and
// never the full name or NIK.
func TestCheckPageByNIK(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newCheckSite(t, db, nil, false)
		form := x.do(httptest.NewRequest("GET", "/cek-bansos", nil), "")
		page := form.Body.String()
		if form.Code != 200 || !strings.Contains(page, `name="tantangan" value="c1.`) || !strings.Contains(page, "Jawa Barat") ||
			!strings.Contains(page, staticURL("publik.js")) || strings.Contains(page, "<script>") || len(page) > 100<<10 {
			t.Fatalf("form: %d %d bytes\n%s", form.Code, len(page), page)
		}
		tok, nonce := x.token()
		res := x.post(nikForm(tNIK, tok, nonce), "")
		page = res.Body.String()
		if res.Code != 200 || !strings.Contains(page, "W***N L*****I") || !strings.Contains(page, "Desil 1 dari 10") ||
			!strings.Contains(page, "Program Keluarga Harapan") || !strings.Contains(page, "Menerima") {
			t.Fatalf("answer: %d\n%s", res.Code, page)
		}
		// The period and its dates in words, no ISO codes or dates.
		if !strings.Contains(page, "Triwulan 1 2026") || !strings.Contains(page, "1 Januari 2026 s.d. 31 Maret 2026") ||
			strings.Contains(page, "2026-Q1") || strings.Contains(page, "2026-03-31") {
			t.Errorf("answer: the period is not in words:\n%s", page)
		}
		if strings.Contains(page, tNIK) || strings.Contains(page, "WAWAN") || strings.Contains(page, "LESTARI") || len(page) > 100<<10 {
			t.Fatalf("the answer shows the NIK or the name:\n%s", page)
		}
		if res.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", res.Header().Get("Cache-Control"))
		}
		// Agus is excluded by his occupation; in English.
		tok, nonce = x.token()
		req := httptest.NewRequest("POST", "/cek-bansos", strings.NewReader(nikForm(tNIKAgus, tok, nonce).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: LangCookie, Value: "en"})
		page = x.do(req, "").Body.String()
		if !strings.Contains(page, "A**S S***M") || !strings.Contains(page, "Not receiving") || !strings.Contains(page, "excluded occupation") {
			t.Fatalf("excluded, in English:\n%s", page)
		}
		if !strings.Contains(page, "Quarter 1 2026") || !strings.Contains(page, "1 January 2026 to 31 March 2026") {
			t.Errorf("in English, the period is not in English words:\n%s", page)
		}
		// Not in the register: how to be proposed.
		tok, nonce = x.token()
		page = x.post(nikForm("3201011205800099", tok, nonce), "").Body.String()
		if !strings.Contains(page, "Musdes") {
			t.Fatalf("not registered:\n%s", page)
		}
	})
}

// Without script the region form goes step by step; the check waits out
// the no-script delay.
func TestCheckPageByRegionSteps(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newCheckSite(t, db, nil, false)
		tok := x.s.ch.issue().Challenge
		step := func(v url.Values) string {
			v.Set("cara", "nama")
			v.Set("tantangan", tok)
			res := x.post(v, "")
			if res.Code != 200 {
				t.Fatalf("step %v: %d\n%s", v, res.Code, res.Body.String())
			}
			return res.Body.String()
		}
		page := step(url.Values{"provinsi": {"32"}, "nama": {"Wawan Lestari"}})
		if !strings.Contains(page, `<option value="32.01">Kabupaten Bogor</option>`) || !strings.Contains(page, `value="Wawan Lestari"`) ||
			!strings.Contains(page, "Lanjutkan") || !strings.Contains(page, tok) {
			t.Fatalf("regencies:\n%s", page)
		}
		page = step(url.Values{"provinsi": {"32"}, "kabupaten": {"32.01"}, "nama": {"Wawan Lestari"}})
		if !strings.Contains(page, `<option value="32.01.01">Cibinong</option>`) {
			t.Fatalf("districts:\n%s", page)
		}
		// A regency of another province (a stale choice) is dropped.
		page = step(url.Values{"provinsi": {"33"}, "kabupaten": {"32.01"}, "kecamatan": {"32.01.01"}})
		if strings.Contains(page, "Cibinong") && strings.Contains(page, `value="32.01.01" selected`) {
			t.Fatalf("stale choices kept:\n%s", page)
		}
		page = step(url.Values{"provinsi": {"32"}, "kabupaten": {"32.01"}, "kecamatan": {"32.01.01"}, "nama": {"Wawan Lestari"}})
		if !strings.Contains(page, `<option value="32.01.01.2002">Pabuaran</option>`) {
			t.Fatalf("villages:\n%s", page)
		}
		full := url.Values{"cara": {"nama"}, "tantangan": {tok}, "provinsi": {"32"}, "kabupaten": {"32.01"}, "kecamatan": {"32.01.01"},
			"wilayah": {tVillage}, "nama": {"wawan lestari"}}
		// Too early without a nonce: wait, and the form keeps the token.
		res := x.post(full, "")
		if res.Code != http.StatusTooManyRequests || res.Header().Get("Retry-After") == "" || !strings.Contains(res.Body.String(), tok) ||
			!strings.Contains(res.Body.String(), "detik") {
			t.Fatalf("too early: %d %v\n%s", res.Code, res.Header(), res.Body.String())
		}
		x.clock.add(NoScriptWait)
		res = x.post(full, "")
		if res.Code != 200 || !strings.Contains(res.Body.String(), "W***N L*****I") {
			t.Fatalf("after the wait: %d\n%s", res.Code, res.Body.String())
		}
		// The same token again: refused, and a new form to send.
		res = x.post(full, "")
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), "sudah dipakai") || strings.Contains(res.Body.String(), tok) {
			t.Fatalf("replay: %d\n%s", res.Code, res.Body.String())
		}
		// Two families with a member of that name: ask for the NIK, list nobody.
		tok2, nonce := x.token()
		full.Set("nama", "Siti Aminah")
		full.Set("tantangan", tok2)
		full.Set("nonce", nonce)
		res = x.post(full, "")
		if res.Code != 200 || !strings.Contains(res.Body.String(), "Periksa dengan NIK") || strings.Contains(res.Body.String(), "S**I") {
			t.Fatalf("ambiguous: %d\n%s", res.Code, res.Body.String())
		}
	})
}

// Bogus, tampered, replayed and expired challenges are refused.
func TestChallengeRefusals(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newCheckSite(t, db, nil, false)
		tok, nonce := x.token()
		parts := strings.Split(tok, ".")
		tampered := strings.Join([]string{parts[0], parts[1], "1", parts[3], parts[4]}, ".") // difficulty lowered
		other := newChallenger(nil, 8, x.clock.now).issue().Challenge                        // another key
		for _, c := range []struct {
			name, tok, nonce string
			status           int
		}{
			{"missing", "", "", 422},
			{"garbage", "bukan-tantangan", "1", 422},
			{"tampered", tampered, solveFor(tampered, 1), 422},
			{"foreign key", other, solveFor(other, 8), 422},
			{"wrong nonce", tok, wrongNonce(tok, 8), 422},
			{"long nonce", tok, strings.Repeat("1", 21), 422},
			{"too early", tok, "", 429},
		} {
			res := x.api(map[string]string{"nik": tNIK, "tantangan": c.tok, "nonce": c.nonce}, "")
			if res.Code != c.status || !strings.Contains(res.Body.String(), `"field":"tantangan"`) {
				t.Errorf("%s: %d %s", c.name, res.Code, res.Body.String())
			}
		}
		// None of those spent the token.
		if res := x.api(map[string]string{"nik": tNIK, "tantangan": tok, "nonce": nonce}, ""); res.Code != 200 || !strings.Contains(res.Body.String(), `"masked_name":"W***N L*****I"`) {
			t.Fatalf("solved: %d %s", res.Code, res.Body.String())
		}
		if res := x.api(map[string]string{"nik": tNIK, "tantangan": tok, "nonce": nonce}, "198.51.100.2"); res.Code != 422 || !strings.Contains(res.Body.String(), "sudah dipakai") {
			t.Fatalf("replayed: %d %s", res.Code, res.Body.String())
		}
		tok, nonce = x.token()
		x.clock.add(ChallengeTTL)
		if res := x.api(map[string]string{"nik": tNIK, "tantangan": tok, "nonce": nonce}, ""); res.Code != 422 || !strings.Contains(res.Body.String(), "terlalu lama") {
			t.Fatalf("expired: %d %s", res.Code, res.Body.String())
		}
		// The challenge endpoint.
		res := x.do(httptest.NewRequest("GET", "/api/v1/publik/tantangan", nil), "")
		var iss Issued
		if err := json.Unmarshal(res.Body.Bytes(), &iss); err != nil || iss.Difficulty != 8 || !strings.HasPrefix(iss.Challenge, "c1.") || iss.WaitSeconds != 8 {
			t.Fatalf("issue: %s %v", res.Body.String(), err)
		}
		if res := x.api(map[string]string{"nik": tNIK, "tantangan": iss.Challenge, "nonce": solveFor(iss.Challenge, iss.Difficulty)}, ""); res.Code != 200 {
			t.Fatalf("issued token: %d %s", res.Code, res.Body.String())
		}
	})
}

func wrongNonce(tok string, bits int) string {
	for n := 0; ; n++ {
		if leadingZeroBits(tok, strconv.Itoa(n)) < bits {
			return strconv.Itoa(n)
		}
	}
}

// A flood from one address, and a flood against one NIK from many
// addresses, are refused with Retry-After; others go on.
func TestFloods(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newCheckSite(t, db, &Limits{PerAddress: 0.1, AddressBurst: 3, PerIdentifier: 0.01, IdentBurst: 2, MaxKeys: 1000}, false)
		check := func(n, from string) *httptest.ResponseRecorder {
			tok, nonce := x.token()
			return x.api(map[string]string{"nik": n, "tantangan": tok, "nonce": nonce}, from)
		}
		// One address: 3 checks of different people, then refused.
		for i, n := range []string{tNIK, tNIK2, tNIKAgus} {
			if res := check(n, "203.0.113.1"); res.Code != 200 {
				t.Fatalf("check %d: %d %s", i, res.Code, res.Body.String())
			}
		}
		res := check(tNIK3, "203.0.113.1")
		if res.Code != 429 || res.Header().Get("Retry-After") == "" || !strings.Contains(res.Body.String(), "alamat jaringan") {
			t.Fatalf("address flood: %d %v %s", res.Code, res.Header(), res.Body.String())
		}
		if res := check(tNIK3, "203.0.113.2"); res.Code != 200 {
			t.Fatalf("another address: %d %s", res.Code, res.Body.String())
		}
		// One NIK from many addresses: tNIK was checked once, so one more, then refused.
		if res := check(tNIK, "203.0.113.3"); res.Code != 200 {
			t.Fatalf("second check of the NIK: %d %s", res.Code, res.Body.String())
		}
		res = check(tNIK, "203.0.113.4")
		if res.Code != 429 || !strings.Contains(res.Body.String(), "terlalu sering") {
			t.Fatalf("NIK flood: %d %s", res.Code, res.Body.String())
		}
		// The same family by name is another identifier; the page refuses alike.
		tok, nonce := x.token()
		page := x.post(nikForm(tNIK, tok, nonce), "203.0.113.5")
		if page.Code != 429 || !strings.Contains(page.Body.String(), "terlalu sering") {
			t.Fatalf("NIK flood, page: %d\n%s", page.Code, page.Body.String())
		}
		// After time passes the address may check again.
		x.clock.add(10 * time.Second)
		if res := check(tNIK2, "203.0.113.1"); res.Code != 200 {
			t.Fatalf("after the wait: %d %s", res.Code, res.Body.String())
		}
	})
}

// Scripts and markup in any field are refused or escaped; bad input names the field.
func TestBadInputAPIAndPage(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newCheckSite(t, db, nil, false)
		const xss = `<script>alert(1)</script>`
		for _, c := range []struct {
			body  map[string]string
			field string
		}{
			{map[string]string{"nik": xss}, "nik"},
			{map[string]string{"nik": "12345"}, "nik"},
			{map[string]string{"wilayah": tVillage, "nama": xss}, "nama"},
			{map[string]string{"wilayah": tVillage, "nama": "W"}, "nama"},
			{map[string]string{"wilayah": tVillage, "nama": strings.Repeat("Wawan ", 200)}, "nama"},
			{map[string]string{"wilayah": `"><img src=x onerror=alert(1)>`, "nama": "Wawan"}, "wilayah"},
			{map[string]string{"wilayah": "32.01.01.2999", "nama": "Wawan Lestari"}, "wilayah"},
		} {
			tok, nonce := x.token()
			c.body["tantangan"], c.body["nonce"] = tok, nonce
			res := x.api(c.body, "")
			if res.Code != 422 || !strings.Contains(res.Body.String(), `"field":"`+c.field+`"`) || strings.Contains(res.Body.String(), "<script") ||
				strings.Contains(res.Body.String(), "<img") {
				t.Errorf("%v: %d %s", c.body, res.Code, res.Body.String())
			}
		}
		// Unknown fields, a body that is not JSON, another content type.
		for _, c := range []struct {
			body, ctype string
			status      int
		}{
			{`{"nik":"` + tNIK + `","alamat":"x"}`, "application/json", 422},
			{`{"nik":`, "application/json", 422},
			{`nik=` + tNIK, "application/x-www-form-urlencoded", 415},
		} {
			req := httptest.NewRequest("POST", "/api/v1/publik/cek", strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.ctype)
			if res := x.do(req, ""); res.Code != c.status || strings.Contains(res.Body.String(), tNIK) {
				t.Errorf("%s %s: %d %s", c.ctype, c.body, res.Code, res.Body.String())
			}
		}
		// The page: the name is kept in the form, escaped.
		tok, nonce := x.token()
		res := x.post(url.Values{"cara": {"nama"}, "provinsi": {"32"}, "kabupaten": {"32.01"}, "kecamatan": {"32.01.01"}, "wilayah": {tVillage},
			"nama": {xss}, "tantangan": {tok}, "nonce": {nonce}}, "")
		page := res.Body.String()
		if res.Code != 422 || strings.Contains(page, xss) || !strings.Contains(page, "&lt;script&gt;") || !strings.Contains(page, "Nama: nama hanya boleh") {
			t.Fatalf("markup in the name: %d\n%s", res.Code, page)
		}
		// A region code with markup is dropped from the chain.
		res = x.post(url.Values{"cara": {"nama"}, "provinsi": {`32"><b>`}, "tantangan": {tok}}, "")
		if res.Code != 200 || strings.Contains(res.Body.String(), `"><b>`) || !strings.Contains(res.Body.String(), "Wilayah tidak dikenal") {
			t.Fatalf("markup in the province: %d\n%s", res.Code, res.Body.String())
		}
		// A well-formed province that does not exist.
		res = x.post(url.Values{"cara": {"nama"}, "provinsi": {"35"}, "tantangan": {tok}}, "")
		if res.Code != 200 || !strings.Contains(res.Body.String(), "Wilayah tidak dikenal") {
			t.Fatalf("unknown province: %d\n%s", res.Code, res.Body.String())
		}
		// Region lists: bad parent refused, good one served.
		if res := x.do(httptest.NewRequest("GET", "/api/v1/publik/wilayah?induk=%3Cb%3E", nil), ""); res.Code != 422 {
			t.Errorf("bad parent: %d", res.Code)
		}
		if res := x.do(httptest.NewRequest("GET", "/api/v1/publik/wilayah?induk=32.01.01", nil), ""); res.Code != 200 ||
			res.Body.String() != `{"regions":[{"code":"32.01.01.1001","name":"Cibinong"},{"code":"32.01.01.2002","name":"Pabuaran"}]}`+"\n" {
			t.Errorf("villages: %d %s", res.Code, res.Body.String())
		}
	})
}

// The load-test setting turns the challenge and the limits off.
func TestLoadTestSetting(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newCheckSite(t, db, &Limits{PerAddress: 0.001, AddressBurst: 1, PerIdentifier: 0.001, IdentBurst: 1, MaxKeys: 100}, true)
		for i := 0; i < 5; i++ {
			if res := x.api(map[string]string{"nik": tNIK}, ""); res.Code != 200 || !strings.Contains(res.Body.String(), `"result":"found"`) {
				t.Fatalf("check %d: %d %s", i, res.Code, res.Body.String())
			}
		}
		if res := x.api(map[string]string{"wilayah": tVillage, "nama": "Agus Salim"}, ""); res.Code != 200 || !strings.Contains(res.Body.String(), `"masked_name":"A**S S***M"`) {
			t.Fatalf("by name: %d %s", res.Code, res.Body.String())
		}
	})
}

// The limiters hold at most MaxKeys keys, however many are seen.
func TestLimiterMemoryBounded(t *testing.T) {
	k := ratelimit.New(1, 1, 3200)
	now := time.Now()
	for i := 0; i < 50_000; i++ {
		k.Reserve(fmt.Sprintf("a:%d", i), now)
	}
	if n := k.Size(); n > 3200 {
		t.Fatalf("%d keys held", n)
	}
	// A key in use keeps its bucket.
	if ok, _ := k.Reserve("a:49999", now); ok {
		t.Fatal("a recent key's bucket was forgotten")
	}
}

// Spent tokens are forgotten only once expired.
func TestUsedTokens(t *testing.T) {
	var u usedTokens
	now := time.Now()
	id := [12]byte{1}
	if !u.add(id, now.Add(ChallengeTTL), now) || u.add(id, now.Add(ChallengeTTL), now.Add(time.Second)) {
		t.Fatal("first use refused or second accepted")
	}
	// A generation later the token is still remembered.
	if u.add(id, now.Add(ChallengeTTL), now.Add(usedGeneration)) {
		t.Fatal("forgotten after one generation")
	}
	other := [12]byte{2}
	for i := 0; i < 5; i++ {
		u.add(other, now, now.Add(time.Duration(i)*usedGeneration))
	}
	if len(u.cur)+len(u.prev) > 2 {
		t.Fatalf("old generations kept: %d", len(u.cur)+len(u.prev))
	}
}
