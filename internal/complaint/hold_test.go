package complaint_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// TestHold: files kept for the next try come back in order under their
// token, a new hold replaces the one it names, and after HoldTTL they are
// gone, deleted by the sweep.
func TestHold(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := setup(t, db)
		a, b, c := []byte("%PDF-1.4 a"), []byte("%PDF-1.4 b"), []byte("%PDF-1.4 c")
		first, err := s.Hold(ctx, "", []complaint.Upload{{Data: a}})
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.Hold(ctx, first, []complaint.Upload{{Data: a}, {Data: b}, {Data: c}, {Data: c}})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Held(ctx, first); err != nil || len(got) != 0 {
			t.Errorf("the replaced hold still gives %d files (%v)", len(got), err)
		}
		got, err := s.Held(ctx, second)
		if err != nil || len(got) != complaint.MaxFiles || !bytes.Equal(got[0].Data, a) || !bytes.Equal(got[1].Data, b) || !bytes.Equal(got[2].Data, c) {
			t.Fatalf("held: %d files, %v", len(got), err)
		}
		if got, _ := s.Held(ctx, "not-a-token"); len(got) != 0 {
			t.Error("an unknown token gives files")
		}
		third, err := s.Hold(ctx, "", []complaint.Upload{{Data: b}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Release(ctx, third); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Held(ctx, third); len(got) != 0 {
			t.Error("a released hold gives files")
		}

		// Past the cap on all holds together, nothing more is kept.
		s.HoldCap = int64(3*len(a)+len(b)) - 1 // the second hold is kept, one more file is not
		if _, err := s.Hold(ctx, "", []complaint.Upload{{Data: b}}); !errors.Is(err, complaint.ErrHoldFull) {
			t.Errorf("a hold past the cap: %v, want ErrHoldFull", err)
		}
		s.HoldCap = 0

		clock.Advance(complaint.HoldTTL + time.Second)
		if got, _ := s.Held(ctx, second); len(got) != 0 {
			t.Error("a hold past its hour gives files")
		}
		res, err := s.Sweep(ctx)
		if err != nil || res.HeldDeleted != complaint.MaxFiles {
			t.Errorf("sweep: %+v, %v; want %d held files deleted", res, err, complaint.MaxFiles)
		}
		var left int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM complaint_upload_hold`).Scan(&left); err != nil || left != 0 {
			t.Errorf("%d held rows left (%v)", left, err)
		}
	})
}
