package registry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// TestRefreshNameKeys: keys built by other rules, of current and past
// versions, are rebuilt in chunks, once, with one audit entry.
func TestRefreshNameKeys(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		ctx := context.Background()
		registry.SetNameKeyChunk(r, 3)
		for _, csv := range []string{goodCSV, strings.Replace(goodCSV, "Budi Santoso", "Budi Santosa", 1)} {
			if _, rep, err := importString(t, r, csv, registry.ImportOptions{}); err != nil {
				t.Fatal(err, rep)
			}
		}
		// As an older program would have left the register: other rules,
		// and two keys they built differently, one of a past version.
		err := r.DB.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO derived_rules (name, rules, updated_at) VALUES ('person.name_key', 'older', 0)`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE person SET name_key = ' stale ' WHERE name IN ('Budi Santoso', 'Siti Aminah')`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if stale, err := r.NameKeysStale(ctx); err != nil || !stale {
			t.Fatalf("NameKeysStale = %v, %v; want true", stale, err)
		}
		var calls []int64
		n, err := r.RefreshNameKeys(ctx, "test", func(done, total int64) {
			calls = append(calls, done)
			if total != 5 {
				t.Errorf("total %d, want 5 person versions", total)
			}
		})
		if err != nil || n != 2 {
			t.Fatalf("RefreshNameKeys = %d, %v; want 2 rows", n, err)
		}
		if len(calls) != 2 || calls[0] != 3 || calls[1] != 5 {
			t.Errorf("progress %v, want [3 5]", calls)
		}
		rows, err := r.DB.Query(ctx, `SELECT name, name_key FROM person`)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for rows.Next() {
			var name, key string
			if err := rows.Scan(&name, &key); err != nil {
				t.Fatal(err)
			}
			seen++
			if key != registry.NameKey(name) {
				t.Errorf("%s: key %q, want %q", name, key, registry.NameKey(name))
			}
		}
		rows.Close()
		if seen != 5 {
			t.Errorf("%d person versions, want 5", seen)
		}
		if stale, err := r.NameKeysStale(ctx); err != nil || stale {
			t.Fatalf("after the refresh NameKeysStale = %v, %v", stale, err)
		}
		if n, err := r.RefreshNameKeys(ctx, "test", nil); err != nil || n != 0 {
			t.Errorf("second refresh = %d, %v; want nothing to do", n, err)
		}
		var entries int
		if err := r.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'register.kunci_nama'`).Scan(&entries); err != nil || entries != 1 {
			t.Errorf("%d audit entries of the refresh (%v), want 1", entries, err)
		}
		if hits, err := r.SearchPeople(ctx, "32.01.01", "siti", 10); err != nil || len(hits) != 1 {
			t.Errorf("search after the refresh: %+v, %v", hits, err)
		}
	})
}
