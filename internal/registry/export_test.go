package registry_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/registry"
)

func TestExportRoundTrip(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		ctx := context.Background()
		if _, rep, err := importString(t, r, goodCSV, registry.ImportOptions{}); err != nil {
			t.Fatal(err, rep)
		}
		var buf bytes.Buffer
		n, err := r.Export(ctx, "32.01.01", registry.NewCSVWriter(&buf))
		if err != nil || n != 4 {
			t.Fatalf("export: %d rows, %v", n, err)
		}
		// Exporting another district gives the header only.
		var other bytes.Buffer
		if n, err := r.Export(ctx, "32.01.02", registry.NewCSVWriter(&other)); err != nil || n != 0 {
			t.Fatalf("other district: %d rows, %v", n, err)
		}
		res, rep, err := importString(t, r, buf.String(), registry.ImportOptions{})
		if err != nil || res.FamiliesUnchanged != 2 || res.PeopleUnchanged != 4 || res.Errors != 0 {
			t.Fatalf("re-import of export: %+v %v\n%s\n%s", res, err, rep, buf.String())
		}

		// XLSX, two rows a sheet: the import reads every sheet with the same header.
		old := registry.XLSXMaxRows
		registry.XLSXMaxRows = 2
		defer func() { registry.XLSXMaxRows = old }()
		path := filepath.Join(t.TempDir(), "ekspor.xlsx")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Export(ctx, "", registry.NewXLSXWriter(f)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		src, err := registry.OpenFile(path, registry.SourceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		var report strings.Builder
		res, err = r.Import(ctx, src, registry.ImportOptions{Actor: "test", Report: &report})
		if err != nil || res.Rows != 4 || res.FamiliesUnchanged != 2 || res.PeopleUnchanged != 4 {
			t.Fatalf("xlsx re-import: %+v %v\n%s", res, err, report.String())
		}
	})
}
