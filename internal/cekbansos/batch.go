package cekbansos

import (
	"context"
	"sync"
)

// nikBatcher gathers the NIK lookups of concurrent checks into one
// statement on PostgreSQL, as the auditor gathers their audit entries:
// the check that finds no lookup in progress runs what has gathered (its
// own NIK first); when more gathered meanwhile, it hands the next
// statement over to the oldest of them. A check alone is looked up at
// once; under a crowd, one round trip and one execution serve many
// checks, each NIK still read through the index (the statement is
// nikBatchStatement). A failed statement fails the checks it carried.
type nikBatcher struct {
	mu      sync.Mutex
	busy    bool
	pending []*nikWait
}

type nikWait struct {
	nik  string
	done chan nikResult
}

// nikResult is a waiting check's rows, or word that it runs next.
type nikResult struct {
	rows []lookupRow
	m    *meta
	err  error
	lead bool
}

// maxNIKBatch bounds one statement's NIKs.
const maxNIKBatch = 256

// lookup returns the lookup rows of nik and the shared facts they were
// read with (the batch leader's).
func (b *nikBatcher) lookup(s *Service, m *meta, nik string) ([]lookupRow, *meta, error) {
	w := &nikWait{nik: nik, done: make(chan nikResult, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, w)
	if b.busy {
		b.mu.Unlock()
		// No giving up on a request's context here: this check may be
		// asked to run the next statement.
		if r := <-w.done; !r.lead {
			return r.rows, r.m, r.err
		}
	} else {
		b.busy = true
		b.mu.Unlock()
	}
	return b.lead(s, m)
}

// lead runs one statement, whose first NIK is the leader's own, hands the
// others their rows, then hands over to the oldest check left, if any.
func (b *nikBatcher) lead(s *Service, m *meta) ([]lookupRow, *meta, error) {
	b.mu.Lock()
	n := min(len(b.pending), maxNIKBatch)
	batch := b.pending[:n:n]
	b.pending = b.pending[n:]
	b.mu.Unlock()
	rows, err := s.lookupNIKs(m, batch)
	for i, w := range batch[1:] {
		w.done <- nikResult{rows: rows[i+1], m: m, err: err}
	}
	b.mu.Lock()
	if len(b.pending) > 0 {
		b.pending[0].done <- nikResult{lead: true}
	} else {
		b.busy = false
		b.pending = nil
	}
	b.mu.Unlock()
	return rows[0], m, err
}

// nikBatchStatement is the lookup statement of lookupOne by NIK for an
// array of NIKs ($1; $2 the welfare run): each row carries the position
// of its NIK in the array (from 1).
func nikBatchStatement(m *meta) string {
	stmt := `WITH p AS (SELECT q.ord, person.id, person.family_id, person.name, person.village_code
			FROM unnest($1::text[]) WITH ORDINALITY AS q(nik, ord)
			JOIN person ON person.nik = q.nik AND person.valid_to IS NULL)
		SELECT p.ord, 1, p.id, p.family_id, p.name, p.village_code, 0, '', '',
			COALESCE((SELECT w.decile FROM welfare_scores w WHERE w.run_id = $2 AND w.family_id = p.family_id), 0)
		FROM p`
	if ids := m.finalIDs(); ids != "" {
		stmt += ` UNION ALL SELECT p.ord, 2, i.person_id, i.family_id, '', '', i.determination_id, i.status, i.reason_codes, 0
		FROM p JOIN determination_item i ON i.family_id = p.family_id
		WHERE i.determination_id IN (` + ids + `)`
	}
	return stmt
}

// lookupNIKs runs one statement for the NIKs of batch and returns each
// one's rows, in the batch's order. It does not use a request's context:
// the requests it carries are many, and one going away must not fail the
// others.
func (s *Service) lookupNIKs(m *meta, batch []*nikWait) ([][]lookupRow, error) {
	out := make([][]lookupRow, len(batch))
	niks := make([]string, len(batch))
	for i, w := range batch {
		niks[i] = w.nik
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	rs, err := s.db.Lookup(ctx, nikBatchStatement(m), niks, m.run)
	if err != nil {
		return out, err
	}
	defer rs.Close()
	for rs.Next() {
		var ord int
		var r lookupRow
		if err := rs.Scan(&ord, &r.kind, &r.id, &r.fam, &r.name, &r.village, &r.det, &r.status, &r.codes, &r.decile); err != nil {
			return out, err
		}
		if ord >= 1 && ord <= len(out) {
			out[ord-1] = append(out[ord-1], r)
		}
	}
	return out, rs.Err()
}
