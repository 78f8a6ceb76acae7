package publicweb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"image"
	"image/jpeg"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"math/bits"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth/authtest"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/public"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

type cmpSite struct {
	t     *testing.T
	db    *store.DB
	s     *Site
	h     http.Handler
	clock *authtest.Clock
	gate  *public.Gate
}

// newComplaintSite serves the public site as the server does for these
// routes: each route's body cap, the client's address in the context.
func newComplaintSite(t *testing.T, db *store.DB, lim *Limits) *cmpSite {
	t.Helper()
	if _, err := region.Import(context.Background(), db, region.Demo()); err != nil {
		t.Fatal(err)
	}
	c := authtest.NewClock(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	svc := complaint.New(db, authtest.Key)
	svc.Now = c.Now
	gate := public.NewGate(authtest.Key, testDifficulty, c.Now)
	s := New(Deps{Regions: region.Store{DB: db}, Now: c.Now, Limits: lim, Complaints: svc, Gate: gate,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		rt := rt
		mux.HandleFunc(rt.Method+" "+rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
			limit := rt.MaxBody
			if limit == 0 {
				limit = httpx.DefaultMaxBody
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			rt.Handler(w, r)
		})
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		mux.ServeHTTP(w, r.WithContext(audit.WithRequest(r.Context(), "rtes", host)))
	})
	return &cmpSite{t: t, db: db, s: s, h: h, clock: c, gate: gate}
}

// testDifficulty keeps the tests' proof of work to a few hundred hashes.
const testDifficulty = 8

// solved returns a fresh challenge token and a nonce that solves it, as
// the page's script finds it.
func (x *cmpSite) solved() (string, string) {
	tok := x.gate.Token("")
	for n := 0; ; n++ {
		nonce := strconv.Itoa(n)
		sum := sha256.Sum256([]byte(tok + ":" + nonce))
		if bits.LeadingZeros64(binary.BigEndian.Uint64(sum[:8])) >= testDifficulty {
			return tok, nonce
		}
	}
}

func (x *cmpSite) do(req *http.Request, from string) *httptest.ResponseRecorder {
	if from == "" {
		from = "198.51.100.7"
	}
	req.RemoteAddr = from + ":4000"
	rec := httptest.NewRecorder()
	x.h.ServeHTTP(rec, req)
	return rec
}

type upload struct {
	name string
	data []byte
}

// multipartBody builds a multipart form.
func (x *cmpSite) multipartBody(fields map[string]string, files []upload) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("berkas", f.name)
		_, _ = fw.Write(f.data)
	}
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

// file posts a filing form, with a solved challenge unless fields has a
// "tantangan" of its own.
func (x *cmpSite) file(path string, fields map[string]string, files []upload, from string) *httptest.ResponseRecorder {
	if _, ok := fields["tantangan"]; !ok && path != "/pengaduan/tambah" {
		fields = maps.Clone(fields)
		fields["tantangan"], fields["nonce"] = x.solved()
	}
	body, ct := x.multipartBody(fields, files)
	req := httptest.NewRequest("POST", path, body)
	req.Header.Set("Content-Type", ct)
	return x.do(req, from)
}

func (x *cmpSite) form(path string, v url.Values, from string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return x.do(req, from)
}

func (x *cmpSite) count(q string) int {
	var n int
	if err := x.db.QueryRow(context.Background(), q).Scan(&n); err != nil {
		x.t.Fatal(err)
	}
	return n
}

