package registry

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// Pos locates a row in an input file: the line of a CSV file, or the sheet
// and row of a workbook. Rows are numbered from 1, the header being row 1.
type Pos struct {
	Sheet string
	Row   int
}

func (p Pos) String() string {
	if p.Sheet == "" {
		return strconv.Itoa(p.Row)
	}
	return p.Sheet + "!" + strconv.Itoa(p.Row)
}

// RowReader yields the rows of an input file after its header.
type RowReader interface {
	// Header returns the column names of the first row.
	Header() []string
	// Next returns the next data row, or io.EOF. The slice may be reused by
	// the next call; the strings in it may be kept. A *RowError names a row
	// the reader could not read.
	Next() ([]string, Pos, error)
	// Progress returns bytes consumed so far and the total, for progress bars.
	Progress() (done, total int64)
	Close() error
}

// RowError is a problem the reader found in a row (bad quoting, bad bytes).
type RowError struct {
	Pos    Pos
	Column string
	Reason string
	// Fatal means nothing after this row can be read.
	Fatal bool
}

func (e *RowError) Error() string {
	return fmt.Sprintf("baris %s kolom %s: %s", e.Pos, e.Column, e.Reason)
}

// SourceOptions tune how files are read.
type SourceOptions struct {
	// Latin1 decodes CSV bytes as Windows-1252 instead of UTF-8.
	Latin1 bool
}

// OpenFile opens a CSV or XLSX file by its extension.
func OpenFile(path string, o SourceOptions) (RowReader, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		r, err := NewCSVReader(f, st.Size(), o)
		if err != nil {
			f.Close()
			return nil, err
		}
		return r, nil
	case ".xlsx", ".xlsm":
		return OpenXLSX(path)
	default:
		return nil, fmt.Errorf("%s: jenis berkas tidak didukung (gunakan .csv atau .xlsx)", filepath.Base(path))
	}
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type csvReader struct {
	closer io.Closer
	count  *countingReader
	total  int64
	cr     *csv.Reader
	header []string
	latin1 bool
	fatal  bool
}

// NewCSVReader reads CSV rows from r; size is the total byte count for
// progress (0 if unknown). A UTF-8 byte-order mark and CRLF line ends are accepted.
func NewCSVReader(r io.Reader, size int64, o SourceOptions) (RowReader, error) {
	count := &countingReader{r: r}
	br := bufio.NewReaderSize(count, 1<<20)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	var in io.Reader = br
	if o.Latin1 {
		in = charmap.Windows1252.NewDecoder().Reader(br)
	}
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	c := &csvReader{count: count, total: size, cr: cr, latin1: o.Latin1}
	if cl, ok := r.(io.Closer); ok {
		c.closer = cl
	}
	h, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("berkas kosong: baris judul kolom tidak ada")
	}
	if err != nil {
		return nil, fmt.Errorf("baris judul kolom: %w", err)
	}
	for i, v := range h {
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("baris 1 kolom %d: bukan teks UTF-8 (simpan ulang sebagai \"CSV UTF-8\" atau impor dengan --latin1)", i+1)
		}
	}
	c.header = append([]string(nil), h...)
	return c, nil
}

func (c *csvReader) Header() []string { return c.header }

