package cekbansos

import "context"

// nikQuery is one check's NIK lookup, with the shared facts it was
// read with; nikRows its answer and the facts the batch used (the
// leader's, which may be newer).
type nikQuery struct {
	nik string
	m   *meta
}

type nikRows struct {
	rows []lookupRow
	m    *meta
}

// maxNIKBatch bounds one statement's NIKs.
const maxNIKBatch = 256

// lookupNIKBatch runs one batch of s.nikBatch (a gatherer) as one
// statement, with the shared facts of its first check.
func (s *Service) lookupNIKBatch(batch []nikQuery) ([]nikRows, error) {
	m := batch[0].m
	niks := make([]string, len(batch))
	for i, q := range batch {
		niks[i] = q.nik
	}
	rows, err := s.lookupNIKs(m, niks)
	if err != nil {
		return nil, err
	}
	out := make([]nikRows, len(batch))
	for i := range out {
		out[i] = nikRows{rows[i], m}
	}
	return out, nil
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

// lookupNIKs runs one statement for niks and returns each one's rows, in
// their order. It does not use a request's context: the requests it
// carries are many, and one going away must not fail the others.
func (s *Service) lookupNIKs(m *meta, niks []string) ([][]lookupRow, error) {
	out := make([][]lookupRow, len(niks))
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