func filing(extra map[string]string) map[string]string {
	f := map[string]string{"provinsi": "32", "kabupaten": "32.04", "kecamatan": "32.04.28", "wilayah": "32.04.28.2001",
		"kategori": "tidak_diterima", "uraian": "Bantuan BPNT dua bulan terakhir tidak masuk ke kartu."}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

var (
	codeRe   = regexp.MustCompile(`<strong class="secret">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>`)
	secretRe = regexp.MustCompile(`<strong class="secret">((?:[A-Z0-9]{5}-){4}[A-Z0-9]{5})</strong>`)
)

func smallJPEG(t *testing.T) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// jpegWithGPS is smallJPEG with an APP1 Exif segment holding a GPS marker.
func jpegWithGPS(t *testing.T) []byte {
	j := smallJPEG(t)
	payload := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"), []byte("GPSLatitude-6.9175-GPSLongitude107.6191")...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append(append(append([]byte{}, j[:2]...), seg...), payload...)
	return append(out, j[2:]...)
}

func TestComplaintFileAndFollow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newComplaintSite(t, db, nil)
		// The form.
		rec := x.do(httptest.NewRequest("GET", "/pengaduan", nil), "")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `enctype="multipart/form-data"`) || len(rec.Body.Bytes()) > 100<<10 {
			t.Fatalf("form: %d %d bytes", rec.Code, rec.Body.Len())
		}
		// With contact, an image with GPS in its EXIF, and markup in every field.
		evil := `<script>alert(1)</script>`
		rec = x.file("/pengaduan", filing(map[string]string{"uraian": "Dipotong " + evil + " oleh agen", "nama": "Budi " + evil,
			"telepon": "081234567890"}), []upload{{"foto.jpg", jpegWithGPS(t)}}, "")
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("filing: %d %s", rec.Code, body)
		}
		code, secret := codeRe.FindStringSubmatch(body), secretRe.FindStringSubmatch(body)
		if code == nil || secret == nil {
			t.Fatalf("no code or secret on the receipt: %s", body)
		}
		var data []byte
		if err := db.QueryRow(context.Background(), `SELECT data FROM complaint_file`).Scan(&data); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("Exif")) || bytes.Contains(data, []byte("GPSLatitude")) {
			t.Error("the stored image keeps its EXIF GPS data")
		}
		// Following: the status, the description escaped.
		rec = x.form("/pengaduan/lacak", url.Values{"kode": {code[1]}, "rahasia": {secret[1]}}, "")
		body = rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, "Diterima") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(body, evil) {
			t.Fatalf("follow: %d %s", rec.Code, body)
		}
		// Dates in words, in WIB: filed 27 November 08:00 UTC (15:00 WIB),
		// a 14-day limit.
		if !strings.Contains(body, "27 November 2026 15:00 WIB") || !strings.Contains(body, "11 Desember 2026") ||
			strings.Contains(body, "2026-11-27") {
			t.Errorf("follow: dates not in words:\n%s", body)
		}
		if strings.Contains(body, "Budi") || strings.Contains(body, "081234567890") {
			t.Error("the follow page shows the contact")
		}
		// A wrong secret and a random code: the same refusal.
		wrong := x.form("/pengaduan/lacak", url.Values{"kode": {code[1]}, "rahasia": {"AAAAA-AAAAA-AAAAA-AAAAA-AAAAA"}}, "203.0.113.5")
		random := x.form("/pengaduan/lacak", url.Values{"kode": {"ZZZZ-ZZZZ"}, "rahasia": {secret[1]}}, "203.0.113.6")
		if wrong.Code != http.StatusNotFound || random.Code != http.StatusNotFound {
			t.Errorf("wrong secret %d, random code %d", wrong.Code, random.Code)
		}
		msg := regexp.MustCompile(`(?s)<div class="alert" role="alert">.*?</div>`)
		if a, b := msg.FindString(wrong.Body.String()), msg.FindString(random.Body.String()); a == "" || a != b {
			t.Errorf("the refusals differ:\n%s\n%s", a, b)
		}
		// Adding information with a PDF.
		addBody, ct := x.multipartBody(map[string]string{"kode": code[1], "rahasia": secret[1], "informasi": "Nama agen: " + evil},
			[]upload{{"kwitansi.pdf", []byte("%PDF-1.4\n%%EOF\n")}})
		req := httptest.NewRequest("POST", "/pengaduan/tambah", addBody)
		req.Header.Set("Content-Type", ct)
		rec = x.do(req, "")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Informasi Anda sudah ditambahkan") || strings.Contains(rec.Body.String(), evil) {
			t.Fatalf("add: %d %s", rec.Code, rec.Body.String())
		}
		if n := x.count(`SELECT COUNT(*) FROM complaint_file`); n != 2 {
			t.Errorf("%d files", n)
		}
		// Anonymous WBS.
		rec = x.file("/pengaduan/wbs", map[string]string{"provinsi": "32", "kabupaten": "32.04", "kategori": "pungli", "anonim": "1",
			"uraian": "Kepala seksi meminta setoran dari pendamping."}, nil, "")
		if rec.Code != http.StatusOK || codeRe.FindStringSubmatch(rec.Body.String()) == nil {
			t.Fatalf("wbs: %d %s", rec.Code, rec.Body.String())
		}
		var kind, unit string
		if err := db.QueryRow(context.Background(), `SELECT kind, unit_kind || ':' || unit_region FROM complaint ORDER BY id DESC LIMIT 1`).Scan(&kind, &unit); err != nil || kind != "wbs" || unit != "inspektorat:32.04" {
			t.Errorf("wbs stored as %s %s %v", kind, unit, err)
		}
	})
}

func TestComplaintRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newComplaintSite(t, db, nil)
		for i, c := range []struct {
			name   string
			fields map[string]string
			files  []upload
			want   int
			says   string
		}{
			{"not an image", filing(nil), []upload{{"foto.jpg", []byte("<html>bukan gambar</html>")}}, 422, "jenis berkas tidak didukung"},
			{"too many files", filing(nil), []upload{{"a.pdf", []byte("%PDF-1.4\n")}, {"b.pdf", []byte("%PDF-1.4\n")}, {"c.pdf", []byte("%PDF-1.4\n")}, {"d.pdf", []byte("%PDF-1.4\n")}}, 422, "paling banyak 3 berkas"},
			{"unknown category", filing(map[string]string{"kategori": "korupsi"}), nil, 422, "kategori tidak dikenal"},
			{"unknown region", filing(map[string]string{"wilayah": "32.04.28.2999"}), nil, 422, "wilayah tidak dikenal"},
			{"empty description", filing(map[string]string{"uraian": "  "}), nil, 422, "Uraian: wajib diisi"},
			{"no way to answer", filing(map[string]string{"nama": "Budi"}), nil, 422, "nomor telepon atau alamat surel"},
		} {
			rec := x.file("/pengaduan", c.fields, c.files, "198.51.100."+strconv.Itoa(10+i))
			if rec.Code != c.want || !strings.Contains(rec.Body.String(), c.says) {
				t.Errorf("%s: %d, want %d with %q\n%s", c.name, rec.Code, c.want, c.says, rec.Body.String())
			}
			if strings.Contains(rec.Body.String(), `class="mono"`) {
				t.Errorf("%s: a receipt", c.name)
			}
		}
		if n := x.count(`SELECT COUNT(*) FROM complaint`) + x.count(`SELECT COUNT(*) FROM complaint_file`); n != 0 {
			t.Errorf("refused filings stored %d rows", n)
		}
	})
}

// countingReader counts what the server read of a body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// A 50 MB upload is refused by the body cap, having read no more than
// the cap, and stores nothing; with a declared length it is refused
// before a byte is read.
func TestComplaintHugeUpload(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newComplaintSite(t, db, nil)
		huge := bytes.Repeat([]byte("A"), 50<<20)
		body, ct := x.multipartBody(filing(nil), []upload{{"video.jpg", huge}})
		cr := &countingReader{r: bytes.NewReader(body.Bytes())}
		req := httptest.NewRequest("POST", "/pengaduan", io.NopCloser(cr))
		req.Header.Set("Content-Type", ct)
		req.ContentLength = -1 // chunked: only the cap can stop it
		rec := x.do(req, "")
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked 50 MB: %d", rec.Code)
		}
		if n := cr.n.Load(); n > MaxBody+1<<20 {
			t.Errorf("read %d bytes of a 50 MB upload", n)
		}
		cr = &countingReader{r: bytes.NewReader(body.Bytes())}
		req = httptest.NewRequest("POST", "/pengaduan", io.NopCloser(cr))
		req.Header.Set("Content-Type", ct)
		req.ContentLength = int64(body.Len())
		rec = x.do(req, "")
		if rec.Code != http.StatusRequestEntityTooLarge || cr.n.Load() != 0 {
			t.Errorf("declared 50 MB: %d after reading %d bytes", rec.Code, cr.n.Load())
		}
		if n := x.count(`SELECT COUNT(*) FROM complaint`); n != 0 {
			t.Errorf("%d complaints stored", n)
		}
	})
}

