package audit

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

func publicEntries(from, n int) []Entry {
	es := make([]Entry, n)
	for i := range es {
		es[i] = Entry{Actor: "publik", Role: "publik", Region: "32.01.01.2001", Action: "publik.cek", ObjectType: ObjFamily,
			ObjectID: int64(from + i), PersonID: int64(from + i), After: map[string]any{"cara": "nik", "subjek": "320101**********"}}
	}
	return es
}

// Appenders on one database (two app nodes) append concurrently with each
// other and with writers that lock the head: every entry is written once
// and the chain stays whole.
func TestAppenderChainsWithOtherWriters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a1, a2 := &Appender{DB: db}, &Appender{DB: db}
		first := publicEntries(1, 3)
		if err := a1.Append(ctx, first); err != nil {
			t.Fatal(err)
		}
		if first[0].Seq != 1 || first[2].Seq != 3 || first[1].PrevHash != first[0].Hash || len(first[2].Hash) != 64 {
			t.Fatalf("first batch: %+v", first)
		}
		// Another writer moves the head: a1's view is stale and must be renewed.
		fill(t, db, 2)
		next := publicEntries(10, 2)
		if err := a1.Append(ctx, next); err != nil {
			t.Fatal(err)
		}
		if next[0].Seq != 6 {
			t.Fatalf("after another writer, seq %d, want 6", next[0].Seq)
		}

		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					var err error
					switch w {
					case 0, 1:
						err = []*Appender{a1, a2}[w].Append(ctx, publicEntries(1000*(w+1)+10*i, 3))
					default:
						err = db.Write(ctx, func(tx *store.Tx) error { return RecordMany(ctx, tx, publicEntries(5000*w+i, 1)) })
					}
					if err != nil {
						errs <- fmt.Errorf("writer %d: %w", w, err)
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		want := 3 + 2 + 2 + 2*10*3 + 2*10
		res := verify(t, db)
		if res.Broken != nil || res.Entries != int64(want) {
			t.Fatalf("chain after concurrent writers: %+v, want %d entries", res, want)
		}
		var distinct int
		if err := db.QueryRow(ctx, `SELECT COUNT(DISTINCT object_id) FROM audit_log WHERE action = 'publik.cek'`).Scan(&distinct); err != nil {
			t.Fatal(err)
		}
		if distinct != 3+2+2*10*3+2*10 {
			t.Fatalf("%d distinct public entries", distinct)
		}
	})
}

// A batch that cannot be written (no chain head) writes nothing and says so.
func TestAppenderWithoutHead(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		exec(t, db, `DELETE FROM audit_head`)
		err := (&Appender{DB: db}).Append(context.Background(), publicEntries(1, 2))
		if err == nil {
			t.Fatal("append without a head succeeded")
		}
		var n int
		if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("entries written: %d (%v)", n, err)
		}
	})
}
