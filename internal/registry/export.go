package registry

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/store"
)

// RowWriter receives exported rows.
type RowWriter interface {
	Write(row []string) error
	Close() error
}

// Export streams the current members of every current family in a region
// scope, in the import format, ordered by family. It returns the rows written.
func (r *Registry) Export(ctx context.Context, scope string, w RowWriter) (int64, error) {
	scope, err := narrow(ctx, scope)
	if err != nil {
		return 0, err
	}
	// Full records leave the system: the export is in the audit trail before the first row is.
	err = r.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: audit.ActExport, ObjectType: audit.ObjRegister, Region: scope,
			After: map[string]any{"wilayah": scope}})
	})
	if err != nil {
		return 0, err
	}
	if err := w.Write(Columns); err != nil {
		return 0, err
	}
	lo, hi := scopeRange(scope)
	fcols := make([]string, len(familyCols))
	for i, c := range familyCols {
		fcols[i] = "f." + c
	}
	pcols := make([]string, len(personCols))
	for i, c := range personCols {
		pcols[i] = "p." + c
	}
	q := "SELECT " + strings.Join(fcols, ", ") + ", " + strings.Join(pcols, ", ") + `
FROM family f JOIN person p ON p.family_id = f.id AND p.valid_to IS NULL
WHERE f.valid_to IS NULL AND f.village_code >= $1 AND f.village_code < $2
ORDER BY f.id, CASE WHEN p.relation = 'kepala_keluarga' THEN 0 ELSE 1 END, p.id`
	rows, err := r.DB.Query(ctx, q, lo, hi)
	if err != nil {
		return 0, fmt.Errorf("registry: export: %w", err)
	}
	defer rows.Close()
	var n int64
	var lastFamily int64
	var fd familyDest
	var pd personDest
	dest := append(fd.ptrs(), pd.ptrs()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, fmt.Errorf("registry: export: %w", err)
		}
		fam, p := fd.family(), pd.person()
		row := Row(&fam, &p)
		if fam.ID == lastFamily {
			// Family columns are written once, on the family's first row.
			for c := colVillage; c < FamilyColumnCount; c++ {
				row[c] = ""
			}
		}
		lastFamily = fam.ID
		if err := w.Write(row); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("registry: export: %w", err)
	}
	return n, w.Close()
}

// CSVWriter writes rows as CSV.
type CSVWriter struct {
	w *csv.Writer
}

// NewCSVWriter returns a RowWriter writing CSV (UTF-8, comma, CRLF-free) to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

func (c *CSVWriter) Write(row []string) error { return c.w.Write(row) }

func (c *CSVWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// XLSXMaxRows is the number of data rows per sheet before a new sheet starts
// (Excel's limit is 1,048,576 rows including the header).
var XLSXMaxRows = 1_000_000

// XLSXWriter writes rows to a workbook with a streaming writer, starting a
// new sheet with the same header every XLSXMaxRows rows. All cells are text,
// so 16-digit numbers keep every digit.
type XLSXWriter struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	header []any
	sheet  int
	row    int
	cells  []any
}

// NewXLSXWriter returns a RowWriter producing an XLSX workbook on Close.
func NewXLSXWriter(w io.Writer) *XLSXWriter { return &XLSXWriter{out: w, f: excelize.NewFile()} }

func (x *XLSXWriter) newSheet() error {
	if x.sw != nil {
		if err := x.sw.Flush(); err != nil {
			return err
		}
	}
	x.sheet++
	name := "Data" + strconv.Itoa(x.sheet)
	if x.sheet == 1 {
		if err := x.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	x.sw, x.row = sw, 1
	if err := sw.SetRow("A1", x.header); err != nil {
		return err
	}
	return nil
}

func (x *XLSXWriter) Write(row []string) error {
	if x.header == nil {
		x.header = toAny(row, nil)
		return x.newSheet()
	}
	if x.row-1 >= XLSXMaxRows {
		if err := x.newSheet(); err != nil {
			return err
		}
	}
	x.row++
	x.cells = toAny(row, x.cells)
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	return x.sw.SetRow(cell, x.cells)
}

func (x *XLSXWriter) Close() error {
	if x.sw == nil {
		if err := x.newSheet(); err != nil {
			return err
		}
	}
	if err := x.sw.Flush(); err != nil {
		return err
	}
	if _, err := x.f.WriteTo(x.out); err != nil {
		return err
	}
	return x.f.Close()
}

func toAny(row []string, buf []any) []any {
	buf = buf[:0]
	for _, v := range row {
		buf = append(buf, v)
	}
	return buf
}