// Guessing codes from one address is stopped by the limits.
func TestComplaintFollowLimited(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newComplaintSite(t, db, &Limits{FilingBurst: 5, FilingEvery: time.Hour, FollowBurst: 5, FollowEvery: time.Hour, CodeBurst: 3, CodeEvery: time.Hour})
		var limited int
		for i := range 10 {
			rec := x.form("/pengaduan/lacak", url.Values{"kode": {"ABCD-EF" + string(rune('A'+i)) + "G"}, "rahasia": {"AAAAA-AAAAA-AAAAA-AAAAA-AAAAA"}}, "203.0.113.9")
			if rec.Code == http.StatusTooManyRequests {
				limited++
				if rec.Header().Get("Retry-After") == "" {
					t.Error("no Retry-After")
				}
			}
		}
		if limited != 5 {
			t.Errorf("%d of 10 guesses limited, want 5", limited)
		}
		// One code from many addresses: the limit per code.
		limited = 0
		for i := range 6 {
			rec := x.form("/pengaduan/lacak", url.Values{"kode": {"WXYZ-2345"}, "rahasia": {"AAAAA-AAAAA-AAAAA-AAAAA-AAAAA"}}, "203.0.113."+string(rune('1'+i)))
			if rec.Code == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited != 3 {
			t.Errorf("%d of 6 guesses of one code limited, want 3", limited)
		}
	})
}

// The Continue steps of the form without script are counted apart from
// filings (a filer without script takes three before filing), and a
// step never files, even with a whole form in it.
func TestComplaintStepsApart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newComplaintSite(t, db, &Limits{FilingBurst: 2, FilingEvery: time.Hour, FollowBurst: 6, FollowEvery: time.Hour, CodeBurst: 3, CodeEvery: time.Hour})
		const from = "203.0.113.20"
		for i := range 6 {
			rec := x.file("/pengaduan?"+StepQuery+"=1", filing(map[string]string{"langkah": "1"}), nil, from)
			if rec.Code != http.StatusOK || codeRe.MatchString(rec.Body.String()) || !strings.Contains(rec.Body.String(), `name="langkah"`) && !strings.Contains(rec.Body.String(), `id="wilayah"`) {
				t.Fatalf("step %d: %d, or it filed:\n%s", i+1, rec.Code, rec.Body.String())
			}
		}
		if rec := x.file("/pengaduan?"+StepQuery+"=1", filing(nil), nil, from); rec.Code != http.StatusTooManyRequests {
			t.Errorf("seventh step: %d, want 429 (steps have their own allowance)", rec.Code)
		}
		if n := x.count(`SELECT COUNT(*) FROM complaint`); n != 0 {
			t.Fatalf("%d complaints stored by steps", n)
		}
		// The steps left the filing allowance whole.
		for i := range 2 {
			if rec := x.file("/pengaduan", filing(map[string]string{"anonim": "1"}), nil, from); rec.Code != http.StatusOK || !codeRe.MatchString(rec.Body.String()) {
				t.Fatalf("filing %d after the steps: %d", i+1, rec.Code)
			}
		}
		if rec := x.file("/pengaduan", filing(map[string]string{"anonim": "1"}), nil, from); rec.Code != http.StatusTooManyRequests {
			t.Errorf("third filing: %d, want 429", rec.Code)
		}
	})
}

