package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/welfare"
)

// The scope matrix: for every route of the API and the back office and
// every role, a user bound to a region that holds village A but not
// village B asks for an object of A and one of B. Without the route's
// action the answer is 403; with it, A's object is served and B's is
// refused (404 or 403), and no answer ever carries anything of B: names,
// NIK and KK numbers (full or masked), the address, the village's code.
// Lists, searches, counts, exports, the audit trail and error messages are
// scanned whole. No answer but a reveal, an export or an import's own
// report carries a full NIK or KK number. At the end B's records are as
// they were. National roles cannot be bound elsewhere: for them B's
// object must be served (which proves the probe names a real object) and
// nothing that would change B is sent.
//
// A route with no case here fails the test: a new route needs a case, or
// an entry in mxUntestable saying why it cannot have one.

// Village A is Rancaekek Wetan (Kabupaten Bandung, Jawa Barat); village B
// is Masabewa (Sikka, Nusa Tenggara Timur): another district and province.
const (
	mxVillageA = "32.04.28.2001"
	mxVillageB = "53.07.01.2001"
	mxKKA      = "3204281506100011"
	mxNIKA     = "3204281205800011" // AHMAD FAUZI
	mxNIKA2    = "3204284703850011" // SITI RAHMAH
	mxKKB      = "5307011506100001"
	mxNIKB     = "5307011205800001" // AHMAD WOLOR
	mxNIKB2    = "5307014703850001" // MARIA NONA
	mxPass     = "kata-sandi-matriks-1"
	mxUserB    = "operator-b"
)

// mxUntestable lists the routes the matrix does not exercise, and why.
var mxUntestable = map[string]string{
	"POST /api/v1/auth/login":      "signing in is how this test starts; refusals are in accounts_test.go",
	"POST /api/v1/auth/logout":     "ends the caller's session; accounts_test.go",
	"POST /api/v1/auth/logout-all": "ends every session of the caller; accounts_test.go",
	"POST /masuk":                  "signing in through the form; web tests and accounts_test.go",
	"POST /keluar":                 "ends the caller's session; web tests",
	"POST /warga/daftar":           "a citizen's registration form: rate-limited per address; the citizen service's and API tests cover it",
	"POST /warga/masuk":            "a citizen signing in through the form; auth and citizen tests",
	"POST /warga/keluar":           "ends the caller's session",
	"POST /warga/akun/foto":        "new photos for the caller's own rejected account; the citizen service's tests",
	"POST /keluar-semua":           "ends every session of the caller; web tests",
	"POST /pengaduan":              "public filing form (multipart, proof-of-work challenge, rate-limited per address); internal/complaint/publicweb tests",
	"POST /pengaduan/wbs":          "public whistleblowing form (same challenge); internal/complaint/publicweb tests",
	"POST /pengaduan/tambah":       "public addition to a case by its code and secret; internal/complaint/publicweb tests",
}

type mxPrincipal struct {
	role            authz.Role
	region          string
	user            string
	session, csrf   string // none for machine roles
	bearer          string
	seesB           bool // bound to the nation: B is inside
	machine         bool
	ownJob, ownWebJ string // an import of this user's, for the job routes
}

type mxReq struct {
	method, path string
	body         []byte
	ctype        string
}

