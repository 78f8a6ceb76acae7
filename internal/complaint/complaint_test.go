package complaint_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth/authtest"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

const (
	villageA = "32.04.28.2001" // Kabupaten Bandung, Jawa Barat
	villageB = "53.07.01.2001" // Sikka, Nusa Tenggara Timur
)

func setup(t *testing.T, db *store.DB) (*complaint.Service, *authtest.Clock) {
	t.Helper()
	if _, err := region.Import(context.Background(), db, region.Demo()); err != nil {
		t.Fatal(err)
	}
	clock := authtest.NewClock(time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC))
	s := complaint.New(db, authtest.Key)
	s.Now = clock.Now
	return s, clock
}

func as(role authz.Role, region string) context.Context {
	return authz.With(context.Background(), authz.Principal{UserID: 9, Username: "uji-" + string(role), Role: role, Region: region, Via: "sesi"})
}

// fieldsOf returns the refused field names of err, failing when err is no *errs.Invalid.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var inv *errs.Invalid
	if !errors.As(err, &inv) {
		t.Fatalf("want a validation error, got %v", err)
	}
	var out []string
	for _, f := range inv.Fields {
		out = append(out, f.Field)
	}
	return out
}

func countRows(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withEXIFGPS inserts an APP1 Exif segment with a GPS IFD (latitude
// reference and a recognisable marker) right after the JPEG's SOI.
func withEXIFGPS(j []byte) []byte {
	var tiff bytes.Buffer
	be := binary.BigEndian
	tiff.WriteString("MM\x00\x2a")
	_ = binary.Write(&tiff, be, uint32(8)) // IFD0 at 8
	_ = binary.Write(&tiff, be, uint16(1)) // one entry: GPSInfo
	_ = binary.Write(&tiff, be, []uint16{0x8825, 4})
	_ = binary.Write(&tiff, be, []uint32{1, 26}) // GPS IFD at 26
	_ = binary.Write(&tiff, be, uint32(0))
	_ = binary.Write(&tiff, be, uint16(1)) // GPS IFD: GPSLatitudeRef = "S"
	_ = binary.Write(&tiff, be, []uint16{0x0001, 2})
	_ = binary.Write(&tiff, be, uint32(2))
	tiff.WriteString("S\x00\x00\x00")
	_ = binary.Write(&tiff, be, uint32(0))
	tiff.WriteString("GPS-RAHASIA-6.9175S-107.6191E")
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

func TestFileFollowAndAdd(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		ctx := context.Background()
		// Anonymous.
		anon, err := s.File(ctx, complaint.Filing{Kind: complaint.KindComplaint, Category: complaint.NotReceived, Region: villageA,
			Description: "Bantuan BPNT bulan ini belum masuk ke kartu.", Anonymous: true,
			Contact: complaint.Contact{Name: "DIABAIKAN", Phone: "081234567890"}})
		if err != nil {
			t.Fatal(err)
		}
		if anon.Unit != (complaint.Unit{Kind: complaint.UnitSocial, Region: "32.04"}) {
			t.Errorf("unit %+v", anon.Unit)
		}
		if len(anon.Code) != 9 || len(anon.Secret) != 29 {
			t.Errorf("code %q secret %q", anon.Code, anon.Secret)
		}
		var sealed string
		var isAnon bool
		if err := db.QueryRow(ctx, `SELECT contact_sealed, anonymous FROM complaint WHERE id = $1`, anon.ID).Scan(&sealed, &isAnon); err != nil {
			t.Fatal(err)
		}
		if sealed != "" || !isAnon {
			t.Errorf("an anonymous filing keeps a contact: %q %v", sealed, isAnon)
		}
		// With contact: sealed at rest, the secret only as a hash.
		named, err := s.File(ctx, complaint.Filing{Kind: complaint.KindComplaint, Category: complaint.WrongTarget, Region: villageA,
			Description: "Tetangga yang mampu menerima PKH.", Contact: complaint.Contact{Name: "Siti Pelapor", Phone: "+62 812-3456-7890", Email: "siti@example.id"},
			Files: []complaint.Upload{{Data: testJPEG(t, 40, 30)}}})
		if err != nil {
			t.Fatal(err)
		}
		var secretHash string
		if err := db.QueryRow(ctx, `SELECT contact_sealed, secret_hash FROM complaint WHERE id = $1`, named.ID).Scan(&sealed, &secretHash); err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"Siti", "0812", "3456", "example.id"} {
			if strings.Contains(sealed, plain) {
				t.Errorf("contact stored in the clear: %q", sealed)
			}
		}
		if strings.Contains(secretHash, strings.ReplaceAll(named.Secret, "-", "")) || len(secretHash) != 64 {
			t.Errorf("secret stored as %q", secretHash)
		}

		// Following: typed loosely (lower case, without dashes).
		v, err := s.Follow(ctx, strings.ToLower(strings.ReplaceAll(named.Code, "-", "")), " "+strings.ToLower(named.Secret)+" ")
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != complaint.Received || v.Files != 1 || v.Description != "Tetangga yang mampu menerima PKH." || len(v.Events) != 1 {
			t.Errorf("view %+v", v)
		}
		// A wrong secret and a random code get the same answer.
		_, errWrong := s.Follow(ctx, named.Code, anon.Secret)
		_, errRandom := s.Follow(ctx, "ZZZZ-ZZZZ", named.Secret)
		_, errEmpty := s.Follow(ctx, named.Code, "")
		for _, e := range []error{errWrong, errRandom, errEmpty} {
			if e == nil || e.Error() != complaint.ErrNoCase.Error() || !errors.Is(e, errs.ErrNotFound) {
				t.Errorf("want the one not-found answer, got %v", e)
			}
		}

		// Adding information, with a file.
		if err := s.AddInfo(ctx, named.Code, named.Secret, "Namanya ada di daftar penerima desa.", []complaint.Upload{{Data: []byte("%PDF-1.4\n%%EOF\n")}}); err != nil {
			t.Fatal(err)
		}
		v, _ = s.Follow(ctx, named.Code, named.Secret)
		if len(v.Events) != 2 || v.Events[1].Kind != complaint.EvInfo || v.Events[1].Files != 1 || v.Files != 2 {
			t.Errorf("after adding: %+v", v)
		}
		if err := s.AddInfo(ctx, named.Code, anon.Secret, "tebakan", nil); err == nil || err.Error() != complaint.ErrNoCase.Error() {
			t.Errorf("adding with a wrong secret: %v", err)
		}
		if err := s.AddInfo(ctx, named.Code, named.Secret, "  ", nil); !slicesEqual(fieldsOf(t, err), []string{"informasi"}) {
			t.Errorf("empty addition: %v", err)
		}
	})
}

func slicesEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestFilingRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		ctx := context.Background()
		ok := complaint.Filing{Kind: complaint.KindComplaint, Category: complaint.Pungli, Region: villageA,
			Description: "Bantuan dipotong Rp50.000 oleh pendamping.", Anonymous: true}
		bigPNG := func() []byte {
			// A small PNG whose header claims 20000×20000 pixels.
			var b bytes.Buffer
			_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
			p := b.Bytes()
			binary.BigEndian.PutUint32(p[16:], 20000)
			binary.BigEndian.PutUint32(p[20:], 20000)
			return p
		}()
		cases := []struct {
			name  string
			edit  func(f *complaint.Filing)
			field []string
		}{
			{"unknown category", func(f *complaint.Filing) { f.Category = "korupsi" }, []string{"kategori"}},
			{"unknown region", func(f *complaint.Filing) { f.Region = "32.04.28.2999" }, []string{"wilayah"}},
			{"malformed region", func(f *complaint.Filing) { f.Region = "<script>" }, []string{"wilayah"}},
			{"region not a village", func(f *complaint.Filing) { f.Region = "32.04" }, []string{"wilayah"}},
			{"empty description", func(f *complaint.Filing) { f.Description = "   " }, []string{"uraian"}},
			{"too long description", func(f *complaint.Filing) { f.Description = strings.Repeat("a", complaint.MaxDescription+1) }, []string{"uraian"}},
			{"control characters", func(f *complaint.Filing) { f.Description = "bantuan\x00dipotong oleh petugas" }, []string{"uraian"}},
			{"contact without a way to answer", func(f *complaint.Filing) { f.Anonymous = false; f.Contact = complaint.Contact{Name: "Budi"} }, []string{"telepon"}},
			{"bad phone and e-mail", func(f *complaint.Filing) {
				f.Anonymous = false
				f.Contact = complaint.Contact{Name: "Budi", Phone: "12ab", Email: "bukan surel"}
			}, []string{"telepon", "surel"}},
			{"not an image", func(f *complaint.Filing) {
				f.Files = []complaint.Upload{{Data: []byte("<html><script>alert(1)</script></html>")}}
			}, []string{"berkas[1]"}},
			{"claims JPEG, is not", func(f *complaint.Filing) {
				f.Files = []complaint.Upload{{Data: append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte("x"), 600)...)}}
			}, []string{"berkas[1]"}},
			{"decompression bomb", func(f *complaint.Filing) { f.Files = []complaint.Upload{{Data: bigPNG}} }, []string{"berkas[1]"}},
			{"too large", func(f *complaint.Filing) {
				f.Files = []complaint.Upload{{Data: append([]byte("%PDF-1.4\n"), make([]byte, complaint.MaxFileSize)...)}}
			}, []string{"berkas[1]"}},
			{"too many files", func(f *complaint.Filing) {
				f.Files = make([]complaint.Upload, complaint.MaxFiles+1)
				for i := range f.Files {
					f.Files[i].Data = []byte("%PDF-1.4\n")
				}
			}, []string{"berkas"}},
		}
		for _, c := range cases {
			f := ok
			c.edit(&f)
			_, err := s.File(ctx, f)
			if got := fieldsOf(t, err); !slicesEqual(got, c.field) {
				t.Errorf("%s: refused fields %v, want %v (%v)", c.name, got, c.field, err)
			}
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM complaint`) + countRows(t, db, `SELECT COUNT(*) FROM complaint_file`); n != 0 {
			t.Errorf("refused filings left %d rows", n)
		}
		if _, err := s.File(ctx, ok); err != nil {
			t.Fatal(err)
		}
	})
}

func TestEvidenceStripsMetadata(t *testing.T) {
	raw := withEXIFGPS(testJPEG(t, 64, 48))
	if !bytes.Contains(raw, []byte("GPS-RAHASIA")) {
		t.Fatal("test image lacks its marker")
	}
	if _, err := jpeg.Decode(bytes.NewReader(raw)); err != nil {
		t.Fatalf("test image does not decode: %v", err)
	}
	ev, err := complaint.Sanitize(1, raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{[]byte("Exif"), []byte("GPS-RAHASIA"), {0xFF, 0xE1}, []byte("MM\x00\x2a")} {
		if bytes.Contains(ev.Data, bad) {
			t.Errorf("stored image still holds %q", bad)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(ev.Data))
	if err != nil || img.Bounds().Dx() != 64 || img.Bounds().Dy() != 48 {
		t.Errorf("stored image: %v %v", img.Bounds(), err)
	}
	if ev.ContentType != "image/jpeg" || ev.Name != "bukti-1.jpg" {
		t.Errorf("%s %s", ev.ContentType, ev.Name)
	}
	pdf := []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
	ev, err = complaint.Sanitize(2, pdf)
	if err != nil || !bytes.Equal(ev.Data, pdf) || ev.ContentType != "application/pdf" {
		t.Errorf("PDF: %v %q", err, ev.Data)
	}
}

func TestRoutingPerCategory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, clock := setup(t, db)
		ctx := context.Background()
		for _, r := range complaint.Rules {
			region := villageB
			if r.Kind == complaint.KindWBS {
				region = "53.07"
			}
			rc, err := s.File(ctx, complaint.Filing{Kind: r.Kind, Category: r.Category, Region: region, Description: "uraian kasus uji " + string(r.Category), Anonymous: true})
			if err != nil {
				t.Fatal(err)
			}
			want := complaint.Unit{Kind: r.Unit, Region: "53.07"}
			if rc.Unit != want || !rc.Due.Equal(clock.Now().Add(r.Limit)) {
				t.Errorf("%s/%s: unit %v due %v", r.Kind, r.Category, rc.Unit, rc.Due)
			}
		}
		if r, _ := complaint.RuleFor(complaint.KindComplaint, complaint.Pungli); r.Unit != complaint.UnitInspectorate {
			t.Error("pungli must go to the inspectorate")
		}
		if r, _ := complaint.RuleFor(complaint.KindComplaint, complaint.Misconduct); r.Unit != complaint.UnitInspectorate {
			t.Error("officer misconduct must go to the inspectorate")
		}
	})
}

func TestReminderAndEscalation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, clock := setup(t, db)
		ctx := context.Background()
		rc, err := s.File(ctx, complaint.Filing{Kind: complaint.KindComplaint, Category: complaint.DataError, Region: villageA,
			Description: "Umur saya salah di data.", Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		closed, err := s.File(ctx, complaint.Filing{Kind: complaint.KindComplaint, Category: complaint.DataError, Region: villageA,
			Description: "Nama saya salah eja.", Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Act(ctx, complaint.KindComplaint, closed.ID, complaint.Action{Kind: complaint.EvStatus, Status: complaint.Resolved, Text: "Data sudah diperbaiki."}); err != nil {
			t.Fatal(err)
		}
		sweep := func(wantRemind, wantEsc int) {
			t.Helper()
			res, err := s.Sweep(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Reminded != wantRemind || res.Escalated != wantEsc {
				t.Errorf("at %v: sweep %+v, want %d reminded, %d escalated", clock.Now(), res, wantRemind, wantEsc)
			}
		}
		unit := func() complaint.Unit {
			c, err := s.Get(ctx, complaint.KindComplaint, rc.ID)
			if err != nil {
				t.Fatal(err)
			}
			return c.Unit
		}
		sweep(0, 0)
		clock.Advance(10 * 24 * time.Hour) // 4 days left: not yet
		sweep(0, 0)
		clock.Advance(24*time.Hour + time.Minute) // under 3 days left
		sweep(1, 0)
		sweep(0, 0) // once
		clock.Advance(3 * 24 * time.Hour)
		sweep(0, 1)
		if u := unit(); u != (complaint.Unit{Kind: complaint.UnitSocial, Region: "32"}) {
			t.Errorf("after the first limit: %v", u)
		}
		sweep(0, 0)
		clock.Advance(11*24*time.Hour + time.Minute) // the province's limit starts anew
		sweep(1, 0)
		clock.Advance(3 * 24 * time.Hour)
		sweep(0, 1)
		if u := unit(); u != (complaint.Unit{Kind: complaint.UnitSocial, Region: ""}) {
			t.Errorf("after the second limit: %v", u)
		}
		clock.Advance(30 * 24 * time.Hour)
		sweep(0, 0) // the nation has nowhere to go; a reminder missed while the server was down is not given late
		overdue, err := s.List(ctx, complaint.Filter{Overdue: true})
		if err != nil || len(overdue) != 1 || overdue[0].ID != rc.ID || overdue[0].Escalations != 2 {
			t.Errorf("overdue %+v %v", overdue, err)
		}
		v, _ := s.Follow(ctx, rc.Code, rc.Secret)
		var esc int
		for _, e := range v.Events {
			if e.Kind == complaint.EvEscalated {
				esc++
			}
			if e.Kind == complaint.EvReminder {
				t.Error("the filer sees reminders")
			}
		}
		if esc != 2 {
			t.Errorf("the filer sees %d escalations", esc)
		}
	})
}

func TestSweepJob(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, clock := setup(t, db)
		ctx := context.Background()
		rc, err := s.File(ctx, complaint.Filing{Kind: complaint.KindComplaint, Category: complaint.NotReceived, Region: villageA,
			Description: "Bantuan tidak pernah diterima.", Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		r := jobs.New(db, jobs.Options{Poll: 20 * time.Millisecond})
		complaint.RegisterJob(r, s)
		id, err := complaint.Schedule(ctx, r, s)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := complaint.Schedule(ctx, r, s); again != id {
			t.Errorf("a second schedule queued another sweep: %d, %d", again, id)
		}
		clock.Advance(15 * 24 * time.Hour)
		in, err := r.RunNow(ctx, id)
		if err != nil || in.State != jobs.Done {
			t.Fatalf("sweep job: %+v %v", in, err)
		}
		var unit string
		if err := db.QueryRow(ctx, `SELECT unit_region FROM complaint WHERE id = $1`, rc.ID).Scan(&unit); err != nil || unit != "32" {
			t.Errorf("after the job: unit %q %v", unit, err)
		}
		// The next sweep waits in the queue, as a row: it survives a restart.
		list, err := r.List(ctx, jobs.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var queued int
		for _, j := range list {
			if j.Kind == complaint.JobKind && j.State == jobs.Queued {
				queued++
			}
		}
		if queued != 1 {
			t.Errorf("%d sweeps queued after a run, want 1", queued)
		}
	})
}

func TestVisibilityAndHandling(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		ctx := context.Background()
		file := func(k complaint.Kind, c complaint.Category, region string, contact complaint.Contact) complaint.Receipt {
			rc, err := s.File(ctx, complaint.Filing{Kind: k, Category: c, Region: region, Description: "uraian untuk uji visibilitas", Contact: contact, Anonymous: contact.Empty()})
			if err != nil {
				t.Fatal(err)
			}
			return rc
		}
		who := complaint.Contact{Name: "Pelapor Rahasia", Phone: "081300001111"}
		social := file(complaint.KindComplaint, complaint.NotReceived, villageA, who)
		pungli := file(complaint.KindComplaint, complaint.Pungli, villageA, complaint.Contact{})
		wbs := file(complaint.KindWBS, complaint.Misconduct, "32.04", who)
		outside := file(complaint.KindComplaint, complaint.NotReceived, villageB, complaint.Contact{})

		district, province, insp := as(authz.District, "32.04"), as(authz.Province, "32"), as(authz.Inspectorate, "32")
		otherDistrict := as(authz.District, "53.07")
		cc := as(authz.CommandCenter, "32.04")
		// Social offices see the social complaint in their region, not the
		// pungli one (the inspectorate's), not WBS, not another region's.
		for _, c := range []struct {
			ctx  context.Context
			kind complaint.Kind
			id   int64
			ok   bool
		}{
			{district, complaint.KindComplaint, social.ID, true},
			{district, complaint.KindComplaint, pungli.ID, false},
			{district, complaint.KindWBS, wbs.ID, false},
			{district, complaint.KindComplaint, outside.ID, false},
			{otherDistrict, complaint.KindComplaint, social.ID, false},
			{cc, complaint.KindComplaint, social.ID, true},
			{province, complaint.KindWBS, wbs.ID, false},
			{as(authz.Admin, ""), complaint.KindWBS, wbs.ID, false},
			{insp, complaint.KindComplaint, pungli.ID, true},
			{insp, complaint.KindWBS, wbs.ID, true},
			{insp, complaint.KindComplaint, outside.ID, false},
			{insp, complaint.KindComplaint, wbs.ID, false}, // a WBS report is not a complaint
		} {
			_, err := s.Get(c.ctx, c.kind, c.id)
			if c.ok && err != nil || !c.ok && !errors.Is(err, errs.ErrNotFound) {
				p, _ := authz.From(c.ctx)
				t.Errorf("%s %s: get %s %d: %v", p.Role, p.Region, c.kind, c.id, err)
			}
		}
		list, _ := s.List(district, complaint.Filter{})
		if len(list) != 1 || list[0].ID != social.ID {
			t.Errorf("district's list: %+v", list)
		}
		wl, _ := s.List(insp, complaint.Filter{Kind: complaint.KindWBS})
		if len(wl) != 1 || wl[0].ID != wbs.ID {
			t.Errorf("inspectorate's WBS list: %+v", wl)
		}
		if wl, _ := s.List(province, complaint.Filter{Kind: complaint.KindWBS}); len(wl) != 0 {
			t.Errorf("province sees WBS: %+v", wl)
		}

		// A complaint's contact is shown to its handlers; a whistleblower's is not.
		c, err := s.Get(district, complaint.KindComplaint, social.ID)
		if err != nil || c.Contact == nil || c.Contact.Name != "Pelapor Rahasia" || !c.CanHandle {
			t.Errorf("district's case: %+v %v", c, err)
		}
		w, err := s.Get(insp, complaint.KindWBS, wbs.ID)
		if err != nil || w.Contact != nil || w.Anonymous {
			t.Errorf("inspectorate's WBS: contact %+v anonymous %v %v", w.Contact, w.Anonymous, err)
		}

		// Handling: the unit's own office; not the command centre, not the
		// social office for the inspectorate's case.
		if _, err := s.Act(cc, complaint.KindComplaint, social.ID, complaint.Action{Kind: complaint.EvNote, Text: "catatan"}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("command centre acted: %v", err)
		}
		if _, err := s.Act(insp, complaint.KindComplaint, social.ID, complaint.Action{Kind: complaint.EvNote, Text: "catatan"}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("inspectorate acted on a social office's case: %v", err)
		}
		if _, err := s.Act(district, complaint.KindComplaint, social.ID, complaint.Action{Kind: complaint.EvStatus, Status: complaint.Resolved}); !slicesEqual(fieldsOf(t, err), []string{"teks"}) {
			t.Errorf("closing without a resolution: %v", err)
		}
		if _, err := s.Act(district, complaint.KindComplaint, social.ID, complaint.Action{Kind: complaint.EvStatus, Status: "hilang", Text: "x"}); !slicesEqual(fieldsOf(t, err), []string{"status"}) {
			t.Errorf("unknown status: %v", err)
		}
		steps := []complaint.Action{
			{Kind: complaint.EvNote, Text: "Catatan internal: cek data SP2D."},
			{Kind: complaint.EvStatus, Status: complaint.Processing},
			{Kind: complaint.EvReply, Text: "Kami sedang memeriksa data penyaluran."},
			{Kind: complaint.EvStatus, Status: complaint.Resolved, Text: "Dana sudah disalurkan ulang pada 5 Maret."},
		}
		for _, a := range steps {
			if _, err := s.Act(district, complaint.KindComplaint, social.ID, a); err != nil {
				t.Fatalf("%+v: %v", a, err)
			}
		}
		if _, err := s.Act(district, complaint.KindComplaint, social.ID, complaint.Action{Kind: complaint.EvNote, Text: "lagi"}); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("acting on a closed case: %v", err)
		}
		v, _ := s.Follow(ctx, social.Code, social.Secret)
		if v.Status != complaint.Resolved || v.Resolution != "Dana sudah disalurkan ulang pada 5 Maret." {
			t.Errorf("filer's view: %+v", v)
		}
		for _, e := range v.Events {
			if strings.Contains(e.Body, "internal") {
				t.Errorf("the filer sees an internal note: %+v", e)
			}
		}
		if err := s.AddInfo(ctx, social.Code, social.Secret, "terima kasih", nil); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("adding to a closed case: %v", err)
		}
		// Inspectorate handles the pungli case.
		if _, err := s.Act(insp, complaint.KindComplaint, pungli.ID, complaint.Action{Kind: complaint.EvStatus, Status: complaint.Processing}); err != nil {
			t.Error(err)
		}
		// Counts per region and category, within scope.
		r, counts, err := s.Counts(insp, complaint.KindComplaint, "")
		if err != nil || r != "32" || len(counts) != 2 {
			t.Errorf("counts %q %+v %v", r, counts, err)
		}
		if _, _, err := s.Counts(district, complaint.KindComplaint, "53"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("counts outside scope: %v", err)
		}
	})
}

func TestRevealAudited(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		ctx := context.Background()
		rc, err := s.File(ctx, complaint.Filing{Kind: complaint.KindWBS, Category: complaint.Pungli, Region: "32.04",
			Description: "Kepala seksi meminta setoran dari pendamping.", Contact: complaint.Contact{Name: "Saksi Dalam", Email: "saksi@example.id"}})
		if err != nil {
			t.Fatal(err)
		}
		anon, err := s.File(ctx, complaint.Filing{Kind: complaint.KindWBS, Category: complaint.Other, Description: "Laporan tanpa identitas di tingkat pusat.", Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		insp := as(authz.Inspectorate, "32")
		if _, err := s.Reveal(insp, rc.ID, ""); !slicesEqual(fieldsOf(t, err), []string{"alasan"}) {
			t.Errorf("reveal without a reason: %v", err)
		}
		if _, err := s.Reveal(as(authz.Province, "32"), rc.ID, "ingin tahu"); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("province revealed: %v", err)
		}
		if _, err := s.Reveal(as(authz.Inspectorate, "53"), rc.ID, "pemeriksaan"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("another province's inspectorate revealed: %v", err)
		}
		if _, err := s.Reveal(as(authz.Inspectorate, ""), anon.ID, "pemeriksaan"); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("anonymous report revealed: %v", err)
		}
		before := countRows(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = $1`, complaint.ActReveal)
		ct, err := s.Reveal(insp, rc.ID, "Pemeriksaan khusus nomor 12/2026: perlu keterangan saksi")
		if err != nil || ct.Name != "Saksi Dalam" || ct.Email != "saksi@example.id" {
			t.Fatalf("reveal: %+v %v", ct, err)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = $1`, complaint.ActReveal); n != before+1 {
			t.Errorf("%d reveal entries, want %d", n, before+1)
		}
		var actor, after string
		if err := db.QueryRow(ctx, `SELECT actor, after_data FROM audit_log WHERE action = $1 AND object_id = $2`, complaint.ActReveal, rc.ID).Scan(&actor, &after); err != nil {
			t.Fatal(err)
		}
		if actor != "uji-inspektorat" || !strings.Contains(after, "Pemeriksaan khusus") || strings.Contains(after, "Saksi Dalam") {
			t.Errorf("audit entry: %s %s", actor, after)
		}
		if res, err := audit.Verify(ctx, db, audit.VerifyOptions{}); err != nil || res.Broken != nil {
			t.Errorf("audit chain: %+v %v", res, err)
		}
	})
}