// Every message a template asks for exists, in both languages.
func TestMessages(t *testing.T) {
	call := regexp.MustCompile(`\.(?:T|Tf) "([^"]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			if v, ok := messages[m[1]]; !ok || v[0] == "" || v[1] == "" {
				t.Errorf("%s asks for %q, which lacks a language", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []complaint.Kind{complaint.KindComplaint, complaint.KindWBS} {
		for _, r := range complaint.Categories(k) {
			if _, ok := messages["kategori."+string(k)+"."+string(r.Category)]; !ok {
				t.Errorf("no label for %s/%s", k, r.Category)
			}
		}
	}
}

// TestComplaintChallenge: the filing forms carry the public site's
// challenge; a bogus, missing, wrongly solved or replayed token is refused
// and stores nothing; without script the form goes after the no-script
// wait, and a Continue step does not spend the token.
func TestComplaintChallenge(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newComplaintSite(t, db, nil)
		tokenRe := regexp.MustCompile(`name="tantangan" value="(c1\.[^"]+)"`)
		form := x.do(httptest.NewRequest("GET", "/pengaduan", nil), "").Body.String()
		tok := tokenRe.FindStringSubmatch(form)
		if tok == nil || !strings.Contains(form, `class="stack cek" data-kesulitan="8"`) || !strings.Contains(form, public.ScriptURL()) {
			t.Fatalf("the form lacks its challenge or the script:\n%s", form)
		}
		cases := func() int { return x.count(`SELECT COUNT(*) FROM complaint`) }
		addr := 0
		post := func(path string, fields map[string]string) *httptest.ResponseRecorder {
			t.Helper()
			addr++ // one address each: the filing limit is not what is tested
			f := filing(map[string]string{"anonim": "1"})
			maps.Copy(f, fields)
			return x.file(path, f, nil, "198.51.100."+strconv.Itoa(addr))
		}
		refused := func(what string, rec *httptest.ResponseRecorder, status int, msg string) {
			t.Helper()
			if rec.Code != status || !strings.Contains(rec.Body.String(), msg) || codeRe.MatchString(rec.Body.String()) {
				t.Errorf("%s: %d, want %d with %q:\n%s", what, rec.Code, status, msg, rec.Body.String())
			}
		}
		refused("bogus token", post("/pengaduan", map[string]string{"tantangan": "c1.1790000000.8.AAAAAAAAAAAAAAAA.bukan", "nonce": "1"}),
			http.StatusUnprocessableEntity, "Pemeriksaan keamanan tidak sah")
		refused("no token", post("/pengaduan", map[string]string{"tantangan": "", "nonce": ""}),
			http.StatusUnprocessableEntity, "Pemeriksaan keamanan tidak ada")
		refused("bogus token, WBS", post("/pengaduan/wbs", map[string]string{"tantangan": "xyz", "nonce": "1", "kategori": "pungli", "anonim": "1"}),
			http.StatusUnprocessableEntity, "Pemeriksaan keamanan tidak sah")
		// A nonce that does not solve the token.
		good, nonce := x.solved()
		wrong := "0"
		for n := 0; ; n++ {
			sum := sha256.Sum256([]byte(good + ":" + strconv.Itoa(n)))
			if bits.LeadingZeros64(binary.BigEndian.Uint64(sum[:8])) < testDifficulty {
				wrong = strconv.Itoa(n)
				break
			}
		}
		refused("wrong proof", post("/pengaduan", map[string]string{"tantangan": good, "nonce": wrong}),
			http.StatusUnprocessableEntity, "Pemeriksaan keamanan tidak sah")
		if n := cases(); n != 0 {
			t.Fatalf("%d cases stored by refused filings", n)
		}
		// Solved: filed; the same token again: refused.
		if rec := post("/pengaduan", map[string]string{"tantangan": good, "nonce": nonce}); rec.Code != http.StatusOK || !codeRe.MatchString(rec.Body.String()) {
			t.Fatalf("solved: %d\n%s", rec.Code, rec.Body.String())
		}
		replay := post("/pengaduan", map[string]string{"tantangan": good, "nonce": nonce})
		refused("replayed token", replay, http.StatusUnprocessableEntity, "Formulir ini sudah dipakai")
		// The refused form comes back with a new token, not the spent one.
		if m := tokenRe.FindStringSubmatch(replay.Body.String()); m == nil || m[1] == good {
			t.Errorf("after a replay the form carries no new token")
		}

		// Without script: a Continue step keeps the token unspent...
		step := post("/pengaduan", map[string]string{"tantangan": tok[1], "nonce": "", "langkah": "1", "wilayah": "", "kecamatan": ""})
		if m := tokenRe.FindStringSubmatch(step.Body.String()); step.Code != http.StatusOK || m == nil || m[1] != tok[1] {
			t.Fatalf("a Continue step: %d, the token not carried over", step.Code)
		}
		// ...sent before the wait is over, the form is refused with the time to wait...
		early := post("/pengaduan", map[string]string{"tantangan": tok[1], "nonce": ""})
		refused("sent too early", early, http.StatusTooManyRequests, "kirim lagi dalam 8 detik")
		if m := tokenRe.FindStringSubmatch(early.Body.String()); early.Header().Get("Retry-After") != "8" || m == nil || m[1] != tok[1] {
			t.Errorf("too early: Retry-After %q, the token kept: %v", early.Header().Get("Retry-After"), m != nil && m[1] == tok[1])
		}
		// ...and once the wait is over, the same token files it, once.
		x.clock.Advance(public.NoScriptWait)
		if rec := post("/pengaduan", map[string]string{"tantangan": tok[1], "nonce": ""}); rec.Code != http.StatusOK || !codeRe.MatchString(rec.Body.String()) {
			t.Fatalf("after the wait: %d\n%s", rec.Code, rec.Body.String())
		}
		refused("no-script token replayed", post("/pengaduan", map[string]string{"tantangan": tok[1], "nonce": ""}),
			http.StatusUnprocessableEntity, "Formulir ini sudah dipakai")
		if n := cases(); n != 2 {
			t.Errorf("%d cases stored, want 2", n)
		}
	})
}

