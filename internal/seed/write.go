package seed

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// progressEvery is the number of rows between progress reports.
const progressEvery = 10000

// WriteFiles generates the population of o into dir/people.csv (header and
// rows) and, when o.Dirty > 0, dir/truth.csv (columns row,person_key,kind:
// which real person every data row is, and the error injected into it). The
// directory is created if needed. progress, when not nil, is called every
// 10,000 rows and once at the end.
func WriteFiles(dir string, o Options, progress func(families, people int)) (err error) {
	g, err := New(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pf, err := os.Create(filepath.Join(dir, "people.csv"))
	if err != nil {
		return err
	}
	defer func() {
		if cerr := pf.Close(); err == nil {
			err = cerr
		}
	}()
	pw := bufio.NewWriterSize(pf, 1<<20)

	var tw *bufio.Writer
	if o.Dirty > 0 {
		tf, err := os.Create(filepath.Join(dir, "truth.csv"))
		if err != nil {
			return err
		}
		defer func() {
			if cerr := tf.Close(); err == nil {
				err = cerr
			}
		}()
		tw = bufio.NewWriterSize(tf, 1<<18)
		if _, err := tw.WriteString("row,person_key,kind\n"); err != nil {
			return err
		}
		var tb []byte
		g.truthW = func(row int, key uint64, kind string) {
			tb = strconv.AppendInt(tb[:0], int64(row), 10)
			tb = append(tb, ',')
			tb = appendKey(tb, key)
			tb = append(tb, ',')
			tb = append(tb, kind...)
			tb = append(tb, '\n')
			tw.Write(tb) // a write error sticks in tw and is reported by Flush
		}
	}

	buf := appendRecord(nil, Columns)
	for {
		row, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		buf = appendRecord(buf, row)
		if len(buf) >= 1<<16 {
			if _, err := pw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		if progress != nil && g.people%progressEvery == 0 {
			progress(g.famDone, g.people)
		}
	}
	if _, err := pw.Write(buf); err != nil {
		return err
	}
	if err := pw.Flush(); err != nil {
		return err
	}
	if tw != nil {
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if progress != nil {
		progress(g.famDone, g.people)
	}
	return nil
}

// appendRecord appends one CSV record (RFC 4180, "\n" line ends).
func appendRecord(b []byte, rec []string) []byte {
	for i, s := range rec {
		if i > 0 {
			b = append(b, ',')
		}
		if !needsQuotes(s) {
			b = append(b, s...)
			continue
		}
		b = append(b, '"')
		for j := 0; j < len(s); j++ {
			if s[j] == '"' {
				b = append(b, '"')
			}
			b = append(b, s[j])
		}
		b = append(b, '"')
	}
	return append(b, '\n')
}

func needsQuotes(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			return true
		}
	}
	return false
}
