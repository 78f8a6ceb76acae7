package cekbansos

import (
	"context"
	"fmt"
	"slices"
)

// CompareNIKBatch looks niks up in one batch statement (as s.nikBatch
// does on PostgreSQL) and each on its own (lookupOne), and describes the
// first NIK whose rows differ; "" when none does.
func CompareNIKBatch(ctx context.Context, s *Service, niks []string) (string, error) {
	m, err := s.shared(ctx)
	if err != nil {
		return "", err
	}
	got, err := s.lookupNIKs(m, niks)
	if err != nil {
		return "", err
	}
	for i, n := range niks {
		want, err := s.lookupOne(ctx, m, Query{NIK: n})
		if err != nil {
			return "", err
		}
		if a, b := rowsText(got[i]), rowsText(want); !slices.Equal(a, b) {
			return fmt.Sprintf("NIK %d of %d: batch %v, alone %v", i+1, len(niks), a, b), nil
		}
	}
	return "", nil
}

func rowsText(rows []lookupRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%+v", r)
	}
	slices.Sort(out)
	return out
}
