package registry_test

import (
	"context"
	"testing"

	"github.com/kemensos/jaring/internal/registry"
)

func TestSearchPeople(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		ctx := context.Background()
		if _, rep, err := importString(t, r, goodCSV, registry.ImportOptions{}); err != nil {
			t.Fatal(err, rep)
		}
		cases := []struct {
			scope, q, want string
		}{
			{"32.01.01", "muha riz", "Muhammad Rizki"}, // a prefix of a folded name
			{"32.01.01", "ac so", "Achmad Soekarno"},   // prefixes cut inside "ch" and "oe"
			{"32.01.01", "mu riz", "Muhammad Rizki"},
			{"32.01.01", "MOH. RIZKI", "Muhammad Rizki"},
			{"32.01.01", "rizki", "Muhammad Rizki"},
			{"32.01.01", "ahmad sukarno", "Achmad Soekarno"},
			{"32.01.01", "st  amin", "Siti Aminah"},
			{"32.01.01.1001", "soekarno", "Achmad Soekarno"},
			{"32.01.02", "rizki", ""},     // another district
			{"32.01.01.1001", "siti", ""}, // another village of the district
		}
		for _, c := range cases {
			hits, err := r.SearchPeople(ctx, c.scope, c.q, 10)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.want == "" && len(hits) != 0:
				t.Errorf("%q in %s: want nothing, got %+v", c.q, c.scope, hits)
			case c.want != "" && (len(hits) != 1 || hits[0].Name != c.want):
				t.Errorf("%q in %s: want %s, got %+v", c.q, c.scope, c.want, hits)
			}
		}
	})
}
