package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Tx is a write transaction on one connection. It is begun with an explicit
// BEGIN so that both engines can reach the driver connection underneath
// (PostgreSQL's COPY) inside the same transaction.
type Tx struct {
	conn   *sql.Conn
	engine Engine
	// stmts caches the bulk-insert statements prepared in this transaction.
	stmts map[stmtKey]*sql.Stmt
}

// stmtKey names a multi-row insert: its table, column list and row count.
type stmtKey struct {
	table, columns string
	rows           int
}

// prepared returns a statement prepared once per transaction; build makes its text.
func (tx *Tx) prepared(ctx context.Context, key stmtKey, build func() string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[key]; ok {
		return st, nil
	}
	st, err := tx.conn.PrepareContext(ctx, build())
	if err != nil {
		return nil, err
	}
	if tx.stmts == nil {
		tx.stmts = map[stmtKey]*sql.Stmt{}
	}
	tx.stmts[key] = st
	return st, nil
}

func (tx *Tx) closeStmts() {
	for _, st := range tx.stmts {
		st.Close()
	}
	tx.stmts = nil
}

// Engine reports the engine of the transaction.
func (tx *Tx) Engine() Engine { return tx.engine }

// Exec runs a statement.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.conn.ExecContext(ctx, query, args...)
}

// Query runs a query inside the transaction.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.conn.QueryContext(ctx, query, args...)
}

// QueryRow runs a query returning at most one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.conn.QueryRowContext(ctx, query, args...)
}

// Write runs fn in a write transaction and commits when fn returns nil.
// Serialization failures and a busy SQLite writer are retried a few times,
// so fn must not have effects outside the transaction.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = db.writeOnce(ctx, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(10<<attempt) * time.Millisecond)
	}
	return err
}

// WriteOnce is Write without retries, for a transaction whose fn consumes
// input that cannot be replayed.
func (db *DB) WriteOnce(ctx context.Context, fn func(*Tx) error) error {
	return db.writeOnce(ctx, fn)
}

func (db *DB) writeOnce(ctx context.Context, fn func(*Tx) error) (err error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: connection: %w", err)
	}
	defer conn.Close()
	begin := "BEGIN"
	if db.engine == SQLite {
		begin = "BEGIN IMMEDIATE"
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		// Roll back on a fresh context: the caller's may be cancelled. A
		// connection that cannot roll back is discarded, never reused.
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, rerr := conn.ExecContext(rctx, "ROLLBACK"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx := &Tx{conn: conn, engine: db.engine}
	defer tx.closeStmts()
	if err := fn(tx); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	committed = true
	return nil
}

// retryable reports errors worth retrying the whole transaction for.
func retryable(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 40001") || strings.Contains(msg, "SQLSTATE 40P01") ||
		strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY")
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "UNIQUE constraint failed")
}

// ErrNoRows is returned by lookups that find nothing.
var ErrNoRows = sql.ErrNoRows

// IsNoRows reports whether err means "nothing found".
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