func mxJSON(method, path string, v any) mxReq {
	if v == nil {
		return mxReq{method: method, path: path}
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return mxReq{method: method, path: path, body: b, ctype: "application/json"}
}

func mxGet(path string) mxReq { return mxReq{method: "GET", path: path} }

func mxForm(path string, v url.Values) mxReq {
	return mxReq{method: "POST", path: path, body: []byte(v.Encode()), ctype: "application/x-www-form-urlencoded"}
}

func mxFile(path, field, name, content string, fields map[string]string) mxReq {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile(field, name)
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	return mxReq{method: "POST", path: path, body: buf.Bytes(), ctype: mw.FormDataContentType()}
}

// mxProbe is one request of a case and what its answer must be.
type mxProbe struct {
	req mxReq
	// want lists the statuses accepted: by default any 2xx or 3xx for an
	// object of A, 403 or 404 for one of B.
	want []int
	// seenWant is what a principal whose scope holds B must get for B's
	// object (default any 2xx or 3xx).
	seenWant []int
	// mutates marks a probe of B that would change B if it were let
	// through: principals whose scope holds B do not send it.
	mutates bool
	// contains must be in the answer (inside probes).
	contains []string
	// echo lists what of B the request itself carries, which the answer
	// may repeat.
	echo []string
}

type mxBuild func(x *mx, p *mxPrincipal) mxProbe

type mxCase struct {
	inside  mxBuild
	outside []mxBuild
	// why there is no object of B to ask for.
	why string
	// fullNumbers: the answer may carry full NIK and KK numbers.
	fullNumbers bool
	// reference: public reference data (region codes and names), scanned
	// for personal data of B only.
	reference bool
}

// mx is the world of the matrix: a server, villages A and B with their
// families and accounts, and one principal per role.
type mx struct {
	*acct
	t          *testing.T
	famA, famB registry.Family
	perA, perB registry.Person
	userA      int64 // an account in A, managed by the managers of A
	userB      int64 // an account in B
	tokenB     int64 // a token of userB's
	jobOther   string
	detID      int64 // a draft determination covering A and B
	simID      int64 // a simulation covering A and B
	citA, citB int64 // waiting citizens' accounts of A and B (matrix_warga_test.go)
	seq        int
	principals []*mxPrincipal
	// personal are B's personal data; codes are B's region codes.
	personal, codes []string
	full            []string // every full number of A and B
	cmp             *mxComplaints
}

func newMx(t *testing.T, db *store.DB) *mx {
	t.Helper()
	x := &mx{acct: newAcct(t, db), t: t, seq: 100}
	ctx := context.Background()
	edit := registry.Edit{Actor: "test:matriks", Reason: "data awal"}
	var err error
	var ma, mb []registry.Person
	x.famA, ma, err = x.reg.CreateFamily(ctx, edit, registry.Family{KK: mxKKA, VillageCode: mxVillageA, Address: "JL. RANCAEKEK 11", FloorMaterial: "tanah"},
		[]registry.Person{{NIK: mxNIKA, Name: "AHMAD FAUZI", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"},
			{NIK: mxNIKA2, Name: "SITI RAHMAH", Sex: "P", BirthDate: "1985-03-07", Relation: "istri"}})
	if err != nil {
		t.Fatal(err)
	}
	x.famB, mb, err = x.reg.CreateFamily(ctx, edit, registry.Family{KK: mxKKB, VillageCode: mxVillageB, Address: "JL. MAUMERE 7", FloorMaterial: "semen"},
		[]registry.Person{{NIK: mxNIKB, Name: "AHMAD WOLOR", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"},
			{NIK: mxNIKB2, Name: "MARIA NONA", Sex: "P", BirthDate: "1985-03-07", Relation: "istri"}})
	if err != nil {
		t.Fatal(err)
	}
	x.perA, x.perB = ma[0], mb[0]
	if _, err := welfare.Rank(ctx, db, welfare.Options{TempDir: t.TempDir()}, nil); err != nil {
		t.Fatal(err)
	}
	// A determination, made as the server's job runner would.
	if _, err := program.NewStore(db).InstallDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := determination.New(db, nil).Start(ctx, []determination.Spec{{Program: "BPNT", Period: "2026-B1"}})
	if err != nil {
		t.Fatal(err)
	}
	runner := jobs.New(db, jobs.Options{Poll: 20 * time.Millisecond})
	determination.RegisterJob(runner, db)
	if in, err := runner.RunNow(ctx, st.JobID); err != nil || in.State != jobs.Done {
		t.Fatalf("determination job: %+v %v", in, err)
	}
	x.detID = st.Determinations[0].ID
	doc, err := program.ParseDocument([]byte(`{"program": "BPNT", "name": "uji", "effective_from": "2026-01-01", "unit": "family", "decile_max": 1,
		"benefit": {"kind": "flat", "amounts": [{"code": "sembako", "label": "Saldo pangan", "monthly": 300000}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := determination.New(db, nil).Simulate(ctx, determination.Spec{Program: "BPNT", Period: "2026-B1"}, doc)
	if err != nil {
		t.Fatal(err)
	}
	if in, err := runner.RunNow(ctx, sim.JobID); err != nil || in.State != jobs.Done {
		t.Fatalf("simulation job: %+v %v", in, err)
	}
	x.simID = sim.Determinations[0].ID
	x.personal = []string{"AHMAD WOLOR", "MARIA NONA", "JL. MAUMERE 7", mxKKB, mxNIKB, mxNIKB2, nik.Mask(mxKKB), nik.Mask(mxNIKB2), mxUserB}
	x.codes = []string{mxVillageB, "53.07.01"}
	x.full = []string{mxKKA, mxNIKA, mxNIKA2, mxKKB, mxNIKB, mxNIKB2}
	x.cmp = newMxComplaints(t, x)

	ua, err := x.auth.CreateUser(ctx, "warga-a", mxPass, "desa", mxVillageA)
	if err != nil {
		t.Fatal(err)
	}
	ub, err := x.auth.CreateUser(ctx, mxUserB, mxPass, "desa", mxVillageB)
	if err != nil {
		t.Fatal(err)
	}
	x.userA, x.userB = ua.ID, ub.ID
	plainB, tb, err := x.auth.CreateToken(ctx, ub.ID, "skrip-b", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	x.tokenB = tb.ID
	// An import of B's operator: a job nobody else may see.
	opB := &mxPrincipal{role: authz.Village, region: mxVillageB, user: mxUserB, bearer: plainB}
	r := x.send(t, opB, "token", mxFile("/api/v1/imports", "file", "b.csv", mxCSV(mxVillageB, "5307011506109001", "5307011205809001", "YOSEF B"), nil))
	if x.jobOther = x.settle(t, opB, "token", r); x.jobOther == "" {
		t.Fatalf("import of B: %d %s", r.Status, r.Body)
	}

	// One principal per role, bound to a region holding A but not B where the role allows.
	bind := map[authz.Role]string{authz.Province: "32", authz.District: "32.04", authz.Village: mxVillageA,
		authz.SocialWorker: "32.04.28", authz.Inspectorate: "32", authz.CommandCenter: "32.04", authz.Bank: "32",
		authz.EWarong: mxVillageA, authz.Citizen: mxVillageA}
	for _, ri := range authz.Roles {
		p := &mxPrincipal{role: ri.Role, region: bind[ri.Role], machine: ri.Machine, user: "mx-" + string(ri.Role)}
		if ri.Role == authz.Admin {
			p.user = adminUser
		} else {
			pass := mxPass
			if ri.Machine {
				pass = ""
			}
			if _, err := x.auth.CreateUser(ctx, p.user, pass, string(ri.Role), p.region); err != nil {
				t.Fatalf("%s: %v", ri.Role, err)
			}
		}
		p.seesB = authz.Contains(p.region, mxVillageB)
		if !p.machine {
			pass := mxPass
			if ri.Role == authz.Admin {
				pass = adminPass
			}
			p.session, p.csrf = x.signIn(t, p.user, pass, "")
		}
		u, err := x.auth.UserByName(ctx, p.user)
		if err != nil {
			t.Fatal(err)
		}
		if p.bearer, _, err = x.auth.CreateToken(ctx, u.ID, "matriks", 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		x.principals = append(x.principals, p)
	}
	x.wargaSetup(t)
	return x
}

func (x *mx) principal(r authz.Role) *mxPrincipal {
	for _, p := range x.principals {
		if p.role == r {
			return p
		}
	}
	panic("no principal " + r)
}

// send sends a request as p, with the session and CSRF token ("sesi") or
// the bearer token ("token").
func (x *mx) send(t *testing.T, p *mxPrincipal, mode string, q mxReq) response {
	t.Helper()
	var rd io.Reader
	if q.body != nil {
		rd = bytes.NewReader(q.body)
	}
	req, err := http.NewRequest(q.method, x.ts.URL+q.path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if q.ctype != "" {
		req.Header.Set("Content-Type", q.ctype)
	}
	if mode == "sesi" {
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: p.session})
		if isUnsafe(q.method) {
			req.Header.Set("X-CSRF-Token", p.csrf)
		}
	} else {
		req.Header.Set("Authorization", "Bearer "+p.bearer)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// settle waits for the import an answer started, if any, and returns its ID.
func (x *mx) settle(t *testing.T, p *mxPrincipal, mode string, r response) string {
	t.Helper()
	loc := r.Header.Get("Location")
	var id string
	switch {
	case strings.HasPrefix(loc, "/api/v1/imports/"):
		id = strings.TrimPrefix(loc, "/api/v1/imports/")
	case strings.HasPrefix(loc, "/impor/"):
		id = strings.TrimPrefix(loc, "/impor/")
	default:
		return ""
	}
	if p.machine {
		mode = "token"
	}
	for range 500 {
		s := x.send(t, p, mode, mxGet("/api/v1/imports/"+id))
		var job registry.ImportJob
		if s.Status != http.StatusOK || json.Unmarshal(s.Body, &job) != nil {
			t.Fatalf("import %s: %d %s", id, s.Status, s.Body)
		}
		if job.Finished != nil {
			return id
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("import %s did not finish", id)
	return ""
}

// next returns a fresh serial for new identifiers and names.
func (x *mx) next() int {
	x.seq++
	return x.seq
}

// freshFamily registers a new family in A (nationally, as the command
// line would), for a probe that changes it.
func (x *mx) freshFamily() (registry.Family, registry.Person) {
	n := x.next()
	f, m, err := x.reg.CreateFamily(context.Background(), registry.Edit{Actor: "test:matriks", Reason: "uji"},
		registry.Family{KK: fmt.Sprintf("320428150610%04d", n), VillageCode: mxVillageA, Address: "JL. UJI " + strconv.Itoa(n)},
		[]registry.Person{{NIK: fmt.Sprintf("320428120580%04d", n), Name: "KEPALA UJI", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"}})
	if err != nil {
		x.t.Fatal(err)
	}
	return f, m[0]
}

func (x *mx) freshUser() int64 {
	u, err := x.auth.CreateUser(context.Background(), fmt.Sprintf("sementara-%d", x.next()), mxPass, "desa", mxVillageA)
	if err != nil {
		x.t.Fatal(err)
	}
	return u.ID
}

func (x *mx) freshToken() int64 {
	_, tk, err := x.auth.CreateToken(context.Background(), x.userA, fmt.Sprintf("sementara-%d", x.next()), time.Hour)
	if err != nil {
		x.t.Fatal(err)
	}
	return tk.ID
}

// mxCSV is an import file of one family, plus a row with a broken NIK so
// that the import has a report.
func mxCSV(village, kk, nikHead, name string) string {
	return "no_kk,kode_wilayah,alamat,nik,nama,jenis_kelamin,tanggal_lahir,hubungan\n" +
		kk + "," + village + ",JL. IMPOR," + nikHead + "," + name + ",L,1980-05-12,kepala_keluarga\n" +
		"3204281506108999," + mxVillageA + ",JL. RUSAK,32042812058A8999,BARIS RUSAK,L,1980-05-12,kepala_keluarga\n"
}

// job returns an import of p's own, started through the API or the back office.
func (x *mx) job(p *mxPrincipal, web bool) string {
	cached := &p.ownJob
	if web {
		cached = &p.ownWebJ
	}
	if !authz.Can(p.role, authz.RegisterImport) {
		return x.jobOther
	}
	if *cached == "" {
		n := x.next()
		csv := mxCSV(mxVillageA, fmt.Sprintf("320428150610%04d", n), fmt.Sprintf("320428120580%04d", n), "IMPOR UJI")
		mode, q := "token", mxFile("/api/v1/imports", "file", "a.csv", csv, nil)
		if web {
			mode, q = "sesi", mxFile("/impor", "berkas", "a.csv", csv, nil)
		}
		if p.machine {
			mode = "token"
		}
		*cached = x.settle(x.t, p, mode, x.send(x.t, p, mode, q))
		if *cached == "" {
			x.t.Fatalf("%s: no import started", p.role)
		}
	}
	return *cached
}

func mxID(n int64) string { return strconv.FormatInt(n, 10) }

func mxFam(path string, f registry.Family) string {
	return strings.Replace(path, "{id}", mxID(f.ID), 1)
}
func mxPer(path string, p registry.Person) string {
	return strings.Replace(path, "{id}", mxID(p.ID), 1)
}
func mxWithID(path string, n int64) string { return strings.Replace(path, "{id}", mxID(n), 1) }
func mxStatus(reason string) map[string]any {
	return map[string]any{"version": 1, "status": "ditidurkan", "status_reason": reason}
}
func mxGetB(path string) mxBuild {
	return func(*mx, *mxPrincipal) mxProbe { return mxProbe{req: mxGet(path)} }
}
func mxFixed(p mxProbe) mxBuild { return func(*mx, *mxPrincipal) mxProbe { return p } }
func mxPerson(n string, name string) registry.Person {
	return registry.Person{NIK: n, Name: name, Sex: "L", BirthDate: "2010-01-01", Relation: "anak"}
}

// mxCases maps each route to its probes.
func mxCases() map[string]mxCase {
	public := func(path string, want ...int) mxCase {
		return mxCase{inside: mxFixed(mxProbe{req: mxGet(path), want: want}), why: "public, holds no register data"}
	}
	notRegional := "not regional: the same for every region"
	return map[string]mxCase{
		"GET /healthz":             public("/healthz"),
		"GET /readyz":              public("/readyz"),
		"GET /metrics":             public("/metrics"),
		"GET /api/v1/openapi.json": public("/api/v1/openapi.json"),
		"GET /static/app.css":      public("/static/app.css"),
		"GET /bahasa":              public("/bahasa?ke=en&kembali=/"),
		"GET /masuk":               public("/masuk"),
		"GET /warga/daftar":        public("/warga/daftar"),
		"GET /warga/masuk":         public("/warga/masuk"),
		// The matrix's citizen has no citizen profile: 200 or 403; only the caller's own account.
		"GET /warga/akun":          {inside: mxFixed(mxProbe{req: mxGet("/warga/akun"), want: []int{http.StatusOK, http.StatusForbidden}}), why: "the caller's own account only"},
		"GET /warga/pemberitahuan": {inside: mxFixed(mxProbe{req: mxGet("/warga/pemberitahuan"), want: []int{http.StatusOK, http.StatusForbidden}}), why: "the caller's own notifications only"},
		"POST /warga/pemberitahuan/baca": {inside: mxFixed(mxProbe{req: mxForm("/warga/pemberitahuan/baca", url.Values{}), want: []int{http.StatusSeeOther, http.StatusForbidden}}),
			why: "the caller's own notifications only"},
		"GET /": public("/tidak-ada", http.StatusNotFound),

		// The public site (internal/public).
		"GET /publik":                  public("/publik"),
		"GET /publik/bahasa":           public("/publik/bahasa?ke=en&kembali=/publik"),
		"GET /publik/static/{file}":    public("/publik/static/publik.css"),
		"GET /cek-bansos":              public("/cek-bansos"),
		"GET /api/v1/publik/tantangan": public("/api/v1/publik/tantangan"),
		// The check is public and answers about anyone by design (no region
		// scope): B's answer is served to everyone, and must carry nothing of
		// B but the masked view (no name, NIK, KK, address or village code).
		// The matrix's server runs the public site without challenge and
		// limits (internal/public tests them).
		"POST /cek-bansos": {
			inside:  mxFixed(mxProbe{req: mxForm("/cek-bansos", url.Values{"cara": {"nik"}, "nik": {mxNIKA}}), want: []int{200}, contains: []string{"A***D F***I"}}),
			outside: []mxBuild{mxFixed(mxProbe{req: mxForm("/cek-bansos", url.Values{"cara": {"nik"}, "nik": {mxNIKB}}), want: []int{200}})},
		},
		"POST /api/v1/publik/cek": {
			inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/publik/cek", map[string]string{"nik": mxNIKA}), want: []int{200}, contains: []string{"A***D F***I"}}),
			outside: []mxBuild{mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/publik/cek", map[string]string{"wilayah": mxVillageB, "nama": "maria nona"}),
				want: []int{200}, contains: []string{"M***A N**A"}})},
		},
		"GET /api/v1/publik/wilayah": {
			inside:    mxFixed(mxProbe{req: mxGet("/api/v1/publik/wilayah?induk=32.04.28"), contains: []string{mxVillageA}}),
			outside:   []mxBuild{mxFixed(mxProbe{req: mxGet("/api/v1/publik/wilayah?induk=53.07.01"), want: []int{200}})},
			reference: true,
		},

		// Accounts and tokens.
		"GET /api/v1/users": {inside: mxGetB("/api/v1/users"), why: "the list is the scope; scanned for B's accounts"},
		"POST /api/v1/users": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", "/api/v1/users", map[string]string{"username": fmt.Sprintf("baru-%d", x.next()), "role": "desa", "region": mxVillageA})}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", "/api/v1/users", map[string]string{"username": fmt.Sprintf("baru-%d", x.next()), "role": "desa", "region": mxVillageB}),
					mutates: true, echo: []string{mxVillageB}}
			}},
		},
		"POST /api/v1/users/{id}/disable": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxWithID("/api/v1/users/{id}/disable", x.freshUser()), nil)}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxWithID("/api/v1/users/{id}/disable", x.userB), nil), mutates: true}
			}},
		},
		"GET /api/v1/users/{id}/tokens": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/users/{id}/tokens", x.userA))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/users/{id}/tokens", x.userB))}
			}},
		},
		"POST /api/v1/users/{id}/tokens": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxWithID("/api/v1/users/{id}/tokens", x.userA), map[string]string{"name": "uji", "expires": "1d"})}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxWithID("/api/v1/users/{id}/tokens", x.userB), map[string]string{"name": "uji", "expires": "1d"}), mutates: true}
			}},
		},
		"POST /api/v1/tokens/{id}/revoke": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxWithID("/api/v1/tokens/{id}/revoke", x.freshToken()), nil)}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxWithID("/api/v1/tokens/{id}/revoke", x.tokenB), nil), mutates: true}
			}},
		},
		"GET /admin/pengguna": {inside: mxGetB("/admin/pengguna"), why: "the list is the scope; scanned for B's accounts"},
		"POST /admin/pengguna": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm("/admin/pengguna", url.Values{"nama_pengguna": {fmt.Sprintf("baru-%d", x.next())}, "peran": {"desa"}, "wilayah": {mxVillageA}})}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm("/admin/pengguna", url.Values{"nama_pengguna": {fmt.Sprintf("baru-%d", x.next())}, "peran": {"desa"}, "wilayah": {mxVillageB}}),
					mutates: true, echo: []string{mxVillageB}}
			}},
		},
		"GET /admin/pengguna/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/admin/pengguna/{id}", x.userA))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/admin/pengguna/{id}", x.userB))}
			}},
		},
		"POST /admin/pengguna/{id}/nonaktifkan": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxWithID("/admin/pengguna/{id}/nonaktifkan", x.freshUser()), url.Values{})}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxWithID("/admin/pengguna/{id}/nonaktifkan", x.userB), url.Values{}), mutates: true}
			}},
		},
		"POST /admin/pengguna/{id}/token": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxWithID("/admin/pengguna/{id}/token", x.userA), url.Values{"nama_token": {"uji"}, "hari": {"1"}})}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxWithID("/admin/pengguna/{id}/token", x.userB), url.Values{"nama_token": {"uji"}, "hari": {"1"}}), mutates: true}
			}},
		},
		"POST /admin/token/{id}/cabut": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxWithID("/admin/token/{id}/cabut", x.freshToken()), url.Values{})}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxWithID("/admin/token/{id}/cabut", x.tokenB), url.Values{}), mutates: true}
			}},
		},

		// Regions: Kemendagri's codes and names are public reference data.
		"GET /api/v1/regions": {inside: mxGetB("/api/v1/regions?parent=32.04.28"), outside: []mxBuild{mxFixed(mxProbe{req: mxGet("/api/v1/regions?parent=53.07.01"), want: []int{http.StatusOK}})},
			reference: true},
		"GET /api/v1/regions/{code}": {inside: mxGetB("/api/v1/regions/" + mxVillageA), outside: []mxBuild{mxFixed(mxProbe{req: mxGet("/api/v1/regions/" + mxVillageB), want: []int{http.StatusOK}})},
			reference: true},

		// The register.
		"GET /api/v1/stats": {inside: mxGetB("/api/v1/stats"), outside: []mxBuild{mxGetB("/api/v1/stats?region=" + mxVillageB), mxGetB("/api/v1/stats?region=53")}},
		"GET /api/v1/families": {
			inside:  mxFixed(mxProbe{req: mxGet("/api/v1/families?limit=500"), contains: []string{nik.Mask(mxKKA)}}),
			outside: []mxBuild{mxGetB("/api/v1/families?region=" + mxVillageB)},
		},
		"POST /api/v1/families": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				n := x.next()
				return mxProbe{req: mxJSON("POST", "/api/v1/families", map[string]any{"reason": "baru",
					"family":  registry.Family{KK: fmt.Sprintf("320428150610%04d", n), VillageCode: mxVillageA},
					"members": []registry.Person{{NIK: fmt.Sprintf("320428120580%04d", n), Name: "KEPALA BARU", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"}}})}
			},
			outside: []mxBuild{
				func(x *mx, p *mxPrincipal) mxProbe {
					n := x.next()
					return mxProbe{req: mxJSON("POST", "/api/v1/families", map[string]any{"reason": "baru",
						"family":  registry.Family{KK: fmt.Sprintf("530701150610%04d", n), VillageCode: mxVillageB},
						"members": []registry.Person{{NIK: fmt.Sprintf("530701120580%04d", n), Name: "KEPALA B", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"}}}),
						want: []int{http.StatusUnprocessableEntity}, mutates: true, echo: []string{mxVillageB}}
				},
				// B's KK number in A: refused as taken, telling nothing else of B.
				func(x *mx, p *mxPrincipal) mxProbe {
					n := x.next()
					return mxProbe{req: mxJSON("POST", "/api/v1/families", map[string]any{"reason": "baru",
						"family":  registry.Family{KK: mxKKB, VillageCode: mxVillageA},
						"members": []registry.Person{{NIK: fmt.Sprintf("320428120580%04d", n), Name: "KEPALA BARU", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"}}}),
						want: []int{http.StatusUnprocessableEntity}, seenWant: []int{http.StatusUnprocessableEntity}, echo: []string{nik.Mask(mxKKB)}}
				},
			},
		},
		"POST /api/v1/families/lookup": {
			inside:  mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/families/lookup", map[string]string{"no_kk": mxKKA}), contains: []string{"AHMAD FAUZI"}}),
			outside: []mxBuild{mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/families/lookup", map[string]string{"no_kk": mxKKB})})},
		},
		"GET /api/v1/families/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxFam("/api/v1/families/{id}", x.famA)), contains: []string{"AHMAD FAUZI"}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxFam("/api/v1/families/{id}", x.famB))}
			}},
		},
		"PUT /api/v1/families/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				f, _ := x.freshFamily()
				f.Address = "JL. BARU"
				return mxProbe{req: mxJSON("PUT", mxFam("/api/v1/families/{id}", f), map[string]any{"family": f, "version": 1, "reason": "ubah"})}
			},
			outside: []mxBuild{
				func(x *mx, p *mxPrincipal) mxProbe {
					f := x.famB
					f.Address = "JL. DIUBAH"
					return mxProbe{req: mxJSON("PUT", mxFam("/api/v1/families/{id}", f), map[string]any{"family": f, "version": 1, "reason": "ubah"}), mutates: true}
				},
				// Moving a family of A into B.
				func(x *mx, p *mxPrincipal) mxProbe {
					f, _ := x.freshFamily()
					f.VillageCode = mxVillageB
					return mxProbe{req: mxJSON("PUT", mxFam("/api/v1/families/{id}", f), map[string]any{"family": f, "version": 1, "reason": "pindah"}),
						want: []int{http.StatusUnprocessableEntity}, mutates: true, echo: []string{mxVillageB}}
				},
			},
		},
		"POST /api/v1/families/{id}/status": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				f, _ := x.freshFamily()
				return mxProbe{req: mxJSON("POST", mxFam("/api/v1/families/{id}/status", f), mxStatus("uji"))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxFam("/api/v1/families/{id}/status", x.famB), mxStatus("uji")), mutates: true}
			}},
		},
		"GET /api/v1/families/{id}/history": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxFam("/api/v1/families/{id}/history", x.famA))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxFam("/api/v1/families/{id}/history", x.famB))}
			}},
		},
		"POST /api/v1/families/{id}/members": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				f, _ := x.freshFamily()
				return mxProbe{req: mxJSON("POST", mxFam("/api/v1/families/{id}/members", f),
					map[string]any{"reason": "lahir", "person": mxPerson(fmt.Sprintf("320428010110%04d", x.next()), "ANAK UJI")})}
			},
			outside: []mxBuild{
				func(x *mx, p *mxPrincipal) mxProbe {
					return mxProbe{req: mxJSON("POST", mxFam("/api/v1/families/{id}/members", x.famB),
						map[string]any{"reason": "lahir", "person": mxPerson(fmt.Sprintf("530701010110%04d", x.next()), "ANAK B")}), mutates: true}
				},
				// B's NIK in a family of A: refused as taken, telling nothing else of B.
				func(x *mx, p *mxPrincipal) mxProbe {
					f, _ := x.freshFamily()
					return mxProbe{req: mxJSON("POST", mxFam("/api/v1/families/{id}/members", f),
						map[string]any{"reason": "lahir", "person": registry.Person{NIK: mxNIKB, Name: "ORANG LAIN", Sex: "L", BirthDate: "1980-05-12", Relation: "anak"}}),
						want: []int{http.StatusUnprocessableEntity}, seenWant: []int{http.StatusUnprocessableEntity}, echo: []string{nik.Mask(mxNIKB)}}
				},
			},
		},
		"GET /api/v1/families/{id}/welfare": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxFam("/api/v1/families/{id}/welfare", x.famA))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxFam("/api/v1/families/{id}/welfare", x.famB))}
			}},
		},
		"GET /api/v1/welfare/models": {inside: mxGetB("/api/v1/welfare/models"), why: notRegional},
		"POST /api/v1/welfare/models": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				var doc map[string]any
				if err := json.Unmarshal(welfare.DefaultModelJSON(), &doc); err != nil {
					x.t.Fatal(err)
				}
				doc["version"] = fmt.Sprintf("uji-matriks-%d", x.next())
				b, _ := json.Marshal(doc)
				return mxProbe{req: mxReq{method: "POST", path: "/api/v1/welfare/models", body: b, ctype: "application/json"}}
			},
			why: "models rank the nation; only national users add one (welfare tests)",
		},
		"GET /api/v1/welfare/models/{version}": {inside: mxGetB("/api/v1/welfare/models/" + welfare.DefaultModel().Version), why: notRegional},
		"GET /api/v1/welfare/runs":             {inside: mxGetB("/api/v1/welfare/runs"), why: notRegional},
		"POST /api/v1/welfare/runs": {
			inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/welfare/runs", map[string]any{})}),
			why:    "a ranking covers the nation; only national users start one (welfare tests)",
		},
		"POST /api/v1/people/search": {
			inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/people/search", map[string]any{"q": "ahmad", "limit": 200}), contains: []string{"AHMAD FAUZI"}}),
			outside: []mxBuild{
				mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/people/search", map[string]any{"q": "ahmad", "region": mxVillageB}), echo: []string{mxVillageB}}),
				mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/people/search", map[string]any{"q": "wolor"}), want: []int{http.StatusOK}}),
			},
		},
		"POST /api/v1/people/lookup": {
			inside:  mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/people/lookup", map[string]string{"nik": mxNIKA}), contains: []string{"AHMAD FAUZI"}}),
			outside: []mxBuild{mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/people/lookup", map[string]string{"nik": mxNIKB})})},
		},
		"GET /api/v1/people/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxPer("/api/v1/people/{id}", x.perA)), contains: []string{"AHMAD FAUZI"}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe { return mxProbe{req: mxGet(mxPer("/api/v1/people/{id}", x.perB))} }},
		},
		"PUT /api/v1/people/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				_, h := x.freshFamily()
				h.Occupation = "petani"
				return mxProbe{req: mxJSON("PUT", mxPer("/api/v1/people/{id}", h), map[string]any{"person": h, "version": 1, "reason": "ubah"})}
			},
			outside: []mxBuild{
				func(x *mx, p *mxPrincipal) mxProbe {
					h := x.perB
					h.Occupation = "petani"
					return mxProbe{req: mxJSON("PUT", mxPer("/api/v1/people/{id}", h), map[string]any{"person": h, "version": 1, "reason": "ubah"}), mutates: true}
				},
				// Moving a person of A into B's family.
				func(x *mx, p *mxPrincipal) mxProbe {
					_, h := x.freshFamily()
					h.FamilyID = x.famB.ID
					return mxProbe{req: mxJSON("PUT", mxPer("/api/v1/people/{id}", h), map[string]any{"person": h, "version": 1, "reason": "pindah"}),
						want: []int{http.StatusUnprocessableEntity}, mutates: true}
				},
			},
		},
		"POST /api/v1/people/{id}/status": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				_, h := x.freshFamily()
				return mxProbe{req: mxJSON("POST", mxPer("/api/v1/people/{id}/status", h), mxStatus("uji"))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxPer("/api/v1/people/{id}/status", x.perB), mxStatus("uji")), mutates: true}
			}},
		},
		"GET /api/v1/people/{id}/history": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxPer("/api/v1/people/{id}/history", x.perA))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxPer("/api/v1/people/{id}/history", x.perB))}
			}},
		},
		"POST /api/v1/people/{id}/nik": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxPer("/api/v1/people/{id}/nik", x.perA), map[string]string{"reason": "verifikasi"}), contains: []string{mxNIKA}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxPer("/api/v1/people/{id}/nik", x.perB), map[string]string{"reason": "verifikasi"})}
			}},
			fullNumbers: true,
		},
		"POST /api/v1/privacy/report": {
			inside:      mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/privacy/report", map[string]string{"nik": mxNIKA}), contains: []string{"AHMAD FAUZI", mxNIKA}}),
			outside:     []mxBuild{mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/privacy/report", map[string]string{"nik": mxNIKB})})},
			fullNumbers: true, // the person's own, for them
		},
		"POST /api/v1/privacy/breach": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				day := time.Now().UTC().Format(time.DateOnly)
				return mxProbe{req: mxJSON("POST", "/api/v1/privacy/breach", map[string]string{"username": "warga-a", "from": day, "to": day})}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				day := time.Now().UTC().Format(time.DateOnly)
				return mxProbe{req: mxJSON("POST", "/api/v1/privacy/breach", map[string]string{"username": mxUserB, "from": day, "to": day})}
			}},
		},
		"POST /api/v1/imports": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				n := x.next()
				return mxProbe{req: mxFile("/api/v1/imports", "file", "a.csv", mxCSV(mxVillageA, fmt.Sprintf("320428150610%04d", n), fmt.Sprintf("320428120580%04d", n), "IMPOR A"), nil)}
			},
			// Accepted, then every family of B is refused by the import.
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				n := x.next()
				return mxProbe{req: mxFile("/api/v1/imports", "file", "b.csv", mxCSV(mxVillageB, fmt.Sprintf("530701150610%04d", n), fmt.Sprintf("530701120580%04d", n), "IMPOR B"), nil),
					want: []int{http.StatusAccepted}, mutates: true}
			}},
		},
		"GET /api/v1/imports/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe { return mxProbe{req: mxGet("/api/v1/imports/" + x.job(p, false))} },
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet("/api/v1/imports/" + x.jobOther), seenWant: []int{404}}
			}},
		},
		"GET /api/v1/imports/{id}/report": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet("/api/v1/imports/" + x.job(p, false) + "/report")}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet("/api/v1/imports/" + x.jobOther + "/report"), seenWant: []int{404}}
			}},
			fullNumbers: true, // the report quotes the uploader's own file
		},
		"GET /api/v1/export": {
			inside:      mxFixed(mxProbe{req: mxGet("/api/v1/export"), contains: []string{mxNIKA}}),
			outside:     []mxBuild{mxGetB("/api/v1/export?region=" + mxVillageB), mxGetB("/api/v1/export?region=53&format=xlsx")},
			fullNumbers: true,
		},
		"GET /api/v1/audit": {
			inside: mxFixed(mxProbe{req: mxGet("/api/v1/audit?limit=1000"), contains: []string{nik.Mask(mxKKA)}}),
			outside: []mxBuild{mxGetB("/api/v1/audit?region=" + mxVillageB),
				func(x *mx, p *mxPrincipal) mxProbe {
					return mxProbe{req: mxGet("/api/v1/audit?person=" + mxID(x.perB.ID)), want: []int{http.StatusOK}}
				}},
		},
		"GET /api/v1/audit/export": {
			inside: mxFixed(mxProbe{req: mxGet("/api/v1/audit/export"), contains: []string{nik.Mask(mxKKA)}}),
			outside: []mxBuild{mxGetB("/api/v1/audit/export?region=" + mxVillageB),
				func(x *mx, p *mxPrincipal) mxProbe {
					return mxProbe{req: mxGet("/api/v1/audit/export?person=" + mxID(x.perB.ID)), want: []int{http.StatusOK}}
				}},
		},

		// Determinations are national documents; their items, counts and
		// exports are scoped by region.
		"GET /api/v1/determinations": {inside: mxGetB("/api/v1/determinations"), why: "national documents without register data"},
		"POST /api/v1/determinations": {
			inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/determinations", map[string]any{"programs": []map[string]string{{"program": "PKH", "period": "2026-Q1"}}})}),
			why:    "a determination covers the nation: only national users run one",
		},
		"GET /api/v1/determinations/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/determinations/{id}", x.detID))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/determinations/{id}?region=53", x.detID))}
			}},
		},
		"GET /api/v1/determinations/{id}/items": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/determinations/{id}/items?limit=1000", x.detID)), contains: []string{mxVillageA}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/determinations/{id}/items?region=", x.detID) + mxVillageB)}
			}},
		},
		"GET /api/v1/determinations/{id}/diff": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/determinations/{id}/diff", x.detID))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/determinations/{id}/diff?region=", x.detID) + mxVillageB)}
			}},
		},
		"GET /api/v1/determinations/{id}/export": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/determinations/{id}/export", x.detID)), contains: []string{mxVillageA}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/determinations/{id}/export?region=", x.detID) + mxVillageB)}
			}},
		},
		// The first approval makes the draft final; later ones conflict.
		"POST /api/v1/determinations/{id}/approve": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxWithID("/api/v1/determinations/{id}/approve", x.detID), nil), want: []int{http.StatusOK, http.StatusConflict}}
			},
			why: "a determination covers the nation: only national users approve one",
		},
		"POST /api/v1/determinations/{id}/reject": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxWithID("/api/v1/determinations/{id}/reject", x.detID), map[string]string{"reason": "uji"}),
					want: []int{http.StatusOK, http.StatusConflict}}
			},
			why: "a determination covers the nation: only national users reject one",
		},
		"POST /api/v1/simulations": {
			inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/simulations", map[string]any{"program": "BPNT", "period": "2026-B1",
				"rules": map[string]any{"program": "BPNT", "name": "uji", "effective_from": "2026-01-01", "unit": "family", "decile_max": 1,
					"benefit": map[string]any{"kind": "flat", "amounts": []map[string]any{{"code": "sembako", "label": "Saldo pangan", "monthly": 300000}}}}})}),
			why: "a simulation covers the nation: only national users run one",
		},

		// Program rules are national configuration: role access only. The
		// probes change nothing (a document that does not compile, a version
		// already approved).
		"GET /api/v1/programs": {inside: mxGetB("/api/v1/programs"), why: "program rules are national configuration"},
		"POST /api/v1/programs/{program}/versions": {
			inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/programs/BPNT/versions", map[string]any{"program": "BPNT", "name": "uji",
				"effective_from": "2027-01-01", "unit": "family", "exclusions": []map[string]any{{"code": "uji", "expr": "tidak ada", "reason": "uji"}},
				"benefit": map[string]any{"kind": "flat", "amounts": []map[string]any{{"code": "sembako", "label": "Saldo pangan", "monthly": 300000}}}}),
				want: []int{http.StatusUnprocessableEntity}}),
			why: "program rules are national configuration",
		},
		"GET /api/v1/programs/{program}/versions/{version}": {inside: mxGetB("/api/v1/programs/BPNT/versions/1"), why: "program rules are national configuration"},
		"POST /api/v1/programs/{program}/versions/{version}/approve": {
			inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/programs/BPNT/versions/1/approve", nil), want: []int{http.StatusConflict}}),
			why:    "program rules are national configuration",
		},
		"POST /api/v1/programs/{program}/versions/{version}/reject": {
			inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/programs/BPNT/versions/1/reject", map[string]string{"reason": "uji"}), want: []int{http.StatusConflict}}),
			why:    "program rules are national configuration",
		},

		"GET /program":      {inside: mxGetB("/program"), why: "program rules are national configuration"},
		"GET /program/baru": {inside: mxGetB("/program/baru?program=BPNT"), why: "program rules are national configuration"},
		"POST /program/baru": {
			inside: mxFixed(mxProbe{req: mxForm("/program/baru", url.Values{"program": {"BPNT"}, "dokumen": {`{"program": "BPNT", "name": "uji"`}}),
				want: []int{http.StatusUnprocessableEntity}}),
			why: "program rules are national configuration",
		},
		"GET /program/{program}/{version}": {inside: mxGetB("/program/BPNT/1"), why: "program rules are national configuration"},
		"POST /program/{program}/{version}/setujui": {
			inside: mxFixed(mxProbe{req: mxForm("/program/BPNT/1/setujui", url.Values{}), want: []int{http.StatusConflict}}),
			why:    "program rules are national configuration",
		},
		"POST /program/{program}/{version}/tolak": {
			inside: mxFixed(mxProbe{req: mxForm("/program/BPNT/1/tolak", url.Values{"alasan": {"uji"}}), want: []int{http.StatusConflict}}),
			why:    "program rules are national configuration",
		},

		"GET /penetapan": {inside: mxGetB("/penetapan"), why: "national documents without register data"},
		"POST /penetapan": {
			inside: mxFixed(mxProbe{req: mxForm("/penetapan", url.Values{"program": {"PKH"}, "periode": {"2026-Q1"}})}),
			why:    "a determination covers the nation: only national users run one",
		},
		"GET /penetapan/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe { return mxProbe{req: mxGet(mxWithID("/penetapan/{id}", x.detID))} },
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/penetapan/{id}?wilayah=", x.detID) + mxVillageB)}
			}},
		},
		"POST /penetapan/{id}/setujui": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxWithID("/penetapan/{id}/setujui", x.detID), url.Values{}), want: []int{http.StatusOK, http.StatusSeeOther, http.StatusConflict}}
			},
			why: "a determination covers the nation: only national users approve one",
		},
		"POST /penetapan/{id}/tolak": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxWithID("/penetapan/{id}/tolak", x.detID), url.Values{"alasan": {"uji"}}), want: []int{http.StatusOK, http.StatusSeeOther, http.StatusConflict}}
			},
			why: "a determination covers the nation: only national users reject one",
		},
		"GET /simulasi": {inside: mxGetB("/simulasi"), why: "national documents without register data"},
		"POST /simulasi": {
			inside: mxFixed(mxProbe{req: mxForm("/simulasi", url.Values{"program": {"BPNT"}, "periode": {"2026-B1"}, "desil": {"1"}, "bulanan": {"300000"}})}),
			why:    "a simulation covers the nation: only national users run one",
		},
		"GET /simulasi/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe { return mxProbe{req: mxGet(mxWithID("/simulasi/{id}", x.simID))} },
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/simulasi/{id}?wilayah=", x.simID) + mxVillageB)}
			}},
		},

		// The back office.
		"GET /{$}":     {inside: mxGetB("/"), why: "the dashboard is the scope; scanned"},
		"GET /wilayah": {inside: mxGetB("/wilayah"), why: "the caller's own region; scanned"},
		"GET /wilayah/{code}": {
			inside:  mxFixed(mxProbe{req: mxGet("/wilayah/" + mxVillageA), contains: []string{"AHMAD FAUZI"}}),
			outside: []mxBuild{mxGetB("/wilayah/" + mxVillageB), mxGetB("/wilayah/53")},
		},
		"GET /keluarga/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxFam("/keluarga/{id}", x.famA)), contains: []string{"AHMAD FAUZI"}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe { return mxProbe{req: mxGet(mxFam("/keluarga/{id}", x.famB))} }},
		},
		"GET /orang/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxPer("/orang/{id}", x.perA)), contains: []string{"AHMAD FAUZI"}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe { return mxProbe{req: mxGet(mxPer("/orang/{id}", x.perB))} }},
		},
		"POST /orang/{id}/nik": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxPer("/orang/{id}/nik", x.perA), url.Values{"alasan": {"verifikasi"}}), contains: []string{mxNIKA}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxPer("/orang/{id}/nik", x.perB), url.Values{"alasan": {"verifikasi"}})}
			}},
			fullNumbers: true,
		},
		"GET /cari": {inside: mxGetB("/cari"), why: "an empty form"},
		"POST /cari": {
			inside: mxFixed(mxProbe{req: mxForm("/cari", url.Values{"nama": {"ahmad"}}), contains: []string{"AHMAD FAUZI"}}),
			outside: []mxBuild{
				mxFixed(mxProbe{req: mxForm("/cari", url.Values{"nama": {"ahmad"}, "wilayah": {mxVillageB}}), echo: []string{mxVillageB}}),
				mxFixed(mxProbe{req: mxForm("/cari", url.Values{"nama": {"wolor"}}), want: []int{http.StatusOK}}),
			},
		},
		"GET /impor": {inside: mxGetB("/impor"), why: "an empty form"},
		"POST /impor": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				n := x.next()
				return mxProbe{req: mxFile("/impor", "berkas", "a.csv", mxCSV(mxVillageA, fmt.Sprintf("320428150610%04d", n), fmt.Sprintf("320428120580%04d", n), "IMPOR A"), nil)}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				n := x.next()
				return mxProbe{req: mxFile("/impor", "berkas", "b.csv", mxCSV(mxVillageB, fmt.Sprintf("530701150610%04d", n), fmt.Sprintf("530701120580%04d", n), "IMPOR B"), nil),
					want: []int{http.StatusSeeOther}, mutates: true}
			}},
		},
		"GET /impor/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe { return mxProbe{req: mxGet("/impor/" + x.job(p, true))} },
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet("/impor/" + x.jobOther), seenWant: []int{404}}
			}},
		},
		"GET /impor/{id}/laporan": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet("/impor/" + x.job(p, true) + "/laporan")}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet("/impor/" + x.jobOther + "/laporan"), seenWant: []int{404}}
			}},
			fullNumbers: true,
		},
		"GET /audit": {
			inside: mxFixed(mxProbe{req: mxGet("/audit"), contains: []string{"lihat"}}),
			outside: []mxBuild{mxGetB("/audit?wilayah=" + mxVillageB),
				func(x *mx, p *mxPrincipal) mxProbe {
					return mxProbe{req: mxGet("/audit?orang=" + mxID(x.perB.ID)), want: []int{http.StatusOK}}
				}},
		},
	}
}

func statusIn(s int, want []int, lo, hi int) bool {
	if len(want) == 0 {
		return s >= lo && s <= hi
	}
	return slices.Contains(want, s)
}

// TestScopeMatrix runs every route for every role with an object inside
// and one outside the role's region; see the top of this file.
func TestScopeMatrix(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newMx(t, db)
		cases := mxProposalCases(t, x, db, mxCases())
		maps.Copy(cases, mxComplaintCases())
		maps.Copy(cases, mxWargaCases())
		seen := map[string]bool{}
		for _, rt := range x.srv.Routes() {
			key := rt.Method + " " + rt.Pattern
			seen[key] = true
			_, tested := cases[key]
			why, skipped := mxUntestable[key]
			switch {
			case !tested && !skipped:
				t.Errorf("%s has no case in the scope matrix (internal/server/matrix_test.go): add one, or say in mxUntestable why it cannot have one", key)
			case tested && skipped:
				t.Errorf("%s is both tested and untestable (%s)", key, why)
			}
		}
		// A case whose route is gone does no harm (and a misspelt key leaves
		// its route without a case, which fails above).
		before := x.snapshotB(t)
		var sent int
		for _, p := range x.principals {
			for _, rt := range x.srv.Routes() {
				c, ok := cases[rt.Method+" "+rt.Pattern]
				if !ok {
					continue
				}
				web := !strings.HasPrefix(rt.Pattern, "/api/")
				var modes []string
				switch {
				case p.machine:
					modes = []string{"token"}
				case web:
					modes = []string{"sesi"}
				default:
					modes = []string{"sesi", "token"}
				}
				for _, mode := range modes {
					sent += x.check(t, p, mode, rt.Method+" "+rt.Pattern, rt.Action, web, c)
				}
			}
		}
		if after := x.snapshotB(t); after != before {
			t.Errorf("B changed:\nbefore %s\nafter  %s", before, after)
		}
		t.Logf("%d requests", sent)
	})
}

// check sends a case's probes as p and checks the answers; it returns the
// number of requests sent.
func (x *mx) check(t *testing.T, p *mxPrincipal, mode, key string, action authz.Action, web bool, c mxCase) int {
	t.Helper()
	in := c.inside(x, p)
	what := fmt.Sprintf("%s (%s) via %s: %s", p.role, p.region, mode, key)
	r := x.send(t, p, mode, in.req)
	x.settle(t, p, mode, r)
	x.scan(t, what+" "+in.req.path, p, c, in, r)
	if web && mode == "token" && action != authz.Public {
		// The back office takes no tokens: signed out.
		if want := signInPage(in.req.path); r.Status != http.StatusSeeOther || r.Header.Get("Location") != want {
			t.Errorf("%s: %d, want 303 to %s", what, r.Status, want)
		}
		return 1
	}
	if !authz.Can(p.role, action) {
		if r.Status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403 (the role lacks %s); body %.300s", what, r.Status, action, r.Body)
		}
		return 1
	}
	if !statusIn(r.Status, in.want, 200, 399) {
		t.Errorf("%s: %d for A's object; body %.300s", what, r.Status, r.Body)
	}
	for _, s := range in.contains {
		if !strings.Contains(strings.ToLower(string(r.Body)), strings.ToLower(s)) {
			t.Errorf("%s: the answer lacks %q; body %.300s", what, s, r.Body)
		}
	}
	n := 1
	for _, build := range c.outside {
		o := build(x, p)
		if p.seesB && o.mutates {
			continue
		}
		r := x.send(t, p, mode, o.req)
		n++
		x.settle(t, p, mode, r)
		x.scan(t, what+" "+o.req.path, p, c, o, r)
		if p.seesB {
			if !statusIn(r.Status, o.seenWant, 200, 399) {
				t.Errorf("%s: %d for B's object, which is in scope; body %.300s", what, r.Status, r.Body)
			}
			continue
		}
		if !statusIn(r.Status, o.want, 403, 404) {
			t.Errorf("%s: %d for B's object %s, want %v (403 or 404); body %.300s", what, r.Status, o.req.path, o.want, r.Body)
		}
	}
	return n
}

// scan fails when an answer to a principal outside B carries anything of
// B, or when an answer that is no reveal, export or report carries a full
// NIK or KK number.
func (x *mx) scan(t *testing.T, what string, p *mxPrincipal, c mxCase, pr mxProbe, r response) {
	t.Helper()
	body := strings.ToLower(string(r.Body)) + "\n" + strings.ToLower(r.Header.Get("Location"))
	if !p.seesB {
		markers := x.personal
		if !c.reference {
			markers = append(slices.Clone(markers), x.codes...)
		}
		// What the request itself carries the answer may repeat.
		sent := strings.ToLower(pr.req.path + "\n" + string(pr.req.body))
		for _, m := range markers {
			echoed := strings.Contains(sent, strings.ToLower(m))
			for _, e := range append(slices.Clone(pr.echo), x.full...) {
				echoed = echoed || strings.Contains(strings.ToLower(e), strings.ToLower(m)) && (slices.Contains(pr.echo, e) || strings.Contains(sent, e) && m == nik.Mask(e))
			}
			if echoed {
				continue
			}
			if strings.Contains(body, strings.ToLower(m)) {
				t.Errorf("%s: the answer (%d) carries %q of village B: %.400s", what, r.Status, m, r.Body)
			}
		}
	}
	if !c.fullNumbers {
		for _, n := range x.full {
			if strings.Contains(body, n) {
				t.Errorf("%s: the answer carries the full number %s: %.400s", what, nik.Mask(n), r.Body)
			}
		}
	}
}

// snapshotB describes every version of B's records and accounts.
func (x *mx) snapshotB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, q := range []string{
		`SELECT COUNT(*), COALESCE(SUM(version), 0) FROM family WHERE village_code = '` + mxVillageB + `' OR id = ` + mxID(x.famB.ID),
		`SELECT COUNT(*), COALESCE(SUM(version), 0) FROM person WHERE village_code = '` + mxVillageB + `' OR family_id = ` + mxID(x.famB.ID),
		`SELECT COUNT(*), COALESCE(SUM(CASE WHEN disabled THEN 1 ELSE 0 END), 0) FROM users WHERE region_code = '` + mxVillageB + `'`,
		`SELECT COUNT(*), COALESCE(SUM(CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END), 0) FROM api_tokens WHERE user_id = ` + mxID(x.userB),
		`SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'menunggu' THEN 1 ELSE 0 END), 0) FROM citizen_account WHERE village_code = '` + mxVillageB + `'`,
	} {
		var n, v int64
		if err := x.db.QueryRow(ctx, q).Scan(&n, &v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		fmt.Fprintf(&b, "%d/%d ", n, v)
	}
	return b.String()
}
