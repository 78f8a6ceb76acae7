package citizen_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

const (
	villageA = "32.04.28.2001"
	villageB = "53.07.01.2001"
	nikKnown = "3204281205800011" // AHMAD FAUZI, in the register
	kkKnown  = "3204281506100011"
	nikNew   = "3204285507900002" // not in the register
	kkNew    = "3204281506100099"
	password = "kata-sandi-warga-1"
)

// photo is a JPEG of w × h pixels, with an EXIF segment carrying an
// orientation and a marker standing for a GPS position when exif is set.
func photo(t testing.TB, w, h int, orientation uint16) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if orientation == 0 {
		return b
	}
	// TIFF, big-endian: one IFD entry (orientation), then a marker.
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a\x00\x00\x00\x08")
	_ = binary.Write(&tiff, binary.BigEndian, uint16(1))
	_ = binary.Write(&tiff, binary.BigEndian, []uint16{0x0112, 3})
	_ = binary.Write(&tiff, binary.BigEndian, uint32(1))
	_ = binary.Write(&tiff, binary.BigEndian, []uint16{orientation, 0})
	_ = binary.Write(&tiff, binary.BigEndian, uint32(0))
	tiff.WriteString("GPS-6.9147,107.6098")
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, b[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, b[2:]...)
}

func TestCleanPhotoStripsEXIF(t *testing.T) {
	raw := photo(t, 400, 300, 6)
	if !bytes.Contains(raw, []byte("Exif")) || !bytes.Contains(raw, []byte("GPS-6.9147")) {
		t.Fatal("the test photo lacks its EXIF segment")
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(raw)); err != nil || cfg.Width != 400 {
		t.Fatalf("the test photo does not decode: %v", err)
	}
	img, err := citizen.CleanPhoto("ktp", raw)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(img.Data, []byte("Exif")) || bytes.Contains(img.Data, []byte("GPS-6.9147")) {
		t.Error("EXIF survived the re-encoding")
	}
	// Orientation 6: the stored photo is turned upright, 300 × 400.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil || format != "jpeg" || cfg.Width != 300 || cfg.Height != 400 || img.Width != 300 {
		t.Errorf("cleaned photo: %s %dx%d %v", format, cfg.Width, cfg.Height, err)
	}
	big, err := citizen.CleanPhoto("ktp", photo(t, 3200, 1000, 0))
	if err != nil || big.Width != citizen.MaxSide || big.Height != 500 {
		t.Errorf("a large photo is scaled to %dx%d (%v)", big.Width, big.Height, err)
	}
}

func TestCleanPhotoRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"text claiming to be a JPEG": {[]byte("\xff\xd8 bukan foto, hanya teks yang mengaku JPEG"), "bukan foto"},
		"plain text":                 {[]byte("halo"), "bukan foto"},
		"empty":                      {nil, "wajib"},
		"oversized":                  {append(photo(t, 300, 300, 0), make([]byte, citizen.MaxPhotoBytes)...), "paling besar"},
		"too small":                  {photo(t, 100, 80, 0), "terlalu kecil"},
		"truncated":                  {photo(t, 400, 400, 0)[:600], "rusak"},
	} {
		_, err := citizen.CleanPhoto("selfie", c.b)
		var inv *errs.Invalid
		if !errors.As(err, &inv) || inv.Fields[0].Field != "selfie" || !strings.Contains(inv.Fields[0].Reason, c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

type world struct {
	db       *store.DB
	svc      *citizen.Service
	auth     *auth.Service
	opA, opB authz.Principal // village operators of A and B
	district authz.Principal // district office of A
	ktp, me  []byte
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, r := range []struct {
			code   string
			level  int
			parent any
		}{{"32", 1, nil}, {"32.04", 2, "32"}, {"32.04.28", 3, "32.04"}, {villageA, 4, "32.04.28"},
			{"53", 1, nil}, {"53.07", 2, "53"}, {"53.07.01", 3, "53.07"}, {villageB, 4, "53.07.01"}} {
			if _, err := tx.Exec(ctx, `INSERT INTO regions (code, name, level, parent, active, updated_at) VALUES ($1, $2, $3, $4, $5, 0)`,
				r.code, "W"+r.code, r.level, r.parent, true); err != nil {
				return err
			}
		}
		// Operators written directly: they act through the context here.
		for _, u := range []struct {
			id         int64
			name, role string
			region     string
		}{{9001, "op-a", "desa", villageA}, {9002, "op-b", "desa", villageB}, {9003, "dinsos-a", "dinsos", "32.04"}} {
			if _, err := tx.Exec(ctx, `INSERT INTO users (id, username, password_hash, role, region_code, disabled, created_at) VALUES ($1, $2, 'x', $3, $4, $5, 0)`,
				u.id, u.name, u.role, u.region, false); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO id_counters (name, next_id) VALUES ('user', 1) ON CONFLICT (name) DO NOTHING`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := registry.New(db).CreateFamily(ctx, registry.Edit{Actor: "test", Reason: "data awal"},
		registry.Family{KK: kkKnown, VillageCode: villageA, Address: "JL. RANCAEKEK 11"},
		[]registry.Person{{NIK: nikKnown, Name: "AHMAD FAUZI", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"}}); err != nil {
		t.Fatal(err)
	}
	a := auth.New(db)
	return &world{db: db, auth: a, svc: citizen.New(db, a, notify.New(db)),
		opA:      authz.Principal{UserID: 9001, Username: "op-a", Role: authz.Village, Region: villageA},
		opB:      authz.Principal{UserID: 9002, Username: "op-b", Role: authz.Village, Region: villageB},
		district: authz.Principal{UserID: 9003, Username: "dinsos-a", Role: authz.District, Region: "32.04"},
		ktp:      photo(t, 400, 300, 0), me: photo(t, 300, 400, 0)}
}

func (w *world) reg(nikv, kk, name string) citizen.Registration {
	return citizen.Registration{NIK: nikv, KK: kk, Name: name, VillageCode: villageA, Phone: "0812-3456-7" + nikv[12:], Password: password, KTP: w.ktp, Selfie: w.me}
}

func as(p authz.Principal) context.Context { return authz.With(context.Background(), p) }

func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		for _, f := range inv.Fields {
			out[f.Field] = f.Reason
		}
	}
	return out
}

func TestRegisterAndDecide(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		acc, err := w.svc.Register(ctx, w.reg(nikNew, kkNew, "  siti   aminah "))
		if err != nil {
			t.Fatal(err)
		}
		if acc.Status != citizen.Pending || acc.Verified || acc.Name != "SITI AMINAH" || acc.Phone != "+6281234567"+nikNew[12:] || acc.PersonID != 0 || len(acc.Flags) != 0 {
			t.Fatalf("registered: %+v", acc)
		}
		u, err := w.auth.UserByName(ctx, citizen.Username(acc.ID))
		if err != nil || u.Role != string(authz.Citizen) || u.RegionCode != villageA || strings.Contains(u.Username, nikNew) {
			t.Fatalf("account: %+v %v", u, err)
		}
		// The operators of the village and the district office are told; the B operator is not.
		n := notify.New(db)
		for id, want := range map[int64]int{9001: 1, 9003: 1, 9002: 0, acc.ID: 1} {
			if list, _ := n.List(ctx, id, notify.ListOptions{}); len(list) != want {
				t.Errorf("user %d has %d notifications, want %d", id, len(list), want)
			}
		}
		// The photos are stored re-encoded.
		var kinds int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM citizen_photo WHERE user_id = $1 AND content_type = 'image/jpeg'`, acc.ID).Scan(&kinds); err != nil || kinds != 2 {
			t.Fatalf("photos: %d %v", kinds, err)
		}

		// Out of scope: B's operator does not find it.
		if _, err := w.svc.Decide(as(w.opB), acc.ID, citizen.Decision{Approve: true}); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("out-of-scope approve: %v", err)
		}
		if _, err := w.svc.Get(as(w.opB), acc.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("out-of-scope view: %v", err)
		}
		if _, err := w.svc.Photo(as(w.opB), acc.ID, citizen.PhotoKTP); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("out-of-scope photo: %v", err)
		}
		if q, _ := w.svc.Queue(as(w.opB), citizen.QueueOptions{}); len(q) != 0 {
			t.Fatalf("B's queue shows A's account: %+v", q)
		}
		q, err := w.svc.Queue(as(w.opA), citizen.QueueOptions{})
		if err != nil || len(q) != 1 || q[0].ID != acc.ID || q[0].NIKMasked == nikNew || !strings.HasPrefix(q[0].NIKMasked, "3204") {
			t.Fatalf("A's queue: %+v %v", q, err)
		}
		// A rejection needs a published reason.
		for _, bad := range []string{"", "wajah jelek"} {
			if _, err := w.svc.Decide(as(w.opA), acc.ID, citizen.Decision{Reason: bad}); fieldsOf(err)["reason"] == "" {
				t.Errorf("reject with reason %q: %v", bad, err)
			}
		}
		got, err := w.svc.Decide(as(w.opA), acc.ID, citizen.Decision{Reason: "ktp_terbalik", Note: "Foto KTP terbalik, ulangi."})
		if err != nil || got.Status != citizen.Rejected || got.RejectReason != "ktp_terbalik" || got.DecidedBy != "op-a" {
			t.Fatalf("reject: %+v %v", got, err)
		}
		if _, err := w.svc.Decide(as(w.district), acc.ID, citizen.Decision{Approve: true}); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("a decided account decided again: %v", err)
		}
		list, _ := n.List(ctx, acc.ID, notify.ListOptions{})
		if len(list) != 2 || list[0].Subject != "Akun Anda ditolak" || !strings.Contains(list[0].Body, "KTP terbalik") {
			t.Fatalf("citizen's notifications: %+v", list)
		}
		// New photos put it back in the queue; the district office approves.
		me, _ := citizen.ByUser(ctx, db, acc.ID)
		if _, err := w.svc.Resubmit(citizen.With(ctx, me), []byte("bukan foto"), w.me); fieldsOf(err)["ktp"] == "" {
			t.Fatalf("resubmit with a text file: %v", err)
		}
		if again, err := w.svc.Resubmit(citizen.With(ctx, me), w.ktp, w.me); err != nil || again.Status != citizen.Pending {
			t.Fatalf("resubmit: %+v %v", again, err)
		}
		ok, err := w.svc.Decide(as(w.district), acc.ID, citizen.Decision{Approve: true})
		if err != nil || !ok.Verified {
			t.Fatalf("approve: %+v %v", ok, err)
		}
		me, _ = citizen.ByUser(ctx, db, acc.ID)
		if _, err := citizen.RequireVerified(citizen.With(ctx, me)); err != nil {
			t.Fatalf("verified citizen refused: %v", err)
		}
		// The operators' looks and the decisions are in the audit trail,
		// which never holds the NIK, KK number or name.
		if _, err := w.svc.Get(as(w.opA), acc.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Photo(as(w.opA), acc.ID, citizen.PhotoSelfie); err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		rows, err := db.Query(ctx, `SELECT action, actor, COALESCE(before_data, ''), COALESCE(after_data, '') FROM audit_log WHERE object_type = 'warga' AND object_id = $1`, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var action, actor, before, after string
			if err := rows.Scan(&action, &actor, &before, &after); err != nil {
				t.Fatal(err)
			}
			counts[action+" "+actor]++
			for _, bad := range []string{nikNew, kkNew, "AMINAH"} {
				if strings.Contains(actor+before+after, bad) {
					t.Errorf("audit %s carries %s", action, bad)
				}
			}
		}
		rows.Close()
		wn := citizen.Username(acc.ID)
		for _, want := range []string{"warga.daftar " + wn, "warga.tolak op-a", "warga.kirim_ulang " + wn, "warga.setujui dinsos-a", "lihat op-a", "lihat.foto op-a"} {
			if counts[want] != 1 {
				t.Errorf("audit %q: %d entries (%v)", want, counts[want], counts)
			}
		}
	})
}

func TestRegisterRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		// Bad NIK and KK, a missing contact, a bad village and text for photos: all named at once.
		bad := citizen.Registration{NIK: "3204281205800", KK: "32042815061000AB", Name: "X", VillageCode: "32.04", Password: "pendek",
			KTP: []byte("\xff\xd8 teks saja"), Selfie: nil}
		f := fieldsOf(func() error { _, err := w.svc.Register(ctx, bad); return err }())
		for _, name := range []string{"nik", "kk", "name", "village", "phone", "password", "ktp", "selfie"} {
			if f[name] == "" {
				t.Errorf("field %s not named: %v", name, f)
			}
		}
		r := w.reg(nikNew, kkNew, "SITI AMINAH")
		r.VillageCode = "32.04.28.2999"
		if f := fieldsOf(func() error { _, err := w.svc.Register(ctx, r); return err }()); f["village"] == "" {
			t.Errorf("unknown village: %v", f)
		}
		r.VillageCode, r.Email, r.Phone = villageA, "bukan-email", "12345"
		if f := fieldsOf(func() error { _, err := w.svc.Register(ctx, r); return err }()); f["email"] == "" || f["phone"] == "" {
			t.Errorf("bad contact: %v", f)
		}
		if _, err := w.svc.Register(ctx, w.reg(nikNew, kkNew, "SITI AMINAH")); err != nil {
			t.Fatal(err)
		}
		// One account per NIK.
		dup := w.reg(nikNew, kkNew, "SITI AMINAH")
		dup.Phone = "081399990000"
		_, err := w.svc.Register(ctx, dup)
		if !errors.Is(err, errs.ErrConflict) || !strings.Contains(err.Error(), "satu NIK satu akun") {
			t.Fatalf("second account for a NIK: %v", err)
		}
		// A phone number belongs to one account.
		other := w.reg("3204286607950003", kkNew, "RINA")
		other.Phone = "+62 812 3456 7" + nikNew[12:]
		if _, err := w.svc.Register(ctx, other); !errors.Is(err, errs.ErrConflict) || !strings.Contains(err.Error(), "HP") {
			t.Fatalf("a phone number twice: %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = 'warga'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("refused registrations left %d accounts (%v)", n, err)
		}
	})
}

func TestRegisterCheck(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		// Known NIK, its KK, its name in another spelling: no flag.
		a, err := w.svc.Register(ctx, w.reg(nikKnown, kkKnown, "Achmad Fauzi"))
		if err != nil || len(a.Flags) != 0 || a.PersonID == 0 {
			t.Fatalf("matching registration: %+v %v", a, err)
		}
		// The same person cannot register twice; a known NIK with another KK and name is flagged.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM citizen_photo WHERE user_id = $1`, a.ID)
			if err == nil {
				_, err = tx.Exec(ctx, `UPDATE citizen_account SET nik = '3204281205800099' WHERE user_id = $1`, a.ID)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		r := w.reg(nikKnown, kkNew, "BUDI SANTOSO")
		r.Phone = "081311112222"
		r.VillageCode = villageB
		b, err := w.svc.Register(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{citizen.FlagKK: true, citizen.FlagName: true, citizen.FlagVillage: true}
		if len(b.Flags) != len(want) {
			t.Fatalf("flags %v, want %v", b.Flags, want)
		}
		for _, f := range b.Flags {
			if !want[f] {
				t.Errorf("unexpected flag %s", f)
			}
		}
		// Under 17 by the NIK (born 2015).
		r = w.reg("3204281205150001", kkNew, "ANAK KECIL")
		r.Phone = "081322223333"
		c, err := w.svc.Register(ctx, r)
		if err != nil || len(c.Flags) != 1 || c.Flags[0] != citizen.FlagUnderAge {
			t.Fatalf("under age: %+v %v", c, err)
		}
	})
}

func TestMakerCannotDecide(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		// A village operator registers a walk-in resident.
		acc, err := w.svc.Register(as(w.opA), w.reg(nikNew, kkNew, "SITI AMINAH"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(as(w.opA), acc.ID, citizen.Decision{Approve: true}); !errors.Is(err, citizen.ErrMaker) {
			t.Fatalf("maker approved: %v", err)
		}
		// The citizen themselves (were they given the role's action).
		self := authz.Principal{UserID: acc.ID, Username: citizen.Username(acc.ID), Role: authz.Village, Region: villageA}
		if _, err := w.svc.Decide(as(self), acc.ID, citizen.Decision{Approve: true}); !errors.Is(err, citizen.ErrMaker) {
			t.Fatalf("the citizen approved themselves: %v", err)
		}
		if got, err := w.svc.Decide(as(w.district), acc.ID, citizen.Decision{Approve: true}); err != nil || !got.Verified {
			t.Fatalf("another operator: %+v %v", got, err)
		}
	})
}

func TestSignInWithNIKPhoneEmail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		r := w.reg(nikNew, kkNew, "SITI AMINAH")
		r.Email = "Siti.Aminah@Example.org"
		acc, err := w.svc.Register(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{nikNew, " " + nikNew, "0812 3456 7" + nikNew[12:], "+6281234567" + nikNew[12:], "siti.aminah@example.org"} {
			_, sess, err := w.auth.SignIn(ctx, auth.Attempt{Username: name, Password: password, Address: "10.0.0.1"})
			if err != nil || sess.User.ID != acc.ID || sess.User.Role != string(authz.Citizen) {
				t.Fatalf("sign in as %q: %+v %v", name, sess.User, err)
			}
		}
		if _, _, err := w.auth.SignIn(ctx, auth.Attempt{Username: nikNew, Password: "salah-kata-sandi", Address: "10.0.0.1"}); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, _, err := w.auth.SignIn(ctx, auth.Attempt{Username: "3204280101010001", Password: password, Address: "10.0.0.1"}); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("unknown NIK: %v", err)
		}
		// Neither the trail nor the throttle keeps a typed NIK.
		var leaks int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE COALESCE(after_data, '') LIKE '%3204280101010001%' OR COALESCE(after_data, '') LIKE $1`, "%"+nikNew+"%").Scan(&leaks); err != nil || leaks != 0 {
			t.Fatalf("audit entries with a NIK: %d %v", leaks, err)
		}
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM signin_throttle WHERE key LIKE '%32042%'`).Scan(&leaks); err != nil || leaks != 0 {
			t.Fatalf("throttle keys with a NIK: %d %v", leaks, err)
		}
	})
}
