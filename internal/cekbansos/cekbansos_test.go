package cekbansos_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/cekbansos"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/welfare"
)

var testRegions = [][2]string{
	{"32", "Jawa Barat"}, {"32.01", "Kabupaten Bogor"},
	{"32.01.01", "Cibinong"}, {"32.01.01.1001", "Cibinong"}, {"32.01.01.2002", "Pabuaran"},
	{"32.01.02", "Gunung Putri"}, {"32.01.02.2001", "Wanaherang"},
}

// The register: deciles F1 1, F2 2, F3 6, F4 3, F5 4, F7 2, F6 not ranked.
//
//	F1 Pabuaran: Wawan Lestari (wiraswasta), Siti, Rizki (SMP), Ani (SD)
//	F2 Cibinong: Agus (ASN), Rina
//	F3 Wanaherang: Joko, Wati
//	F4 Pabuaran: Dedi, Euis (no PKH component)
//	F5 Wanaherang: Kakek (65), Nenek (63)
//	F6 Cibinong: Yanto (not ranked)
//	F7 Pabuaran: Siti Aminah, Siti (a second Siti in Pabuaran); put to sleep before the determinations
const (
	nikWawan = "3201011205800001"
	nikAgus  = "3201012008750001"
	nikJoko  = "3201011501700001"
	nikDedi  = "3201010202900001"
	nikKakek = "3201010303600001"
	nikYanto = "3201010808880001"
	nikRudi  = "3201010909800001"
	pabuaran = "32.01.01.2002"
)

var registerCSV = "no_kk,kode_wilayah,nik,nama,jenis_kelamin,tanggal_lahir,hubungan,pekerjaan,jenjang_sekolah,id_sekolah\n" +
	"3201011506100001,32.01.01.2002," + nikWawan + ",Wawan Lestari,L,1980-05-12,kepala_keluarga,wiraswasta,,\n" +
	"3201011506100001,,3201014703850001,Siti,P,1985-03-07,istri,mengurus_rumah_tangga,,\n" +
	"3201011506100001,,3201010101120001,Rizki,L,2012-01-01,anak,pelajar,smp,0101234567\n" +
	"3201011506100001,,3201014202170001,Ani,P,2017-02-02,anak,pelajar,sd,0101234568\n" +
	"3201011506100002,32.01.01.1001," + nikAgus + ",Agus,L,1975-08-20,kepala_keluarga,asn,,\n" +
	"3201011506100002,,3201014404780001,Rina,P,1978-04-04,istri,mengurus_rumah_tangga,,\n" +
	"3201011506100003,32.01.02.2001," + nikJoko + ",Joko,L,1970-01-15,kepala_keluarga,buruh,,\n" +
	"3201011506100003,,3201014606720001,Wati,P,1972-06-06,istri,mengurus_rumah_tangga,,\n" +
	"3201011506100004,32.01.01.2002," + nikDedi + ",Dedi,L,1990-02-02,kepala_keluarga,petani,,\n" +
	"3201011506100004,,3201014909920001,Euis,P,1992-09-09,istri,mengurus_rumah_tangga,,\n" +
	"3201011506100005,32.01.02.2001," + nikKakek + ",Kakek,L,1960-03-03,kepala_keluarga,petani,,\n" +
	"3201011506100005,,3201014707620001,Nenek,P,1962-07-07,istri,mengurus_rumah_tangga,,\n" +
	"3201011506100006,32.01.01.1001," + nikYanto + ",Yanto,L,1988-08-08,kepala_keluarga,petani,,\n" +
	"3201011506100007,32.01.01.2002," + nikRudi + ",Rudi,L,1980-09-09,kepala_keluarga,petani,,\n" +
	"3201011506100007,,3201015001850001,Siti,P,1985-01-10,istri,mengurus_rumah_tangga,,\n"

var deciles = map[string]int{"F1": 1, "F2": 2, "F3": 6, "F4": 3, "F5": 4, "F7": 2}