func (c *csvReader) Next() ([]string, Pos, error) {
	if c.fatal {
		return nil, Pos{}, io.EOF
	}
	rec, err := c.cr.Read()
	var pos Pos
	if err == nil && len(rec) > 0 {
		line, _ := c.cr.FieldPos(0)
		pos.Row = line
	}
	if err != nil {
		if err == io.EOF {
			return nil, pos, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			c.fatal = true
			reason := "CSV tidak dapat dibaca: " + pe.Err.Error()
			if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
				reason = "tanda kutip (\") tidak seimbang; baris ini dan sesudahnya tidak dapat dibaca"
			}
			return nil, Pos{Row: pe.StartLine}, &RowError{Pos: Pos{Row: pe.StartLine}, Column: strconv.Itoa(pe.Column), Reason: reason, Fatal: true}
		}
		return nil, pos, err
	}
	if len(rec) != len(c.header) {
		return rec, pos, &RowError{Pos: pos, Column: "-", Reason: fmt.Sprintf("baris berisi %d kolom, judul berisi %d", len(rec), len(c.header))}
	}
	if !c.latin1 {
		for i, v := range rec {
			if !utf8.ValidString(v) {
				return rec, pos, &RowError{Pos: pos, Column: c.header[i], Reason: "bukan teks UTF-8 (simpan ulang sebagai \"CSV UTF-8\" atau impor dengan --latin1)"}
			}
		}
	}
	return rec, pos, nil
}

func (c *csvReader) Progress() (int64, int64) { return c.count.n.Load(), c.total }

func (c *csvReader) Close() error {
	if c.closer != nil {
		return c.closer.Close()
	}
	return nil
}

// xlsxReader reads every sheet of a workbook whose header equals the first
// sheet's. Cells are read raw: numbers as typed, formulas as their cached
// result, and date cells of the tanggal_lahir column converted from Excel
// serial numbers.
type xlsxReader struct {
	f        *excelize.File
	sheets   []string
	sheetIdx int
	rows     *excelize.Rows
	row      int
	header   []string
	dateCol  int
	size     int64
	buf      []string
	// merged maps row -> column -> the top-left cell of its merged range,
	// which alone holds the value; topLeft keeps those values as rows are read.
	merged  map[int]map[int][2]int
	topLeft map[[2]int]string
}

// mergedLimit is the largest workbook whose merged cells are filled in:
// reading them loads a sheet whole, and large machine exports have none.
const mergedLimit = 50 << 20

// OpenXLSX opens a workbook for reading.
func OpenXLSX(path string) (RowReader, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: bukan berkas XLSX yang dapat dibaca: %w", filepath.Base(path), err)
	}
	x := &xlsxReader{f: f, sheets: f.GetSheetList(), size: st.Size(), dateCol: -1}
	for x.sheetIdx < len(x.sheets) {
		h, err := x.openSheet()
		if err != nil {
			f.Close()
			return nil, err
		}
		if h != nil {
			x.header = h
			for i, c := range h {
				if strings.EqualFold(strings.TrimSpace(c), "tanggal_lahir") {
					x.dateCol = i
				}
			}
			return x, nil
		}
		x.sheetIdx++
	}
	f.Close()
	return nil, errors.New("berkas XLSX kosong: tidak ada lembar berisi judul kolom")
}

// openSheet opens the current sheet and returns its header, or nil when empty.
func (x *xlsxReader) openSheet() ([]string, error) {
	rows, err := x.f.Rows(x.sheets[x.sheetIdx])
	if err != nil {
		return nil, err
	}
	x.rows, x.row = rows, 0
	x.merged = nil
	if x.size <= mergedLimit {
		x.loadMerged(x.sheets[x.sheetIdx])
	}
	for rows.Next() {
		x.row++
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		if !blank(cols) {
			return trimTrailing(cols), nil
		}
	}
	rows.Close()
	x.rows = nil
	return nil, nil
}

func (x *xlsxReader) Header() []string { return x.header }

// loadMerged records the cells covered by merged ranges, so that a value
// merged down over a family's rows is read on each of them.
func (x *xlsxReader) loadMerged(sheet string) {
	ranges, err := x.f.GetMergeCells(sheet, true)
	if err != nil || len(ranges) == 0 {
		return
	}
	x.merged = map[int]map[int][2]int{}
	x.topLeft = map[[2]int]string{}
	for _, m := range ranges {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || (r2-r1+1)*(c2-c1+1) > 1_000_000 {
			continue
		}
		src := [2]int{r1, c1 - 1}
		x.topLeft[src] = ""
		for r := r1; r <= r2; r++ {
			for c := c1; c <= c2; c++ {
				if r == r1 && c == c1 {
					continue
				}
				if x.merged[r] == nil {
					x.merged[r] = map[int][2]int{}
				}
				x.merged[r][c-1] = src
			}
		}
	}
}

