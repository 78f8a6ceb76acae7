package store

import (
	"context"
	"fmt"
)

// ReserveIDs reserves n consecutive IDs from the named counter and returns
// the first. The statement is the same on both engines; on PostgreSQL the
// counter row is locked until the transaction ends, so reserve in blocks.
func (tx *Tx) ReserveIDs(ctx context.Context, name string, n int64) (int64, error) {
	if n < 1 {
		return 0, fmt.Errorf("store: reserve %d ids", n)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO id_counters (name, next_id) VALUES ($1, 1) ON CONFLICT (name) DO NOTHING`, name); err != nil {
		return 0, fmt.Errorf("store: reserve ids: %w", err)
	}
	var next int64
	err := tx.QueryRow(ctx, `UPDATE id_counters SET next_id = next_id + $2 WHERE name = $1 RETURNING next_id`, name, n).Scan(&next)
	if err != nil {
		return 0, fmt.Errorf("store: reserve ids: %w", err)
	}
	return next - n, nil
}

// HoldIDs returns the next free ID of the named counter and keeps the
// counter locked until the transaction ends (on SQLite the writer is alone
// anyway). A bulk load numbers its rows itself from there and moves the
// counter past them with SetNextID before it commits.
func (tx *Tx) HoldIDs(ctx context.Context, name string) (int64, error) {
	if _, err := tx.Exec(ctx, `INSERT INTO id_counters (name, next_id) VALUES ($1, 1) ON CONFLICT (name) DO NOTHING`, name); err != nil {
		return 0, fmt.Errorf("store: hold ids: %w", err)
	}
	q := `SELECT next_id FROM id_counters WHERE name = $1`
	if tx.engine == Postgres {
		q += ` FOR UPDATE`
	}
	var next int64
	if err := tx.QueryRow(ctx, q, name).Scan(&next); err != nil {
		return 0, fmt.Errorf("store: hold ids: %w", err)
	}
	return next, nil
}

// SetNextID moves a counter held with HoldIDs to next.
func (tx *Tx) SetNextID(ctx context.Context, name string, next int64) error {
	if _, err := tx.Exec(ctx, `UPDATE id_counters SET next_id = $2 WHERE name = $1`, name, next); err != nil {
		return fmt.Errorf("store: set next id: %w", err)
	}
	return nil
}
