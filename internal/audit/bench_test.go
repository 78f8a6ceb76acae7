package audit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// BenchmarkVerify times Verify over a chain of JARING_BENCH_AUDIT_N
// entries (default 100,000) on each engine (PostgreSQL when
// JARING_TEST_POSTGRES is set). The chain is appended through RecordMany
// in transactions of 10,000 entries, the way an import writes it, with
// the trail's indexes dropped during the load and built after it; the
// load's time is logged as the baseline of the same run. The mix is a
// register's: 60% views, 30% changes with a few fields before and after,
// 10% import entries.
//
//	JARING_BENCH_AUDIT_N=10000000 go test ./internal/audit -run '^$' -bench BenchmarkVerify -benchtime 1x -timeout 2h
func BenchmarkVerify(b *testing.B) {
	n := 100_000
	if v := os.Getenv("JARING_BENCH_AUDIT_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("JARING_BENCH_AUDIT_N=%q", v)
		}
	}
	workers, _ := strconv.Atoi(os.Getenv("JARING_BENCH_AUDIT_WORKERS")) // 0: Verify's default
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(fmt.Sprintf("%s/%d", engine, n), func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.OpenSQLite(b)
			} else {
				db = storetest.OpenPostgres(b)
			}
			start := time.Now()
			size := generate(b, db, n)
			load := time.Since(start)
			b.Logf("%s: %d entries appended in %s (%.0f entries/s), %.0f bytes each on average",
				engine, n, load.Round(time.Millisecond), float64(n)/load.Seconds(), float64(size)/float64(n))
			b.ResetTimer()
			var took time.Duration
			for i := 0; i < b.N; i++ {
				res, err := Verify(context.Background(), db, VerifyOptions{Workers: workers})
				if err != nil || res.Broken != nil || res.Entries != int64(n) {
					b.Fatalf("verify: %+v %v", res, err)
				}
				took += res.Took
			}
			per := took / time.Duration(b.N)
			b.ReportMetric(float64(n)/per.Seconds(), "entries/s")
			b.Logf("%s: verified %d entries in %s", engine, n, per.Round(time.Millisecond))
		})
	}
}

// auditIndexes are the trail's indexes as migration 0002 creates them.
var auditIndexes = []struct{ name, create string }{
	{"audit_log_person", "CREATE INDEX audit_log_person ON audit_log (person_id, seq) WHERE person_id <> 0"},
	{"audit_log_actor", "CREATE INDEX audit_log_actor ON audit_log (actor, seq)"},
	{"audit_log_region", "CREATE INDEX audit_log_region ON audit_log (region, seq)"},
	{"audit_log_at", "CREATE INDEX audit_log_at ON audit_log (at)"},
}

