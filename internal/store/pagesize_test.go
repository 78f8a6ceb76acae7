package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/kemensos/jaring/internal/store"
	_ "modernc.org/sqlite"
)

func pageSize(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `PRAGMA page_size`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A new SQLite database gets 32 KB pages in WAL mode; one that exists keeps
// its page size and its data.
func TestSQLitePageSize(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	fresh := filepath.Join(dir, "baru", "jaring.db")
	db, err := store.Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := db.QueryRow(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q, %v", mode, err)
	}
	if n := pageSize(t, db); n != 32768 {
		t.Fatalf("new database: page size %d", n)
	}
	db.Close()

	old := filepath.Join(dir, "lama.db")
	raw, err := sql.Open("sqlite", "file:"+old)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`PRAGMA page_size = 4096`, `CREATE TABLE catatan (isi TEXT)`, `INSERT INTO catatan VALUES ('tetap')`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err = store.Open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := pageSize(t, db); n != 4096 {
		t.Fatalf("existing database: page size %d, want its own 4096", n)
	}
	var isi string
	if err := db.QueryRow(ctx, `SELECT isi FROM catatan`).Scan(&isi); err != nil || isi != "tetap" {
		t.Fatalf("existing data: %q, %v", isi, err)
	}
}