func (x *xlsxReader) Next() ([]string, Pos, error) {
	for {
		if x.rows == nil {
			if err := x.nextSheet(); err != nil {
				return nil, Pos{Sheet: x.sheets[x.sheetIdx], Row: x.row}, err
			}
			if x.rows == nil {
				return nil, Pos{}, io.EOF
			}
		}
		if !x.rows.Next() {
			x.rows.Close()
			x.rows = nil
			continue
		}
		x.row++
		cols, err := x.rows.Columns(excelize.Options{RawCellValue: true})
		pos := Pos{Sheet: x.sheets[x.sheetIdx], Row: x.row}
		if err != nil {
			return nil, pos, &RowError{Pos: pos, Column: "-", Reason: "baris tidak dapat dibaca: " + err.Error()}
		}
		if blank(cols) {
			continue
		}
		x.buf = append(x.buf[:0], cols...)
		for len(x.buf) < len(x.header) {
			x.buf = append(x.buf, "")
		}
		if x.merged != nil {
			for c := range x.buf {
				if _, ok := x.topLeft[[2]int{x.row, c}]; ok {
					x.topLeft[[2]int{x.row, c}] = x.buf[c]
				}
			}
			for c, src := range x.merged[x.row] {
				if c < len(x.buf) && x.buf[c] == "" {
					x.buf[c] = x.topLeft[src]
				}
			}
		}
		if len(trimTrailing(x.buf)) > len(x.header) {
			return x.buf, pos, &RowError{Pos: pos, Column: "-", Reason: fmt.Sprintf("baris berisi nilai di luar %d kolom judul", len(x.header))}
		}
		x.buf = x.buf[:len(x.header)]
		if x.dateCol >= 0 {
			x.buf[x.dateCol] = excelDate(x.buf[x.dateCol])
		}
		return x.buf, pos, nil
	}
}

// nextSheet opens the next sheet that continues the data (same header). A
// sheet with another header is skipped with a *RowError; x.rows stays nil
// when no sheet is left.
func (x *xlsxReader) nextSheet() error {
	for x.sheetIdx+1 < len(x.sheets) {
		x.sheetIdx++
		h, err := x.openSheet()
		if err != nil {
			return err
		}
		if h == nil {
			continue
		}
		if strings.Join(h, "\x00") != strings.Join(x.header, "\x00") {
			x.rows.Close()
			x.rows = nil
			return &RowError{Pos: Pos{Sheet: x.sheets[x.sheetIdx], Row: x.row}, Column: "-",
				Reason: "lembar ini dilewati: judul kolomnya berbeda dengan lembar pertama"}
		}
		return nil
	}
	return nil
}

func (x *xlsxReader) Progress() (int64, int64) {
	if len(x.sheets) == 0 {
		return 0, 0
	}
	return x.size * int64(x.sheetIdx) / int64(len(x.sheets)), x.size
}

func (x *xlsxReader) Close() error {
	if x.rows != nil {
		x.rows.Close()
	}
	return x.f.Close()
}

// excelDate turns an Excel date serial ("44927" or "44927.0") into YYYY-MM-DD;
// other values pass through.
func excelDate(v string) string {
	if v == "" || strings.ContainsAny(v, "-/") {
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 1 || f > 2958465 {
		return v
	}
	t, err := excelize.ExcelDateToTime(f, false)
	if err != nil {
		return v
	}
	return t.Format("2006-01-02")
}

func blank(cols []string) bool {
	for _, c := range cols {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func trimTrailing(cols []string) []string {
	n := len(cols)
	for n > 0 && strings.TrimSpace(cols[n-1]) == "" {
		n--
	}
	return cols[:n]
}