// generate appends n synthetic entries and returns the bytes of their data.
func generate(b *testing.B, db *store.DB, n int) int64 {
	b.Helper()
	ctx := context.Background()
	exec := func(q string) {
		if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q); return err }); err != nil {
			b.Fatal(err)
		}
	}
	for _, ix := range auditIndexes {
		exec("DROP INDEX " + ix.name)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var size int64
	const batch = 10_000
	entries := make([]Entry, 0, batch)
	for done := 0; done < n; {
		k := min(batch, n-done)
		entries = entries[:0]
		for i := 0; i < k; i++ {
			at = at.Add(time.Duration(rng.IntN(2000)) * time.Millisecond)
			village := fmt.Sprintf("%02d.%02d.%02d.%04d", 11+rng.IntN(80), 1+rng.IntN(30), 1+rng.IntN(30), 1001+rng.IntN(1000))
			e := Entry{Actor: fmt.Sprintf("operator%04d", rng.IntN(5000)), Role: "desa", ActorRegion: village,
				Region: village, At: at, RequestID: fmt.Sprintf("r%015x", rng.Uint64()>>4), ClientAddr: fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256))}
			id := int64(rng.IntN(90_000_000))
			switch r := rng.IntN(10); {
			case r < 6:
				e.Action, e.ObjectType, e.ObjectID, e.PersonID = ActView, ObjPerson, id, id
			case r < 9:
				e.Action, e.ObjectType, e.ObjectID, e.PersonID = ActPersonUpdate, ObjPerson, id, id
				e.Before = map[string]any{"pekerjaan": "petani", "status_kawin": "belum_kawin", "versi": 2}
				e.After = map[string]any{"pekerjaan": "buruh", "status_kawin": "kawin", "versi": 3, "alasan_perubahan": "pemutakhiran Musdes 2026"}
			default:
				e.Action, e.ObjectType, e.ObjectID = ActImportFamily, ObjFamily, id
				e.After = map[string]any{"no_kk": "3201**********01", "keluarga": "baru", "versi": 1, "anggota_baru": 4, "anggota_berubah": 0, "alasan_perubahan": "impor berkas BDT 2026"}
			}
			entries = append(entries, e)
		}
		bctx := authz.With(ctx, authz.System("bench"))
		if err := db.Write(bctx, func(tx *store.Tx) error { return RecordMany(bctx, tx, entries) }); err != nil {
			b.Fatal(err)
		}
		for i := range entries {
			r := row{before: mustEncode(entries[i].Before), after: mustEncode(entries[i].After)}
			size += int64(len(r.before) + len(r.after) + len(entries[i].Actor) + len(entries[i].Region)*2 + len(entries[i].RequestID) +
				len(entries[i].ClientAddr) + len(entries[i].Action) + len(entries[i].ObjectType) + 2*64 + 4*8)
		}
		done += k
	}
	for _, ix := range auditIndexes {
		exec(ix.create)
	}
	if db.Engine() == store.Postgres {
		exec("ANALYZE audit_log")
	}
	return size
}

func mustEncode(m map[string]any) string {
	s, err := encodeData(m)
	if err != nil {
		panic(err)
	}
	return s
}

// BenchmarkRecordMany appends batches of 2,000 import entries (an import's
// batch) on each engine: the trail's share of an import.
func BenchmarkRecordMany(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.OpenSQLite(b)
			} else {
				db = storetest.OpenPostgres(b)
			}
			ctx := authz.With(context.Background(), authz.System("bench"))
			entries := make([]Entry, 2000)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range entries {
					entries[j] = Entry{Actor: "cli:op", Action: ActImportFamily, ObjectType: ObjFamily, ObjectID: int64(i*2000 + j),
						Region: "32.04.28.2001", After: map[string]any{"no_kk": "3204**********01", "keluarga": "baru", "versi": 1,
							"anggota_baru": 4, "anggota_berubah": 0, "alasan_perubahan": "impor berkas seed.csv"}}
				}
				if err := db.Write(ctx, func(tx *store.Tx) error { return RecordMany(ctx, tx, entries) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(entries))/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkSearch times one page (26 entries, as the back office asks)
// of typical searches over a chain of JARING_BENCH_AUDIT_N entries, as a
// province inspector (scope "32") and nationally.
func BenchmarkSearch(b *testing.B) {
	n := 100_000
	if v := os.Getenv("JARING_BENCH_AUDIT_N"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.OpenSQLite(b)
			} else {
				db = storetest.OpenPostgres(b)
			}
			generate(b, db, n)
			nat := context.Background()
			prov := authz.With(nat, authz.Principal{Username: "ins", Role: authz.Inspectorate, Region: "32"})
			var some Entry
			if es, err := Search(nat, db, Filter{Limit: 1, Region: "32"}); err != nil || len(es) == 0 {
				b.Fatalf("no entry in 32: %v", err)
			} else {
				some = es[0]
			}
			for _, c := range []struct {
				name string
				ctx  context.Context
				f    Filter
			}{
				{"newest", nat, Filter{}},
				{"province-scope", prov, Filter{}},
				{"village", prov, Filter{Region: some.Region}},
				{"person", prov, Filter{PersonID: some.PersonID}},
				{"actor", nat, Filter{Actor: some.Actor}},
				{"action-lihat", prov, Filter{Action: ActView}},
				{"one-day", prov, Filter{From: some.At.Add(-12 * time.Hour), To: some.At.Add(12 * time.Hour)}},
			} {
				b.Run(c.name, func(b *testing.B) {
					c.f.Limit = 26
					for i := 0; i < b.N; i++ {
						if _, err := Search(c.ctx, db, c.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
