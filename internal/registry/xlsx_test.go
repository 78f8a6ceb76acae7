package registry_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kemensos/jaring/internal/registry"
)

// writeXLSX writes sheets of rows (first row the header) to a workbook.
func writeXLSX(t *testing.T, sheets map[string][][]any, order []string, edit func(f *excelize.File)) string {
	t.Helper()
	f := excelize.NewFile()
	for i, name := range order {
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if edit != nil {
		edit(f)
	}
	p := filepath.Join(t.TempDir(), "data.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func xlsxHeader() []any {
	return []any{"no_kk", "kode_wilayah", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan"}
}

func importXLSX(t *testing.T, r *registry.Registry, path string) (registry.ImportResult, string, error) {
	t.Helper()
	src, err := registry.OpenFile(path, registry.SourceOptions{})
	if err != nil {
		return registry.ImportResult{}, "", err
	}
	defer src.Close()
	var rep strings.Builder
	res, err := r.Import(context.Background(), src, registry.ImportOptions{Actor: "test", Report: &rep})
	return res, rep.String(), err
}

func TestImportXLSX(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		t.Run("sheets, merged cells and date cells", func(t *testing.T) {
			data := map[string][][]any{
				"Data1": {xlsxHeader(),
					{kk1, "32.01.01.2002", head1, "Budi", "L", "1980-05-12", "kepala_keluarga"},
					{nil, nil, wife1, "Siti", "P", "1985-03-07", "istri"}},
				// Same header: the data goes on.
				"Data2": {xlsxHeader(),
					{kk2, "32.01.01.1001", head2, "Achmad", "L", nil, "kepala_keluarga"}},
				// Another header: skipped and reported.
				"Catatan": {{"catatan"}, {"dibuat oleh operator"}},
			}
			path := writeXLSX(t, data, []string{"Data1", "Data2", "Catatan"}, func(f *excelize.File) {
				// The KK number cell merged down over the family's rows, as operators do.
				f.SetCellValue("Data1", "B3", nil)
				if err := f.MergeCell("Data1", "A2", "A3"); err != nil {
					t.Fatal(err)
				}
				// A real date cell (serial number with a date format).
				style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
				f.SetCellValue("Data2", "F2", 27626.0) // 1975-08-20
				f.SetCellStyle("Data2", "F2", "F2", style)
			})
			res, rep, err := importXLSX(t, r, path)
			if err != nil {
				t.Fatal(err, rep)
			}
			// The merged KK cell counts on both rows: Siti belongs to Budi's family.
			if strings.Contains(rep, "Data1!3") {
				t.Errorf("merged cell reported as missing:\n%s", rep)
			}
			if !strings.Contains(rep, "Catatan!1") || !strings.Contains(rep, "judul kolomnya berbeda") {
				t.Errorf("sheet with another header not reported:\n%s", rep)
			}
			if res.FamiliesAdded != 2 {
				t.Fatalf("families added %d: %+v\n%s", res.FamiliesAdded, res, rep)
			}
			if p, err := r.FindByNIK(context.Background(), wife1); err != nil || p.Name != "Siti" {
				t.Fatalf("member under a merged KK cell: %+v %v", p, err)
			}
			p, err := r.FindByNIK(context.Background(), head2)
			if err != nil || p.BirthDate != "1975-08-20" {
				t.Fatalf("date cell: %+v %v", p, err)
			}
		})
		t.Run("formula without a cached value", func(t *testing.T) {
			data := map[string][][]any{"Data": {xlsxHeader(),
				{"3201011506100009", "32.01.01.2002", "3201011111700001", nil, "L", "1970-11-11", "kepala_keluarga"}}}
			path := writeXLSX(t, data, []string{"Data"}, func(f *excelize.File) {
				f.SetCellFormula("Data", "D2", `CONCATENATE("BU","DI")`)
			})
			res, rep, err := importXLSX(t, r, path)
			if err != nil {
				t.Fatal(err)
			}
			if res.FamiliesAdded != 0 || !strings.Contains(rep, "Data!2,nama") {
				t.Fatalf("formula cell: %+v\n%s", res, rep)
			}
		})
	})
}

func TestOpenFileRefusesOtherTypes(t *testing.T) {
	p := writeFile(t, "data.ods", "x")
	if _, err := registry.OpenFile(p, registry.SourceOptions{}); err == nil || !strings.Contains(err.Error(), "tidak didukung") {
		t.Fatalf("got %v", err)
	}
	p = writeFile(t, "palsu.xlsx", "not a zip")
	if _, err := registry.OpenFile(p, registry.SourceOptions{}); err == nil || !strings.Contains(err.Error(), "bukan berkas XLSX") {
		t.Fatalf("got %v", err)
	}
}

func TestImportLatin1Option(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		content := strings.Replace(goodCSV, "Siti Aminah", "Siti Amin\xe1h", 1)
		src, err := registry.NewCSVReader(strings.NewReader(content), 0, registry.SourceOptions{Latin1: true})
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Import(context.Background(), src, registry.ImportOptions{Actor: "test"})
		if err != nil || res.FamiliesAdded != 2 {
			t.Fatalf("%+v %v", res, err)
		}
		p, _ := r.FindByNIK(context.Background(), wife1)
		if p.Name != "Siti Amináh" {
			t.Fatalf("decoded name %q", p.Name)
		}
	})
}
