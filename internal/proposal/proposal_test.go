package proposal_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/registry"
)

// TestUsulToRegister follows a citizen's usul of a new family from filing
// to the register: village check by another operator, Musdes, verivali,
// district check into a batch, ratification by a second district officer,
// and the family registered with the verified questionnaire.
func TestUsulToRegister(t *testing.T) {
	run(t, func(t *testing.T, w *world) {
		it, err := w.svc.Submit(context.Background(), citizenA, newFamilyInput(villageA))
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != proposal.Submitted || it.VillageCode != villageA || it.Source != "warga" {
			t.Fatalf("submitted: %+v", it)
		}
		w.throughMeeting(it.ID)
		if st := w.status(it.ID); st != proposal.MeetingAgreed {
			t.Fatalf("after Musdes: %s", st)
		}
		// The district may not check a register usul before verivali.
		_, err = w.svc.Decide(as(dis1), proposal.Decision{Step: proposal.StepDistrict, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{it.ID}}})
		wantInvalid(t, err, "usulan[", "verivali")
		w.clock.Advance(24 * time.Hour)
		if _, err := w.svc.Verify(as(pend), it.ID, questionnaire(), "sesuai", "rumah sesuai"); err != nil {
			t.Fatal(err)
		}
		res, err := w.svc.Decide(as(dis1), proposal.Decision{Step: proposal.StepDistrict, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{it.ID}}})
		if err != nil || res.Count != 1 || res.BatchID == 0 {
			t.Fatalf("district: %+v %v", res, err)
		}
		// The officer who checked does not ratify.
		_, err = w.svc.Decide(as(dis1), proposal.Decision{Step: proposal.StepRatify, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{it.ID}}})
		wantInvalid(t, err, "usulan[", "oleh orang lain")
		if _, err := w.svc.Decide(as(dis2), proposal.Decision{Step: proposal.StepRatify, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{it.ID}}}); err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.Get(context.Background(), it.ID)
		if err != nil || got.Status != proposal.Ratified || got.AppliedAt == nil || got.FamilyID == 0 || got.ApplyError != "" {
			t.Fatalf("ratified: %+v %v", got, err)
		}
		f, members, err := w.reg.GetFamily(context.Background(), got.FamilyID, time.Time{})
		if err != nil || f.KK != kkNew || len(members) != 3 || f.FloorMaterial != "tanah" || f.ChangedBy != "dinsos-2" {
			t.Fatalf("registered: %+v %d %v", f, len(members), err)
		}
		if n := w.count(`SELECT COUNT(*) FROM proposal_batch WHERE status = 'disahkan' AND id = $1`, res.BatchID); n != 1 {
			t.Fatalf("batch not ratified: %d", n)
		}
		steps, err := w.svc.History(context.Background(), it.ID)
		if err != nil || len(steps) != 6 {
			t.Fatalf("history: %+v %v", steps, err)
		}
		// Every step is in the audit trail.
		if n := w.count(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'usulan' AND object_id = $1`, it.ID); n != 7 {
			t.Fatalf("audit entries: %d", n)
		}
		// A proposal for a family now registered is refused as a new entry.
		_, err = w.svc.Submit(context.Background(), citizenA, newFamilyInput(villageA))
		wantInvalid(t, err, "anggota", "sudah terdaftar")
	})
}

// TestDistrictAppliesVillageChange: a death recorded by a village operator
// (walk-in) is ratified by the district, which holds no village-level
// write right, and becomes a new version of the person.
func TestDistrictAppliesVillageChange(t *testing.T) {
	run(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		it, err := w.svc.Submit(as(opA1), proposal.OperatorProposer(opA1), proposal.Input{Kind: proposal.Death, PersonID: w.wifeA, Reason: "meninggal 1 Maret 2026, surat kematian desa"})
		if err != nil {
			t.Fatal(err)
		}
		w.throughMeeting(it.ID)
		if _, err := w.svc.Decide(as(dis1), proposal.Decision{Step: proposal.StepDistrict, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{it.ID}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(as(dis2), proposal.Decision{Step: proposal.StepRatify, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{it.ID}}}); err != nil {
			t.Fatal(err)
		}
		hist, err := w.reg.PersonHistory(ctx, w.wifeA)
		if err != nil || len(hist) != 2 || hist[1].Status != "meninggal" || hist[1].ChangedBy != "dinsos-2" || hist[0].Status != "aktif" {
			t.Fatalf("history: %+v %v", hist, err)
		}
		// A correction and a birth go the same way.
		c, err := w.svc.Submit(as(opA1), proposal.OperatorProposer(opA1), proposal.Input{Kind: proposal.Correction, FamilyID: w.famA,
			Change: map[string]string{"alamat": "Jl. Melati 3", "rt": "4"}, Reason: "alamat salah ketik"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := w.svc.Submit(as(opA1), proposal.OperatorProposer(opA1), proposal.Input{Kind: proposal.Birth, FamilyID: w.famA,
			Member: &registry.Person{NIK: babyA, Name: "Bayu", Sex: "L", BirthDate: "2026-01-01"}, Reason: "akta kelahiran"})
		if err != nil {
			t.Fatal(err)
		}
		w.throughMeeting(c.ID, b.ID)
		if _, err := w.svc.Decide(as(dis1), proposal.Decision{Step: proposal.StepDistrict, Verdict: proposal.Approve, Items: proposal.Selection{All: true}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(as(dis2), proposal.Decision{Step: proposal.StepRatify, Verdict: proposal.Approve, Items: proposal.Selection{All: true}}); err != nil {
			t.Fatal(err)
		}
		f, members, err := w.reg.GetFamily(ctx, w.famA, time.Time{})
		if err != nil || f.Address != "Jl. Melati 3" || f.RT != "4" || len(members) != 3 {
			t.Fatalf("family: %+v %d %v", f, len(members), err)
		}
	})
}

// TestBadInput: every refusal names its field and leaves nothing changed.
func TestBadInput(t *testing.T) {
	run(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		items := func() int64 { return w.count(`SELECT COUNT(*) FROM proposal`) }

		// An usul for a resident of another village.
		_, err := w.svc.Submit(ctx, citizenA, proposal.Input{Kind: proposal.UsulProgram, FamilyID: w.famB, Program: "PKH", Reason: "tetangga miskin"})
		wantInvalid(t, err, "kode_wilayah", "desa/kelurahan yang sama")
		_, err = w.svc.Submit(ctx, citizenA, newFamilyInput(villageB))
		wantInvalid(t, err, "kode_wilayah", "desa/kelurahan yang sama")
		// An operator's walk-in outside their village.
		_, err = w.svc.Submit(as(opA1), proposal.OperatorProposer(opA1), proposal.Input{Kind: proposal.UsulProgram, FamilyID: w.famB, Program: "PKH", Reason: "x"})
		wantInvalid(t, err, "kode_wilayah", "di luar wilayah")
		// An unverified citizen.
		unverified := citizenA
		unverified.Verified = false
		_, err = w.svc.Submit(ctx, unverified, newFamilyInput(villageA))
		wantInvalid(t, err, "akun", "belum diverifikasi")
		// Evidence that is not an image or PDF, by content.
		in := newFamilyInput(villageA)
		in.Files = []proposal.File{{Name: "bukti.jpg", Data: []byte("MZ\x90\x00 this is an executable, not a photo")}}
		_, err = w.svc.Submit(ctx, citizenA, in)
		wantInvalid(t, err, "bukti", "diperiksa dari isinya")
		in.Files = []proposal.File{{Name: "besar.jpg", Data: append(jpeg, make([]byte, proposal.MaxEvidence)...)}}
		_, err = w.svc.Submit(ctx, citizenA, in)
		wantInvalid(t, err, "bukti", "terlalu besar")
		if n := items(); n != 0 {
			t.Fatalf("refused submissions left %d items", n)
		}

		// The same proposal twice.
		first, err := w.svc.Submit(ctx, citizenA, proposal.Input{Kind: proposal.UsulProgram, FamilyID: w.famA, Program: "BPNT", Reason: "belum menerima"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Submit(ctx, citizenA, proposal.Input{Kind: proposal.UsulProgram, FamilyID: w.famA, Program: "BPNT", Reason: "sekali lagi"})
		wantInvalid(t, err, "subjek", "masih dalam proses")
		if n := items(); n != 1 {
			t.Fatalf("duplicate stored: %d items", n)
		}

		// A decision by the maker: opA1 entered the walk-in and may not check it.
		walk, err := w.svc.Submit(as(opA1), proposal.OperatorProposer(opA1), proposal.Input{Kind: proposal.Death, PersonID: w.wifeA, Reason: "meninggal"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Decide(as(opA1), proposal.Decision{Step: proposal.StepVillage, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{walk.ID}}})
		wantInvalid(t, err, "usulan[", "pembuat usulan")
		if st := w.status(walk.ID); st != proposal.Submitted {
			t.Fatalf("maker's decision changed the item: %s", st)
		}

		// A district approving before the village.
		_, err = w.svc.Decide(as(dis1), proposal.Decision{Step: proposal.StepDistrict, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{first.ID}}})
		wantInvalid(t, err, "usulan[", "berstatus Diajukan")
		if st := w.status(first.ID); st != proposal.Submitted {
			t.Fatalf("early district decision changed the item: %s", st)
		}
		// A village operator cannot take the district's step at all.
		if _, err := w.svc.Decide(as(opA2), proposal.Decision{Step: proposal.StepDistrict, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{first.ID}}}); err == nil {
			t.Fatal("village operator took the district step")
		}
		// A district of another regency does not see the item.
		_, err = w.svc.Decide(as(other), proposal.Decision{Step: proposal.StepVillage, Verdict: proposal.Reject, Reason: "x", Items: proposal.Selection{IDs: []int64{first.ID}}})
		if err == nil {
			t.Fatal("outside district decided")
		}

		// A ratification of an item already rejected.
		if _, err := w.svc.Decide(as(opA2), proposal.Decision{Step: proposal.StepVillage, Verdict: proposal.Reject, Reason: "sudah menerima BPNT",
			Items: proposal.Selection{IDs: []int64{first.ID}}}); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Decide(as(dis2), proposal.Decision{Step: proposal.StepRatify, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{first.ID}}})
		wantInvalid(t, err, "usulan[", "berstatus Ditolak")
		if it, _ := w.svc.Get(ctx, first.ID); it.Status != proposal.Rejected || it.RatifiedBy != "" {
			t.Fatalf("rejected item changed: %+v", it)
		}
		// A rejection without a reason.
		_, err = w.svc.Decide(as(opA2), proposal.Decision{Step: proposal.StepVillage, Verdict: proposal.Reject, Items: proposal.Selection{IDs: []int64{walk.ID}}})
		wantInvalid(t, err, "alasan", "wajib")
		// A mixed batch is refused whole: one good item, one not yet at the step.
		if _, err := w.svc.Decide(as(opA2), proposal.Decision{Step: proposal.StepVillage, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{walk.ID, first.ID}}}); err == nil {
			t.Fatal("mixed selection accepted")
		}
		if st := w.status(walk.ID); st != proposal.Submitted {
			t.Fatalf("refused batch changed an item: %s", st)
		}
	})
}

// TestObjection: a sanggah needs a photo and plausible coordinates; the
// district decides it within 14 days or it lapses; an upheld one opens a
// verification of the family.
func TestObjection(t *testing.T) {
	run(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		citizenB := proposal.Proposer{CitizenID: 2, UserID: 102, NIK: headB, KK: kkB, VillageCode: villageB, Verified: true}
		neighbour := proposal.Proposer{CitizenID: 3, UserID: 103, NIK: "3201010101900001", KK: "3201011506100009", VillageCode: villageA, Verified: true}
		good := func() proposal.Input {
			return proposal.Input{Kind: proposal.Objection, FamilyID: w.famA, Reason: "rumah bertingkat, punya mobil",
				Photo: &proposal.File{Name: "rumah.jpg", Data: jpeg}, Latitude: lat(-6.482), Longitude: lat(106.851)}
		}
		// Another village's citizen may not object.
		_, err := w.svc.Submit(ctx, citizenB, good())
		wantInvalid(t, err, "kode_wilayah", "yang sama")
		// Without a photo.
		in := good()
		in.Photo = nil
		_, err = w.svc.Submit(ctx, neighbour, in)
		wantInvalid(t, err, "foto_rumah", "wajib")
		// A "photo" that is a PDF.
		in = good()
		in.Photo = &proposal.File{Name: "rumah.jpg", Data: pdf}
		_, err = w.svc.Submit(ctx, neighbour, in)
		wantInvalid(t, err, "foto_rumah", "bukan JPEG/PNG")
		// Coordinates on another island: Kalimantan, Sumatra.
		for _, p := range [][2]float64{{-1.24, 116.85}, {3.59, 98.67}} {
			in = good()
			in.Latitude, in.Longitude = lat(p[0]), lat(p[1])
			_, err = w.svc.Submit(ctx, neighbour, in)
			wantInvalid(t, err, "lokasi", "di luar provinsi")
		}
		// On Java but far from the family's registered house.
		in = good()
		in.Latitude, in.Longitude = lat(-6.9), lat(107.6)
		_, err = w.svc.Submit(ctx, neighbour, in)
		wantInvalid(t, err, "lokasi", "km dari alamat keluarga")
		// A family that receives nothing.
		in = good()
		in.FamilyID = w.famB
		_, err = w.svc.Submit(ctx, proposal.Proposer{CitizenID: 4, VillageCode: villageB, Verified: true}, in)
		wantInvalid(t, err, "family_id", "bukan penerima")
		if n := w.count(`SELECT COUNT(*) FROM proposal`); n != 0 {
			t.Fatalf("refused objections stored: %d", n)
		}

		s1, err := w.svc.Submit(ctx, neighbour, good())
		if err != nil {
			t.Fatal(err)
		}
		if s1.Deadline == nil || !s1.Deadline.Equal(w.clock.Now().Add(14*24*time.Hour)) || s1.Program != "PKH" {
			t.Fatalf("objection: %+v", s1)
		}
		// The village does not decide a sanggah.
		_, err = w.svc.Decide(as(opA2), proposal.Decision{Step: proposal.StepVillage, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{s1.ID}}})
		wantInvalid(t, err, "usulan[", "sanggahan")
		// Decided late: refused and left as it was; the sweep lapses it.
		w.clock.Advance(15 * 24 * time.Hour)
		_, err = w.svc.DecideObjection(as(dis1), []int64{s1.ID}, true, "benar mampu")
		wantInvalid(t, err, "usulan[", "kedaluwarsa")
		if st := w.status(s1.ID); st != proposal.Submitted {
			t.Fatalf("late decision changed the objection: %s", st)
		}
		if n, err := w.svc.LapseDue(ctx); err != nil || n != 1 {
			t.Fatalf("lapse: %d %v", n, err)
		}
		if st := w.status(s1.ID); st != proposal.Lapsed {
			t.Fatalf("after sweep: %s", st)
		}
		// A new objection, decided in time and upheld: a verification opens.
		s2, err := w.svc.Submit(ctx, neighbour, good())
		if err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(13 * 24 * time.Hour)
		if _, err := w.svc.DecideObjection(as(dis1), []int64{s2.ID}, true, "perlu diverifikasi"); err != nil {
			t.Fatal(err)
		}
		vs, err := w.svc.Verifications(ctx, s2.ID)
		if err != nil || len(vs) != 1 || vs[0].Status != "terbuka" || vs[0].FamilyID != w.famA {
			t.Fatalf("verification: %+v %v", vs, err)
		}
		if _, err := w.svc.Verify(as(pend), s2.ID, questionnaire(), "tidak_sesuai", "rumah permanen"); err != nil {
			t.Fatal(err)
		}
		if vs, _ := w.svc.Verifications(ctx, s2.ID); len(vs) != 1 || vs[0].Status != "selesai" || vs[0].VerifiedBy != "pendamping" {
			t.Fatalf("verified: %+v", vs)
		}
		// The sweep does not touch decided objections.
		w.clock.Advance(30 * 24 * time.Hour)
		if n, err := w.svc.LapseDue(ctx); err != nil || n != 0 {
			t.Fatalf("lapse after decision: %d %v", n, err)
		}
		// A family resigns from PKH (its own KK).
		r, err := w.svc.Submit(ctx, citizenA, proposal.Input{Kind: proposal.Resign, FamilyID: w.famA, Program: "PKH", Reason: "usaha sudah cukup"})
		if err != nil || r.Kind != proposal.Resign {
			t.Fatalf("resign: %+v %v", r, err)
		}
		_, err = w.svc.Submit(ctx, neighbour, proposal.Input{Kind: proposal.Resign, FamilyID: w.famA, Program: "PKH", Reason: "x"})
		wantInvalid(t, err, "family_id", "keluarga Anda sendiri")
	})
}

// TestLapseJobSurvivesRestart: filing a sanggah schedules its lapse as a
// durable job at the deadline; a runner of another process, started after
// a restart, runs it.
func TestLapseJobSurvivesRestart(t *testing.T) {
	run(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		w.svc.RegisterJobs(testRunner(w.db, "sebelum"))
		neighbour := proposal.Proposer{CitizenID: 3, VillageCode: villageA, Verified: true}
		s, err := w.svc.Submit(ctx, neighbour, proposal.Input{Kind: proposal.Objection, FamilyID: w.famA, Reason: "mampu",
			Photo: &proposal.File{Name: "r.png", Data: png}, Latitude: lat(-6.48), Longitude: lat(106.85)})
		if err != nil {
			t.Fatal(err)
		}
		var jobID, runAfter int64
		if err := w.db.QueryRow(ctx, `SELECT id, run_after FROM jobs WHERE kind = $1 AND unique_key = $2 AND state = 'queued'`,
			string(proposal.LapseJob), "sanggah:"+itoa(s.ID)).Scan(&jobID, &runAfter); err != nil {
			t.Fatal(err)
		}
		if runAfter != s.Deadline.UnixMicro() {
			t.Fatalf("job runs at %d, deadline %d", runAfter, s.Deadline.UnixMicro())
		}
		// "Restart": a new service and runner on the same database.
		after := proposal.New(w.db)
		after.Now = w.clock.Now
		r := testRunner(w.db, "sesudah")
		after.RegisterJobs(r)
		w.clock.Advance(14*24*time.Hour + time.Minute)
		if in, err := r.RunNow(ctx, jobID); err != nil || in.State != "done" {
			t.Fatalf("job: %+v %v", in, err)
		}
		if st := w.status(s.ID); st != proposal.Lapsed {
			t.Fatalf("after job: %s", st)
		}
	})
}

func itoa(n int64) string { return fmtInt(n) }

// TestMinutesAndScan: the minutes are a PDF with the list and the
// attendance, their download is audited, and the signed scan must be a PDF.
func TestMinutesAndScan(t *testing.T) {
	run(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		it, err := w.svc.Submit(ctx, citizenA, proposal.Input{Kind: proposal.UsulProgram, FamilyID: w.famA, Program: "BPNT", Reason: "belum menerima"})
		if err != nil {
			t.Fatal(err)
		}
		w.throughMeeting(it.ID)
		ss, err := w.svc.Sessions(as(opA1), "", 10)
		if err != nil || len(ss) != 1 || ss[0].Status != "selesai" || ss[0].Kind != "musdes" {
			t.Fatalf("sessions: %+v %v", ss, err)
		}
		id := ss[0].ID
		if err := w.svc.SetAttendance(as(opA1), id, nil, 3); err == nil {
			t.Fatal("attendance changed after closing")
		}
		b, err := w.svc.Minutes(as(dis1), id)
		if err != nil {
			t.Fatal(err)
		}
		if out := os.Getenv("JARING_WRITE_MINUTES"); out != "" {
			_ = os.WriteFile(out, b, 0o600)
		}
		if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[len(b)-64:], []byte("%%EOF")) {
			t.Fatalf("minutes are not a PDF: %q", b[:min(len(b), 20)])
		}
		if n := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1 AND object_id = $2 AND actor = 'dinsos-1'`, proposal.ActMinutes, id); n != 1 {
			t.Fatalf("minutes download audited %d times", n)
		}
		// The operator's own region only.
		if _, err := w.svc.Minutes(as(opB), id); err == nil {
			t.Fatal("another village's operator downloaded the minutes")
		}
		// A scan that is not a PDF: refused, the session keeps no scan.
		for _, bad := range [][]byte{jpeg, []byte("%PDF-1.4 but cut off"), []byte("hello")} {
			_, err := w.svc.UploadScan(as(opA1), id, proposal.File{Name: "berita-acara.pdf", Data: bad})
			wantInvalid(t, err, "berita_acara", "bukan PDF")
		}
		if s, _ := w.svc.GetSession(ctx, id); s.ScanFileID != 0 {
			t.Fatalf("refused scan stored: %+v", s)
		}
		// The generated minutes themselves stand in for a signed scan.
		fi, err := w.svc.UploadScan(as(opA1), id, proposal.File{Name: "ba-ttd.pdf", Data: b})
		if err != nil || fi.ContentType != "application/pdf" {
			t.Fatalf("upload: %+v %v", fi, err)
		}
		got, data, err := w.svc.Scan(as(dis1), id)
		if err != nil || got.ID != fi.ID || !bytes.Equal(data, b) {
			t.Fatalf("scan: %+v %v", got, err)
		}
		// Indonesian dates.
		if d := proposal.LongDate(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)); d != "Selasa, 10 Maret 2026" {
			t.Fatal(d)
		}
	})
}

