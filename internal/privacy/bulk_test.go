package privacy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/privacy"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// A first load into an empty register records one entry per batch; a
// person's report shows the entry of the batch that created their family,
// and a family created afterwards is in no batch.
func TestReportBulkImport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := region.Import(ctx, db, region.Demo()); err != nil {
			t.Fatal(err)
		}
		reg := registry.New(db)
		csv := "no_kk,kode_wilayah,alamat,nik,nama,jenis_kelamin,tanggal_lahir,hubungan\n" +
			"3204281506100011," + villageA + ",JL. SATU,3204281205800011,ADI SATU,L,1980-05-12,kepala_keluarga\n" +
			"3204281506100012," + villageA + ",JL. DUA,3204281205800012,ADI DUA,L,1980-05-12,kepala_keluarga\n" +
			"3204281506100013," + villageA + ",JL. TIGA,3204281205800013,ADI TIGA,L,1980-05-12,kepala_keluarga\n"
		src, err := registry.NewCSVReader(strings.NewReader(csv), int64(len(csv)), registry.SourceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var rep strings.Builder
		if _, err := reg.Import(ctx, src, registry.ImportOptions{Actor: "cli:op", Reason: "muat awal", BatchFamilies: 2, Report: &rep}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := reg.CreateFamily(ctx, registry.Edit{Actor: "test", Reason: "baru"},
			registry.Family{KK: "3204281506100014", VillageCode: villageA, Address: "JL. EMPAT"},
			[]registry.Person{{NIK: "3204281205800014", Name: "ADI EMPAT", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"}}); err != nil {
			t.Fatal(err)
		}
		bulk := func(n string) []privacy.Access {
			t.Helper()
			r, err := privacy.MakeReport(ctx, reg, n, privacy.ReportOptions{Actor: "cli:pemeriksa"})
			if err != nil {
				t.Fatal(err)
			}
			var out []privacy.Access
			for _, a := range r.Access {
				if a.Action == audit.ActImportBulk {
					out = append(out, a)
				}
			}
			return out
		}
		f1, _ := reg.FindByKK(ctx, "3204281506100011")
		f3, _ := reg.FindByKK(ctx, "3204281506100013")
		if a := bulk("3204281205800011"); len(a) != 1 || a[0].ObjectID != f1.ID || a[0].Actor != "cli:op" || a[0].Object != audit.ObjRegister {
			t.Errorf("first family: %+v", a)
		}
		if a := bulk("3204281205800013"); len(a) != 1 || a[0].ObjectID != f3.ID {
			t.Errorf("third family (second batch): %+v", a)
		}
		if a := bulk("3204281205800014"); len(a) != 0 {
			t.Errorf("a family created after the load: %+v", a)
		}
	})
}
