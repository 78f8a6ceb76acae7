package proposal_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/auth/authtest"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination/dettest"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// Villages: A and B desa of one district, K a kelurahan.
const (
	villageA = "32.01.01.2001"
	villageB = "32.01.01.2002"
	villageK = "32.01.01.1003"
	district = "32.01"
)

var testRegions = [][2]string{
	{"32", "Jawa Barat"}, {"32.01", "Kabupaten Bogor"}, {"32.01.01", "Cibinong"},
	{villageA, "Sukamaju"}, {villageB, "Pabuaran"}, {villageK, "Cibinong"},
}

// Valid identifiers: NIK PP KK CC DD MM YY SSSS (+40 on the day for women).
const (
	kkA    = "3201011506100001"
	kkB    = "3201011506100002"
	kkNew  = "3201011506100003"
	headA  = "3201011205800001"
	wifeA  = "3201014703850001"
	headB  = "3201012008750001"
	headN  = "3201010303700001"
	wifeN  = "3201014404720001"
	childN = "3201010505100001"
	babyA  = "3201010101260001"
)

// Principals.
var (
	opA1  = authz.Principal{UserID: 11, Username: "op-a1", Role: authz.Village, Region: villageA, Via: "sesi"}
	opA2  = authz.Principal{UserID: 12, Username: "op-a2", Role: authz.Village, Region: villageA, Via: "sesi"}
	opB   = authz.Principal{UserID: 13, Username: "op-b", Role: authz.Village, Region: villageB, Via: "sesi"}
	dis1  = authz.Principal{UserID: 21, Username: "dinsos-1", Role: authz.District, Region: district, Via: "sesi"}
	dis2  = authz.Principal{UserID: 22, Username: "dinsos-2", Role: authz.District, Region: district, Via: "sesi"}
	pend  = authz.Principal{UserID: 31, Username: "pendamping", Role: authz.SocialWorker, Region: district, Via: "sesi"}
	prov  = authz.Principal{UserID: 41, Username: "provinsi", Role: authz.Province, Region: "32", Via: "sesi"}
	other = authz.Principal{UserID: 23, Username: "dinsos-lain", Role: authz.District, Region: "32.02", Via: "sesi"}
)

func as(p authz.Principal) context.Context { return authz.With(context.Background(), p) }

// citizenA is a verified citizen of village A (head of family A).
var citizenA = proposal.Proposer{CitizenID: 1, UserID: 101, Name: "warga-a", NIK: headA, KK: kkA, VillageCode: villageA, Verified: true}

type world struct {
	t     *testing.T
	db    *store.DB
	svc   *proposal.Service
	reg   *registry.Registry
	clock *authtest.Clock
	famA  int64
	famB  int64
	wifeA int64
}

var (
	jpeg = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 200)...)
	png  = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 200)...)
	pdf  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\nstartxref\n9\n%%EOF\n")
)

func lat(v float64) *float64 { return &v }

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	var rows [][]any
	for _, r := range testRegions {
		level := strings.Count(r[0], ".") + 1
		parent := any(nil)
		if i := strings.LastIndex(r[0], "."); i > 0 {
			parent = r[0][:i]
		}
		rows = append(rows, []any{r[0], r[1], int64(level), parent, true, int64(0)})
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.CopyFrom(ctx, "regions", []string{"code", "name", "level", "parent", "active", "updated_at"}, rows)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := program.NewStore(db).InstallDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, db: db, reg: registry.New(db), clock: authtest.NewClock(store.Now())}
	w.svc = proposal.New(db)
	w.svc.Now = w.clock.Now
	w.svc.Registry.Now = w.clock.Now
	e := registry.Edit{Actor: "tes", Reason: "data awal"}
	fa, ms, err := w.reg.CreateFamily(ctx, e, registry.Family{KK: kkA, VillageCode: villageA, Address: "Jl. Melati 1",
		Latitude: lat(-6.48), Longitude: lat(106.85)},
		[]registry.Person{
			{NIK: headA, Name: "Budi Santoso", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"},
			{NIK: wifeA, Name: "Siti Aminah", Sex: "P", BirthDate: "1985-03-07", Relation: "istri"},
		})
	if err != nil {
		t.Fatal(err)
	}
	w.famA, w.wifeA = fa.ID, ms[1].ID
	fb, _, err := w.reg.CreateFamily(ctx, e, registry.Family{KK: kkB, VillageCode: villageB, Address: "Jl. Mawar 2"},
		[]registry.Person{{NIK: headB, Name: "Achmad Sukri", Sex: "L", BirthDate: "1975-08-20", Relation: "kepala_keluarga"}})
	if err != nil {
		t.Fatal(err)
	}
	w.famB = fb.ID
	// Family A receives PKH in a final determination.
	dettest.Final(t, db, 1, "PKH", "2026-Q1", "2026-01-01", "2026-03-31",
		dettest.Item{FamilyID: w.famA, Village: villageA, Status: "new", Eligible: true, Amount: 750000})
	return w
}

