// Package store opens Jaring's database on one of two engines, embedded
// SQLite or PostgreSQL, migrates it, and runs transactions and bulk loads.
// Engine differences live here and nowhere else.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open database. Reads go to a pool; writes go through Write, which
// on SQLite uses one dedicated connection (SQLite has a single writer).
type DB struct {
	engine Engine
	read   *sql.DB
	write  *sql.DB
	// hot serves Lookup and Exec: on PostgreSQL its own connections, which
	// plan a statement once and reuse the plan (see withPlanCache).
	hot *sql.DB
	// where is a description safe to print: the file path or the URL without password.
	where string
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL,
// or a path to a SQLite file (created with its directory when missing).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", withPlanCache(dsn, "force_custom_plan"))
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(16)
	pool.SetMaxIdleConns(16)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to postgres: %w", err)
	}
	// The hot pool's connections use one generic plan per statement: a
	// statement run often by its key (the public status check, the audit
	// of its views) is planned once per connection instead of on every
	// execution, which halves its cost on the server. Connections open
	// when first needed.
	hot, err := sql.Open("pgx", withPlanCache(dsn, "force_generic_plan"))
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	hot.SetMaxOpenConns(16)
	hot.SetMaxIdleConns(16)
	hot.SetConnMaxIdleTime(5 * time.Minute)
	where := dsn
	if u, err := url.Parse(dsn); err == nil {
		u.User = nil
		where = u.Redacted()
	}
	return &DB{engine: Postgres, read: pool, write: pool, hot: hot, where: where}, nil
}

// withPlanCache sets plan_cache_mode unless the URL sets it. The main
// pool uses force_custom_plan: PostgreSQL plans every execution of a cached
// statement with its actual parameters and the table's current size. A
// generic plan made while a table was empty (a first import) would keep
// scanning it whole as it grows, and region-prefix ranges differ widely.
// The hot pool uses force_generic_plan, for statements that read or write
// a few rows by a unique key, whose best plan never depends on the values.
func withPlanCache(dsn, mode string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("plan_cache_mode") == "" {
		q.Set("plan_cache_mode", mode)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// sqlitePragmas follow PocketBase: busy_timeout first so the others can wait.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_pragma=cache_size(-16384)"

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
	}
	if err := createSQLite(ctx, path); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?" + sqlitePragmas
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	// Readers get a smaller page cache each: there are several of them.
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)&_pragma=cache_size(-16384)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	return &DB{engine: SQLite, read: read, write: write, hot: read, where: path}, nil
}

// sqlitePageSize is the page size of a new SQLite database. 32 KB pages
// make a bulk import write an eighth of the pages (one system call each)
// that SQLite's default 4 KB make: the first import of 1,004,402 people
// took 32.9 s instead of 38.8 s.
const sqlitePageSize = 32768

// createSQLite gives a database that does not exist yet its page size,
// which can be set only before the first page is written and never once in
// WAL mode (the driver applies its pragmas in name order, journal_mode
// before page_size, so it is done here, apart). An existing database keeps
// the page size it has.
func createSQLite(ctx context.Context, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("store: create sqlite %s: %w", path, err)
	}
	defer db.Close()
	for _, q := range []string{"PRAGMA page_size = " + strconv.Itoa(sqlitePageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: create sqlite %s: %w", path, err)
		}
	}
	return nil
}

// Engine reports the engine in use.
func (db *DB) Engine() Engine { return db.engine }

// Where describes the database for humans, without secrets.
func (db *DB) Where() string { return db.where }

// Close closes all connections.
func (db *DB) Close() error {
	err := db.read.Close()
	if db.write != db.read {
		err = errors.Join(err, db.write.Close())
	}
	if db.hot != db.read {
		err = errors.Join(err, db.hot.Close())
	}
	return err
}

// PoolSize is how many read connections may be open at once: how many
// requests can query the database at the same time.
func (db *DB) PoolSize() int { return db.read.Stats().MaxOpenConnections }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Query runs a read query. Placeholders are $1, $2, ... on both engines.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, query, args...)
}

// Lookup runs a read of a few rows by a unique or selective key on the hot
// pool (PostgreSQL plans it once per connection, generically), for the
// statements a crowd runs: its best plan must not depend on the
// parameters' values.
func (db *DB) Lookup(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.hot.QueryContext(ctx, query, args...)
}

// Exec runs one statement outside any transaction: PostgreSQL commits it
// on its own, on the hot pool (SQLite on its one writer). For a statement
// that is atomic by itself and run often; everything else writes through
// Write.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if db.engine == Postgres {
		return db.hot.ExecContext(ctx, query, args...)
	}
	return db.write.ExecContext(ctx, query, args...)
}

// QueryRow runs a read query expected to return at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, query, args...)
}

// Now is the store's clock: UTC with microsecond precision, the precision
// in which every timestamp is kept (as integer microseconds since the epoch).
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Micros converts a time to the stored form.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros converts a stored timestamp to a UTC time.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