// TestDashboard counts waiting items per step with their age and the
// overdue ones, within the caller's region.
func TestDashboard(t *testing.T) {
	run(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		a, err := w.svc.Submit(ctx, citizenA, proposal.Input{Kind: proposal.UsulProgram, FamilyID: w.famA, Program: "BPNT", Reason: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Submit(as(opB), proposal.OperatorProposer(opB), proposal.Input{Kind: proposal.UsulProgram, FamilyID: w.famB, Program: "PKH", Reason: "y"}); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(20 * 24 * time.Hour)
		if _, err := w.svc.Submit(ctx, citizenA, proposal.Input{Kind: proposal.UsulProgram, FamilyID: w.famA, Program: "PKH", Reason: "z"}); err != nil {
			t.Fatal(err)
		}
		b, err := w.svc.Dashboard(as(dis1), "")
		if err != nil {
			t.Fatal(err)
		}
		sub := b.Total[0]
		if sub.Status != proposal.Submitted || sub.Count != 3 || sub.Overdue != 2 || sub.Oldest < 20*24*time.Hour || len(b.ByVillage) != 2 {
			t.Fatalf("district board: %+v", b)
		}
		// A village operator sees their village only.
		b, err = w.svc.Dashboard(as(opA1), "")
		if err != nil || b.Total[0].Count != 2 || len(b.ByVillage) != 1 {
			t.Fatalf("village board: %+v %v", b, err)
		}
		if _, err := w.svc.Dashboard(as(opA1), villageB); err == nil {
			t.Fatal("village operator saw another village's board")
		}
		_ = a
	})
}
