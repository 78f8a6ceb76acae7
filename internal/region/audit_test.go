package region_test

import (
	"context"
	"testing"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// TestImportAudited: an import that changes the list writes one audit
// entry in its transaction; one that changes nothing writes none.
func TestImportAudited(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := region.Import(ctx, db, region.Demo()); err != nil {
			t.Fatal(err)
		}
		if _, err := region.Import(ctx, db, region.Demo()); err != nil {
			t.Fatal(err)
		}
		es, err := audit.Search(ctx, db, audit.Filter{Action: audit.ActImportRegion})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].ObjectType != "wilayah" || es[0].Actor != audit.SystemActor || es[0].After["baru"] == nil {
			t.Fatalf("entries: %+v", es)
		}
		res, err := audit.Verify(ctx, db, audit.VerifyOptions{})
		if err != nil || res.Broken != nil || res.Entries != 1 {
			t.Fatalf("verify: %+v %v", res, err)
		}
	})
}