// TestComplaintKeepsFiles: a refused filing keeps its files for the next
// try under a token in the form; the next try files them without choosing
// them again, and the kept copies go. The filer may discard them; kept
// files past their hour refuse the filing rather than go missing.
func TestComplaintKeepsFiles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		x := newComplaintSite(t, db, nil)
		tokenRe := regexp.MustCompile(`name="berkas_simpan" value="([^"]+)"`)
		tries := 0
		try := func(fields map[string]string, files []upload, wantCode int, wantText string) string {
			t.Helper()
			tries++ // each from its own address: the filings per address are limited
			rec := x.file("/pengaduan", fields, files, "198.51.100."+strconv.Itoa(100+tries))
			if body := rec.Body.String(); rec.Code != wantCode || !strings.Contains(body, wantText) {
				t.Fatalf("%d, want %d with %q:\n%s", rec.Code, wantCode, wantText, body)
			}
			if m := tokenRe.FindStringSubmatch(rec.Body.String()); m != nil {
				return m[1]
			}
			return ""
		}
		filing := func(extra map[string]string) map[string]string {
			f := map[string]string{"anonim": "1"}
			maps.Copy(f, extra)
			return filing(f)
		}
		photo := []upload{{"foto.jpg", jpegWithGPS(t)}, {"bukan.jpg", []byte("<html>bukan gambar</html>")}}

		// Refused (no description): the photo is kept, sanitized; the file
		// that is no image is not.
		token := try(filing(map[string]string{"uraian": " "}), photo, 422, "1 berkas dari pengiriman sebelumnya tersimpan")
		if token == "" {
			t.Fatal("no token of the kept files in the form")
		}
		var data []byte
		if err := db.QueryRow(context.Background(), `SELECT data FROM complaint_upload_hold`).Scan(&data); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("GPSLatitude")) {
			t.Error("the kept photo keeps its EXIF GPS data")
		}
		// Refused again with nothing new: the same hold.
		if again := try(filing(map[string]string{"uraian": " ", "berkas_simpan": token}), nil, 422, "1 berkas"); again != token {
			t.Errorf("a try with no new file changed the hold: %q, %q", again, token)
		}
		// Corrected, without choosing the file again: filed with it.
		if left := try(filing(map[string]string{"berkas_simpan": token}), nil, 200, `class="secret"`); left != "" {
			t.Error("the receipt carries a hold")
		}
		if n := x.count(`SELECT COUNT(*) FROM complaint_file`); n != 1 {
			t.Errorf("%d files filed, want the kept one", n)
		}
		if n := x.count(`SELECT COUNT(*) FROM complaint_upload_hold`); n != 0 {
			t.Errorf("%d kept files left after filing", n)
		}

		// Discarded: filed without them.
		token = try(filing(map[string]string{"uraian": " "}), photo[:1], 422, "1 berkas")
		try(filing(map[string]string{"berkas_simpan": token, "buang_berkas": "1"}), nil, 200, `class="secret"`)
		if n, held := x.count(`SELECT COUNT(*) FROM complaint_file`), x.count(`SELECT COUNT(*) FROM complaint_upload_hold`); n != 1 || held != 0 {
			t.Errorf("after discarding: %d files filed, %d kept", n, held)
		}

		// Past the hour: refused, and the page says to choose them again.
		token = try(filing(map[string]string{"uraian": " "}), photo[:1], 422, "1 berkas")
		x.clock.Advance(complaint.HoldTTL + time.Minute)
		try(filing(map[string]string{"berkas_simpan": token}), nil, 422, "lewat 1 jam")
		if n := x.count(`SELECT COUNT(*) FROM complaint`); n != 2 {
			t.Errorf("%d complaints, want 2", n)
		}
	})
}
