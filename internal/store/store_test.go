package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"testing"

	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		v, err := db.SchemaVersion(ctx)
		if err != nil || v != db.LatestVersion() || v == 0 {
			t.Fatalf("schema version %d, latest %d, err %v", v, db.LatestVersion(), err)
		}
		if applied, err := db.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, err %v", applied, err)
		}

		t.Run("ReserveIDs", func(t *testing.T) {
			var a, b int64
			err := db.Write(ctx, func(tx *store.Tx) error {
				var err error
				if a, err = tx.ReserveIDs(ctx, "x", 10); err != nil {
					return err
				}
				b, err = tx.ReserveIDs(ctx, "x", 5)
				return err
			})
			if err != nil || a != 1 || b != 11 {
				t.Fatalf("got %d, %d, %v; want 1, 11", a, b, err)
			}
		})

		t.Run("RollbackOnError", func(t *testing.T) {
			boom := errors.New("boom")
			err := db.Write(ctx, func(tx *store.Tx) error {
				if _, err := tx.ReserveIDs(ctx, "y", 100); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v", err)
			}
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM id_counters WHERE name = 'y'`).Scan(&n); err != nil || n != 0 {
				t.Fatalf("rolled-back row visible: n=%d err=%v", n, err)
			}
		})

		t.Run("CopyFrom", func(t *testing.T) {
			rows := make([][]any, 2500)
			for i := range rows {
				rows[i] = []any{"r" + strconv.Itoa(i), "Nama", int64(4), nil, true, int64(1)}
			}
			err := db.Write(ctx, func(tx *store.Tx) error {
				n, err := tx.CopyFrom(ctx, "regions", []string{"code", "name", "level", "parent", "active", "updated_at"}, rows)
				if err == nil && n != int64(len(rows)) {
					t.Errorf("copied %d rows", n)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM regions WHERE code LIKE 'r%' AND active`).Scan(&n); err != nil || n != len(rows) {
				t.Fatalf("count %d err %v", n, err)
			}
		})

		t.Run("CopyFromSpecialCharacters", func(t *testing.T) {
			names := []string{"tab\there", "line\nbreak", `back\slash`, `\N`, "cr\rlf", "Nasution’s ñ 日本", ""}
			rows := make([][]any, len(names))
			for i, n := range names {
				rows[i] = []any{"s" + strconv.Itoa(i), n, int64(4), nil, false, int64(-7)}
			}
			err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.CopyFrom(ctx, "regions", []string{"code", "name", "level", "parent", "active", "updated_at"}, rows)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range names {
				var got string
				var parent sql.NullString
				var active bool
				var updated int64
				if err := db.QueryRow(ctx, `SELECT name, parent, active, updated_at FROM regions WHERE code = $1`, "s"+strconv.Itoa(i)).Scan(&got, &parent, &active, &updated); err != nil {
					t.Fatal(err)
				}
				if got != want || parent.Valid || active || updated != -7 {
					t.Errorf("row %d: got %q %v %v %d, want %q NULL false -7", i, got, parent, active, updated, want)
				}
			}
		})

		t.Run("UniqueViolation", func(t *testing.T) {
			err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO id_counters (name, next_id) VALUES ('x', 1)`)
				return err
			})
			if !store.IsUniqueViolation(err) {
				t.Fatalf("want unique violation, got %v", err)
			}
		})
	})
}
