package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/kemensos/jaring/internal/store"
)

// Appender appends batches of entries that belong to no other change
// (the public status check's views), each batch committed on its own.
//
// On PostgreSQL a batch is one statement, so one round trip and one
// commit: it moves the chain's head from the one this process saw last to
// the batch's last entry and inserts the entries, only if the head is
// still the one seen. The row lock on the head orders it with every other
// writer; when another writer moved the head meanwhile, nothing is written,
// and the batch is chained again on the new head. So the chain is the same
// as RecordMany makes, without holding the head's lock across round trips.
// On SQLite, which has one writer, it is RecordMany in its own transaction.
type Appender struct {
	DB *store.DB

	mu    sync.Mutex // one batch at a time: the head below is this process's view
	known bool
	seq   int64
	hash  string
}

// appendTries bounds the optimistic attempts before a batch falls back to
// locking the head as RecordMany does.
const appendTries = 5

// Append commits entries, in order, and sets their Seq, PrevHash and Hash.
func (a *Appender) Append(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if a.DB.Engine() != store.Postgres {
		return a.DB.Write(ctx, func(tx *store.Tx) error { return RecordMany(ctx, tx, entries) })
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	rows, err := prepare(ctx, entries)
	if err != nil {
		return err
	}
	stmt := appendStatement()
	for try := 0; try < appendTries; try++ {
		if !a.known {
			if err := a.DB.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&a.seq, &a.hash); err != nil {
				a.known = false
				if store.IsNoRows(err) {
					return ErrNoHead
				}
				return fmt.Errorf("audit: read chain head: %w", err)
			}
			a.known = true
		}
		seq, hash := chain(entries, rows, a.seq, a.hash)
		res, err := a.DB.Exec(ctx, stmt, appendArgs(rows, seq, hash, a.seq, a.hash)...)
		if err != nil {
			a.known = false
			return fmt.Errorf("audit: write entries: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == int64(len(rows)) {
			a.seq, a.hash = seq, hash
			return nil
		}
		a.known = false // another writer moved the head
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error { return RecordMany(ctx, tx, entries) })
}

var appendSQL struct {
	once sync.Once
	stmt string
}

// appendStatement is the one statement of a batch: $1, $2 the new head,
// $3, $4 the head it replaces, then one array per column of audit_log.
func appendStatement() string {
	appendSQL.once.Do(func() {
		types := map[string]string{"seq": "bigint", "at": "bigint", "object_id": "bigint", "person_id": "bigint"}
		arrays := make([]string, len(columns))
		for i, c := range columns {
			t := types[c]
			if t == "" {
				t = "text"
			}
			arrays[i] = "$" + strconv.Itoa(i+5) + "::" + t + "[]"
		}
		cols := strings.Join(columns, ", ")
		appendSQL.stmt = `WITH head AS (UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3 AND hash = $4 RETURNING id)
			INSERT INTO audit_log (` + cols + `) SELECT ` + cols + ` FROM unnest(` + strings.Join(arrays, ", ") + `) AS t(` + cols + `)
			WHERE EXISTS (SELECT 1 FROM head)`
	})
	return appendSQL.stmt
}

// appendArgs are appendStatement's parameters for rows.
func appendArgs(rows []row, seq int64, hash string, oldSeq int64, oldHash string) []any {
	n := len(rows)
	ints := [4][]int64{make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)}
	var strs [12][]string
	for i := range strs {
		strs[i] = make([]string, n)
	}
	for i := range rows {
		r := &rows[i]
		ints[0][i], ints[1][i], ints[2][i], ints[3][i] = r.seq, r.at, r.objectID, r.personID
		for j, v := range [...]string{r.actor, r.role, r.actorRegion, r.region, r.action, r.objectType,
			r.before, r.after, r.requestID, r.clientAddr, r.prevHash, r.hash} {
			strs[j][i] = v
		}
	}
	// In the order of columns.
	return []any{seq, hash, oldSeq, oldHash,
		ints[0], ints[1], strs[0], strs[1], strs[2], strs[3], strs[4], strs[5],
		ints[2], ints[3], strs[6], strs[7], strs[8], strs[9], strs[10], strs[11]}
}