type world struct {
	t   *testing.T
	db  *store.DB
	reg *registry.Registry
	fam map[string]int64
	svc *cekbansos.Service
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func as(user string) context.Context {
	return authz.With(context.Background(), authz.Principal{Username: user, Role: authz.Program})
}

// newWorld imports the register, ranks it, puts F7 to sleep, and makes
// final determinations of PKH, BPNT, PBI_JK and of UJI (BPNT with a quota
// of one family in district 32.01.01) through the determination engine.
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
	w := &world{t: t, db: db, reg: registry.New(db), fam: map[string]int64{}, svc: cekbansos.New(db)}
	src, err := registry.NewCSVReader(strings.NewReader(registerCSV), int64(len(registerCSV)), registry.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rep strings.Builder
	if res, err := w.reg.Import(ctx, src, registry.ImportOptions{Actor: "test", Reason: "tes", Report: &rep}); err != nil || res.FamiliesAdded != 7 {
		t.Fatalf("import: %+v %v\n%s", res, err, rep.String())
	}
	for i := 1; i <= 7; i++ {
		f, err := w.reg.FindByKK(ctx, "320101150610000"+string(rune('0'+i)))
		if err != nil {
			t.Fatal(err)
		}
		w.fam["F"+string(rune('0'+i))] = f.ID
	}
	f7, err := w.reg.FindByKK(ctx, "3201011506100007")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.SetFamilyStatus(ctx, registry.Edit{Actor: "operator", Reason: "pindah"}, f7.ID, f7.Version, "ditidurkan", "pindah domisili"); err != nil {
		t.Fatal(err)
	}
	if err := welfare.EnsureDefault(ctx, db); err != nil {
		t.Fatal(err)
	}
	now := store.Micros(store.Now())
	if err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO welfare_runs (id, model_version, by_province, state, data_as_of, started_at, finished_at, started_by, families)
			VALUES (1, $1, FALSE, 'selesai', $2, $2, $2, 'tes', 6)`, welfare.DefaultModel().Version, now); err != nil {
			return err
		}
		for name, d := range deciles {
			if _, err := tx.Exec(ctx, `INSERT INTO welfare_scores (run_id, family_id, family_version, province, score, decile, contributions)
				VALUES (1, $1, 1, '32', $2, $3, '[]')`, w.fam[name], float64(d*10), d); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Ratified proposals: Kakek's family resigned from BPNT; Dedi's was
	// proposed for UJI (noted, and still cut by the quota: F1 is poorer).
	if err := db.Write(ctx, func(tx *store.Tx) error {
		for _, r := range []struct {
			id       int64
			fam, prg string
			req      string
		}{{901, "F5", "BPNT", "mundur"}, {902, "F4", "UJI", "masuk"}} {
			if _, err := tx.Exec(ctx, `INSERT INTO program_request (proposal_id, family_id, program, request, effective_from) VALUES ($1, $2, $3, $4, $5)`,
				r.id, w.fam[r.fam], r.prg, r.req, store.Micros(time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ps := program.NewStore(db)
	if _, err := ps.InstallDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := program.Default("BPNT")
	if err != nil {
		t.Fatal(err)
	}
	d.Program, d.Name, d.Quotas = "UJI", "Uji kuota", map[string]int64{"32.01.01": 1}
	v, err := ps.CreateDraft(ctx, d, "perancang", "uji kuota")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Approve(ctx, "UJI", v.Version, "penyetuju"); err != nil {
		t.Fatal(err)
	}
	runner := jobs.New(db, jobs.Options{ID: "tes", Lease: 2 * time.Second, Poll: 20 * time.Millisecond,
		ProgressEvery: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond }, Logger: quiet()})
	determination.RegisterJob(runner, db)
	dsvc := determination.New(db, runner)
	st, err := dsvc.Start(as("pembuat"), []determination.Spec{{Program: "PKH", Period: "2026-Q1"}, {Program: "BPNT", Period: "2026-B1"},
		{Program: "PBI_JK", Period: "2026-01"}, {Program: "UJI", Period: "2026-B1"}})
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	if in, err := runner.RunNow(rctx, st.JobID); err != nil || in.State != jobs.Done {
		t.Fatalf("job: %+v %v", in, err)
	}
	for _, det := range st.Determinations {
		if _, err := dsvc.Approve(as("pemeriksa"), det.ID); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) check(q cekbansos.Query) *cekbansos.Answer {
	w.t.Helper()
	a, err := w.svc.Check(audit.WithRequest(context.Background(), "rtes", "192.0.2.7"), q)
	if err != nil {
		w.t.Fatalf("check %+v: %v", q, err)
	}
	return a
}

// summary writes an answer's programs as "PKH:receiving" or "PKH:not_receiving=category/sub,...".
func summary(a *cekbansos.Answer) string {
	var parts []string
	for _, p := range a.Programs {
		s := p.Program + ":" + p.Status
		var cs []string
		for _, r := range p.Reasons {
			c := string(r.Category)
			if r.Sub != "" {
				c += "/" + r.Sub
			}
			cs = append(cs, c)
		}
		if len(cs) > 0 {
			s += "=" + strings.Join(cs, ",")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// Each reason category comes from real determinations.
func TestAnswersAndReasons(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		cases := []struct {
			nik, name string
			decile    int
			want      string
		}{
			{nikWawan, "W***N L*****I", 1, "BPNT:receiving PBI_JK:receiving PKH:receiving UJI:receiving"},
			{nikAgus, "A**S", 2, "BPNT:not_receiving=excluded/occupation PBI_JK:not_receiving=excluded/occupation PKH:not_receiving=excluded/occupation UJI:not_receiving=excluded/occupation"},
			{nikJoko, "J**O", 6, "BPNT:not_receiving=above_decile PBI_JK:not_receiving=above_decile PKH:not_receiving=above_decile UJI:not_receiving=above_decile"},
			{nikDedi, "D**I", 3, "BPNT:receiving PBI_JK:receiving PKH:not_receiving=excluded/not_target UJI:not_receiving=quota_reached"},
			{nikYanto, "Y***O", 0, "BPNT:not_receiving=waiting_verification PBI_JK:not_receiving=waiting_verification PKH:not_receiving=waiting_verification UJI:not_receiving=waiting_verification"},
			{nikKakek, "K***K", 4, "BPNT:not_receiving=resigned PBI_JK:receiving PKH:receiving UJI:receiving"},
			{nikRudi, "R**I", 2, "BPNT:not_receiving=excluded/inactive_data PBI_JK:not_receiving=excluded/inactive_data PKH:not_receiving=excluded/inactive_data UJI:not_receiving=excluded/inactive_data"},
		}
		for _, c := range cases {
			a := w.check(cekbansos.Query{NIK: c.nik})
			if a.Result != cekbansos.Found || a.MaskedName != c.name || a.Decile != c.decile || summary(a) != c.want {
				t.Errorf("%s: %s %q decile %d\n  %s\nwant %q decile %d\n  %s", c.name, a.Result, a.MaskedName, a.Decile, summary(a), c.name, c.decile, c.want)
			}
			for _, p := range a.Programs {
				if p.Period == "" || p.PeriodStart == "" || p.PeriodEnd == "" || p.Name == "" {
					t.Errorf("%s %s: period or name missing: %+v", c.name, p.Program, p)
				}
				for _, r := range p.Reasons {
					if r.ID == "" || r.EN == "" {
						t.Errorf("%s %s: reason without text: %+v", c.name, p.Program, r)
					}
				}
			}
		}
		// A resigned family reads that it resigned.
		for _, p := range w.check(cekbansos.Query{NIK: nikKakek}).Programs {
			if p.Program == "BPNT" && (len(p.Reasons) != 1 || !strings.HasPrefix(p.Reasons[0].ID, "Keluarga mengundurkan diri dari program ini")) {
				t.Errorf("BPNT resigned: %+v", p.Reasons)
			}
		}
		// Per-person programs count the members receiving.
		a := w.check(cekbansos.Query{NIK: nikWawan})
		for _, p := range a.Programs {
			if p.Program == "PBI_JK" && p.Members != 4 {
				t.Errorf("PBI_JK members: %d", p.Members)
			}
		}

		// Not in the register: how to be proposed.
		a = w.check(cekbansos.Query{NIK: "3201011205800099"})
		if a.Result != cekbansos.NotFound || a.Message == nil || a.Message.Category != cekbansos.NotRegistered ||
			!strings.Contains(a.Message.ID, "Musdes") || a.MaskedName != "" || len(a.Programs) != 0 {
			t.Errorf("not registered: %+v", a)
		}

		// A family added after the determinations waits for verification.
		_, _, err := w.reg.CreateFamily(context.Background(), registry.Edit{Actor: "operator", Reason: "baru"},
			registry.Family{KK: "3201011506100008", VillageCode: pabuaran},
			[]registry.Person{{NIK: "3201011111900001", Name: "Bambang Baru", Sex: "L", BirthDate: "1990-11-11", Relation: "kepala_keluarga"}})
		if err != nil {
			t.Fatal(err)
		}
		a = w.check(cekbansos.Query{Village: pabuaran, Name: "bambang  baru"})
		if a.Result != cekbansos.Found || a.MaskedName != "B*****G B**U" || a.Decile != 0 ||
			summary(a) != "BPNT:not_receiving=waiting_verification PBI_JK:not_receiving=waiting_verification PKH:not_receiving=waiting_verification UJI:not_receiving=waiting_verification" {
			t.Errorf("new family: %+v %s", a, summary(a))
		}
	})
}

// A name finds a family only when it equals a current member's name after
// folding, in that village, and only one family has it.
func TestNames(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, c := range []struct {
			village, name, result, masked string
		}{
			{pabuaran, "WAWAN LESTARI", cekbansos.Found, "W***N L*****I"},
			{pabuaran, "wawan   lestari", cekbansos.Found, "W***N L*****I"},
			{pabuaran, "Wawan Lestarri", cekbansos.Found, "W***N L*****I"}, // doubled letters fold like name_key
			{pabuaran, "Wawan", cekbansos.NotFound, ""},                    // a prefix of the name is not the name
			{pabuaran, "Wawan Lestar", cekbansos.NotFound, ""},
			{pabuaran, "Wawan Lestari Putra", cekbansos.NotFound, ""},
			{"32.01.01.1001", "Wawan Lestari", cekbansos.NotFound, ""}, // another village
			{pabuaran, "Siti", cekbansos.NeedNIKResult, ""},            // Siti of F1 and Siti of F7
			{pabuaran, "St.", cekbansos.NeedNIKResult, ""},
			{pabuaran, "Rizki", cekbansos.Found, "R***I"}, // a child is a member too
		} {
			a := w.check(cekbansos.Query{Village: c.village, Name: c.name})
			if a.Result != c.result || a.MaskedName != c.masked {
				t.Errorf("%s %q: %s %q, want %s %q", c.village, c.name, a.Result, a.MaskedName, c.result, c.masked)
			}
			if a.Result == cekbansos.NeedNIKResult && (a.Message == nil || len(a.Programs) != 0 || a.Decile != 0) {
				t.Errorf("%q: an ambiguous name must only ask for the NIK: %+v", c.name, a)
			}
		}
	})
}

// Bad input is refused naming the field, and is never quoted back.
func TestBadInput(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, c := range []struct {
			q     cekbansos.Query
			field string
		}{
			{cekbansos.Query{}, "wilayah"},
			{cekbansos.Query{NIK: "12345"}, "nik"},
			{cekbansos.Query{NIK: "32010112058000AB"}, "nik"},
			{cekbansos.Query{NIK: "3201011305800001x"}, "nik"},
			{cekbansos.Query{NIK: "<script>alert(1)</script>"}, "nik"},
			{cekbansos.Query{NIK: nikWawan, Village: pabuaran, Name: "Wawan"}, "nik"},
			{cekbansos.Query{Village: pabuaran, Name: "W"}, "nama"},
			{cekbansos.Query{Village: pabuaran, Name: strings.Repeat("A", 1000)}, "nama"},
			{cekbansos.Query{Village: pabuaran, Name: "<script>alert(1)</script>"}, "nama"},
			{cekbansos.Query{Village: pabuaran, Name: "Wawan\x00Lestari"}, "nama"},
			{cekbansos.Query{Village: pabuaran, Name: "<b>Wawan</b>"}, "nama"},
			{cekbansos.Query{Village: pabuaran}, "nama"},
			{cekbansos.Query{Village: "32.01.01", Name: "Wawan Lestari"}, "wilayah"},
			{cekbansos.Query{Village: "<img src=x>", Name: "Wawan Lestari"}, "wilayah"},
			{cekbansos.Query{Village: "32.01.01.2999", Name: "Wawan Lestari"}, "wilayah"}, // unknown village
		} {
			a, err := w.svc.Check(context.Background(), c.q)
			var inv *errs.Invalid
			if !errors.As(err, &inv) || len(inv.Fields) == 0 || inv.Fields[0].Field != c.field {
				t.Errorf("%+v: %v %+v, want invalid %s", c.q, err, a, c.field)
				continue
			}
			for _, f := range inv.Fields {
				if f.Value != "" || strings.Contains(f.Reason, "<") || (c.q.NIK != "" && strings.Contains(f.Reason, c.q.NIK)) {
					t.Errorf("%+v: the refusal quotes the input: %+v", c.q, f)
				}
			}
		}
	})
}

// Every answered check is audited, with the subject masked; checks that
// show nobody are not.
func TestAudit(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.check(cekbansos.Query{NIK: nikWawan})
		w.check(cekbansos.Query{Village: pabuaran, Name: "Dedi"})
		w.check(cekbansos.Query{Village: pabuaran, Name: "Siti"}) // ambiguous: nobody shown
		w.check(cekbansos.Query{NIK: "3201011205800099"})         // not found
		rows, err := db.Query(context.Background(), `SELECT actor, role, region, object_type, object_id, person_id, after_data, request_id, client_addr
			FROM audit_log WHERE action = $1 ORDER BY seq`, cekbansos.ActCheck)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var actor, role, region, otype, after, req, addr string
			var oid, pid int64
			if err := rows.Scan(&actor, &role, &region, &otype, &oid, &pid, &after, &req, &addr); err != nil {
				t.Fatal(err)
			}
			if actor != "publik" || role != "publik" || region != pabuaran || otype != "keluarga" || oid == 0 || pid == 0 || req != "rtes" || addr != "192.0.2.7" {
				t.Errorf("entry: %s %s %s %s %d %d %s %s", actor, role, region, otype, oid, pid, req, addr)
			}
			if strings.Contains(after, nikWawan) || strings.Contains(strings.ToUpper(after), "WAWAN") || strings.Contains(strings.ToUpper(after), "DEDI") {
				t.Errorf("entry carries the subject: %s", after)
			}
			got = append(got, after)
		}
		want := []string{`{"cara":"nik","subjek":"320101**********"}`, `{"cara":"nama","subjek":"D**I"}`}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("entries:\n%v\nwant\n%v", got, want)
		}
		if res, err := audit.Verify(context.Background(), db, audit.VerifyOptions{}); err != nil || res.Broken != nil {
			t.Errorf("chain: %v %+v", err, res.Broken)
		}
	})
}

// Concurrent checks share audit transactions, and each is audited once.
func TestAuditGroupCommit(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		niks := []string{nikWawan, nikAgus, nikJoko, nikDedi, nikKakek, nikYanto, nikRudi}
		const n = 140
		var wg sync.WaitGroup
		errc := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ctx := audit.WithRequest(context.Background(), fmt.Sprintf("r%d", i), "192.0.2.7")
				a, err := w.svc.Check(ctx, cekbansos.Query{NIK: niks[i%len(niks)]})
				if err == nil && a.Result != cekbansos.Found {
					err = fmt.Errorf("check %d: %s", i, a.Result)
				}
				errc <- err
			}(i)
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		var entries, requests int
		if err := db.QueryRow(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT request_id) FROM audit_log WHERE action = $1`, cekbansos.ActCheck).Scan(&entries, &requests); err != nil {
			t.Fatal(err)
		}
		if entries != n || requests != n {
			t.Fatalf("%d entries for %d requests, want %d", entries, requests, n)
		}
		if res, err := audit.Verify(context.Background(), db, audit.VerifyOptions{}); err != nil || res.Broken != nil {
			t.Errorf("chain: %v %+v", err, res.Broken)
		}
	})
}