func run(t *testing.T, fn func(t *testing.T, w *world)) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { fn(t, newWorld(t, db)) })
}

// newFamilyInput is a citizen's usul of a new family in village A.
func newFamilyInput(village string) proposal.Input {
	return proposal.Input{Kind: proposal.UsulRegister, Reason: "keluarga miskin belum terdaftar",
		Family: &registry.Family{KK: kkNew, VillageCode: village, Address: "Kp. Baru RT 1"},
		Members: []registry.Person{
			{NIK: headN, Name: "Dedi Kurnia", Sex: "L", BirthDate: "1970-03-03", Relation: "kepala_keluarga"},
			{NIK: wifeN, Name: "Euis Nurhayati", Sex: "P", BirthDate: "1972-04-04", Relation: "istri"},
			{NIK: childN, Name: "Fajar", Sex: "L", BirthDate: "2010-05-05", Relation: "anak"},
		},
		Files: []proposal.File{{Name: "sktm.jpg", Data: jpeg}}}
}

func questionnaire() proposal.Questionnaire {
	return proposal.Questionnaire{Members: 3, FloorMaterial: "tanah", WallMaterial: "bambu", RoofMaterial: "seng",
		WaterSource: "sumur_tak_terlindung", Sanitation: "tidak_ada", Electricity: "pln_450", CookingFuel: "kayu_bakar",
		HouseOwnership: "milik_sendiri", LandOwnership: "milik_orang_lain", FloorArea: 24, Assets: []string{"sepeda"}, Poultry: 4}
}

// wantInvalid fails unless err is a validation error naming field with a
// reason containing want.
func wantInvalid(t *testing.T, err error, field, want string) {
	t.Helper()
	var inv *errs.Invalid
	if !errors.As(err, &inv) {
		t.Fatalf("want a validation error on %s, got %v", field, err)
	}
	for _, f := range inv.Fields {
		if strings.HasPrefix(f.Field, field) && strings.Contains(f.Reason, want) {
			return
		}
	}
	t.Fatalf("want %s: %q, got %v", field, want, err)
}

func (w *world) status(id int64) proposal.Status {
	w.t.Helper()
	it, err := w.svc.Get(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return it.Status
}

func (w *world) count(q string, args ...any) int64 {
	w.t.Helper()
	var n int64
	if err := w.db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// throughMeeting takes an item of village A through the village check
// (by opA2) and a Musdes that agrees.
func (w *world) throughMeeting(ids ...int64) {
	w.t.Helper()
	if _, err := w.svc.Decide(as(opA2), proposal.Decision{Step: proposal.StepVillage, Verdict: proposal.Approve, Items: proposal.Selection{IDs: ids}}); err != nil {
		w.t.Fatal(err)
	}
	ss, err := w.svc.CreateSession(as(opA1), villageA, "2026-03-10", "Balai desa")
	if err != nil {
		w.t.Fatal(err)
	}
	if n, err := w.svc.AddToSession(as(opA1), ss.ID, nil); err != nil || n != int64(len(ids)) {
		w.t.Fatalf("add: %d %v", n, err)
	}
	dec := map[int64]string{}
	for _, id := range ids {
		dec[id] = "setuju"
	}
	if err := w.svc.SetDecisions(as(opA1), ss.ID, dec); err != nil {
		w.t.Fatal(err)
	}
	if err := w.svc.SetAttendance(as(opA1), ss.ID, []proposal.Attendee{{Name: "H. Sutisna", Role: "Kepala desa"}}, 25); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.svc.CloseSession(as(opA1), ss.ID); err != nil {
		w.t.Fatal(err)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testRunner(db *store.DB, id string) *jobs.Runner {
	return jobs.New(db, jobs.Options{ID: id, Lease: 5 * time.Second, Poll: 20 * time.Millisecond,
		ProgressEvery: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond }, Logger: quietLogger()})
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }
