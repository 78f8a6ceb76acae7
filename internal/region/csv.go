package region

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Region is one administrative region.
type Region struct {
	Code   string // dotted Kemendagri code, e.g. "32.04.28.2001"
	Name   string // official name, e.g. "Rancaekek Wetan"
	Level  int    // 1 province ... 4 village, see Level
	Parent string // code of the containing region, "" for a province
	Active bool   // false once the code has left the official list
}

// maxErrors caps the problems reported for one file or import.
const maxErrors = 20

// lineError is one problem with one line of input (or one row of a slice).
type lineError struct {
	line int
	msg  string
}

// problems collects the first maxErrors problems and counts the rest.
type problems struct {
	list  []lineError
	total int
}

func (p *problems) add(line int, format string, args ...any) {
	p.total++
	if len(p.list) < maxErrors {
		p.list = append(p.list, lineError{line, fmt.Sprintf(format, args...)})
	}
}

// err joins the problems, which must be in line order, into one error;
// what is a prefix such as "line" or "row".
func (p *problems) err(what string) error {
	if p.total == 0 {
		return nil
	}
	errs := make([]error, 0, len(p.list)+1)
	for _, e := range p.list {
		errs = append(errs, fmt.Errorf("%s %d: %s", what, e.line, e.msg))
	}
	if more := p.total - len(p.list); more > 0 {
		errs = append(errs, fmt.Errorf("... and %d more problems", more))
	}
	return errors.Join(errs...)
}

// merge returns the problems of p and q (each in line order) in line order.
func merge(p, q problems) problems {
	out := problems{total: p.total + q.total}
	all := append(slices.Clip(p.list), q.list...)
	slices.SortStableFunc(all, func(a, b lineError) int { return a.line - b.line })
	out.list = all[:min(len(all), maxErrors)]
	return out
}

// ReadCSV reads the official list as CSV with the header "kode,nama" (more
// columns are ignored), UTF-8 with or without a byte-order mark, LF or CRLF
// line ends, names with commas quoted. Spaces around fields are trimmed.
// Each bad row is reported with its line number: a malformed code, an empty
// or non-UTF-8 name, a duplicate code, or a code whose parent is not in the
// file. On success it returns the rows sorted by code, all active; on failure
// the first 20 problems joined into one error.
func ReadCSV(r io.Reader) ([]Region, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("region csv: empty file: want the header kode,nama")
	}
	if err != nil {
		return nil, fmt.Errorf("region csv: line 1: %w", err)
	}
	if len(header) < 2 || !strings.EqualFold(strings.TrimSpace(header[0]), "kode") ||
		!strings.EqualFold(strings.TrimSpace(header[1]), "nama") {
		return nil, fmt.Errorf("region csv: line 1: want the header kode,nama, got %q", strings.Join(header, ","))
	}

	var (
		rows  []Region
		lines []int              // line of rows[i]
		seen  = map[string]int{} // code -> line of its first occurrence
		bad   problems
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad.add(pe.StartLine, "%v", pe.Err)
				continue // the reader resumes after the bad record
			}
			return nil, fmt.Errorf("region csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < 2 {
			bad.add(line, "want 2 fields kode,nama, got %d", len(rec))
			continue
		}
		code, name := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if err := Validate(code); err != nil {
			bad.add(line, "%v", err)
			continue
		}
		if name == "" {
			bad.add(line, "region %s: empty name", code)
			continue
		}
		if !utf8.ValidString(name) {
			bad.add(line, "region %s: name is not valid UTF-8", code)
			continue
		}
		if first, dup := seen[code]; dup {
			bad.add(line, "duplicate code %s (first on line %d)", code, first)
			continue
		}
		seen[code] = line
		rows = append(rows, Region{Code: code, Name: name, Level: Level(code), Parent: Parent(code), Active: true})
		lines = append(lines, line)
	}

	var orphans problems
	for i, r := range rows {
		if r.Parent == "" {
			continue
		}
		if _, ok := seen[r.Parent]; !ok {
			orphans.add(lines[i], "parent %s of %s is not in the file", r.Parent, r.Code)
		}
	}
	if all := merge(bad, orphans); all.total > 0 {
		return nil, fmt.Errorf("region csv: %d bad rows:\n%w", all.total, all.err("line"))
	}
	if len(rows) == 0 {
		return nil, errors.New("region csv: no regions after the header")
	}
	slices.SortFunc(rows, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	return rows, nil
}