// The NIK lookups of concurrent checks share statements on PostgreSQL:
// one statement answers each NIK as a lookup of its own would (repeated,
// unknown and several members of one family included), and concurrent
// checks get the answers sequential ones get.
func TestNIKBatch(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		niks := []string{nikWawan, nikAgus, "3201011205800099", nikJoko, nikDedi, nikWawan, nikKakek, nikYanto, nikRudi}
		if db.Engine() == store.Postgres {
			diff, err := cekbansos.CompareNIKBatch(context.Background(), w.svc, niks)
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Fatal(diff)
			}
		}
		want := map[string]string{}
		for _, n := range niks {
			a := w.check(cekbansos.Query{NIK: n})
			want[n] = fmt.Sprintf("%s %q %d %s", a.Result, a.MaskedName, a.Decile, summary(a))
		}
		const n = 180
		var wg sync.WaitGroup
		got := make([]string, n)
		errc := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				a, err := w.svc.Check(context.Background(), cekbansos.Query{NIK: niks[i%len(niks)]})
				if err != nil {
					errc <- err
					return
				}
				got[i] = fmt.Sprintf("%s %q %d %s", a.Result, a.MaskedName, a.Decile, summary(a))
			}(i)
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		for i, g := range got {
			if w := want[niks[i%len(niks)]]; g != w {
				t.Errorf("check %d: %s\nwant %s", i, g, w)
			}
		}
	})
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{
		"Wawan Lestari":         "W***N L*****I",
		"  siti   nur  aisyah ": "S**I N*R A****H",
		"AN":                    "AN",
		"Ö":                     "Ö",
		"Ñoño Ébé":              "Ñ**O É*É",
		"":                      "",
	} {
		if got := cekbansos.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}
