package store

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// CopyFrom inserts rows into table in bulk: PostgreSQL's COPY (text format), or
// multi-row INSERT statements with anonymous placeholders on SQLite. Values must have the Go types of
// the columns (int64, string, bool, float64, nil for NULL).
func (tx *Tx) CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	if tx.engine == Postgres {
		buf, err := appendCopyText(make([]byte, 0, len(rows)*len(columns)*12), rows, len(columns))
		if err != nil {
			return 0, fmt.Errorf("store: copy into %s: %w", table, err)
		}
		return tx.copyPG(ctx, table, columns, buf)
	}
	return tx.insertMany(ctx, table, columns, rows)
}

// CopyText holds rows already encoded in PostgreSQL's COPY text format, for
// CopyFromText: a bulk load encodes straight from its own values, without a
// boxed value per column. Add a row's columns in order, then End it.
type CopyText struct {
	buf  []byte
	cols int // columns in the current row
	rows int
}

func (c *CopyText) sep() {
	if c.cols > 0 {
		c.buf = append(c.buf, '\t')
	}
	c.cols++
}

// Str adds a text column.
func (c *CopyText) Str(s string) { c.sep(); c.buf = appendCopyString(c.buf, s) }

// Int adds an integer column.
func (c *CopyText) Int(v int64) { c.sep(); c.buf = strconv.AppendInt(c.buf, v, 10) }

// Bool adds a boolean column.
func (c *CopyText) Bool(v bool) {
	c.sep()
	if v {
		c.buf = append(c.buf, 't')
	} else {
		c.buf = append(c.buf, 'f')
	}
}

// Float adds a floating-point column.
func (c *CopyText) Float(v float64) { c.sep(); c.buf = strconv.AppendFloat(c.buf, v, 'g', -1, 64) }

// Null adds a NULL column.
func (c *CopyText) Null() { c.sep(); c.buf = append(c.buf, '\\', 'N') }

// End ends a row of ncols columns; a row of another width is a programming error.
func (c *CopyText) End(ncols int) {
	if c.cols != ncols {
		panic(fmt.Sprintf("store: copy row has %d values for %d columns", c.cols, ncols))
	}
	c.buf = append(c.buf, '\n')
	c.cols = 0
	c.rows++
}

// Bytes returns the encoded rows.
func (c *CopyText) Bytes() []byte { return c.buf }

// Rows is the number of rows ended so far.
func (c *CopyText) Rows() int { return c.rows }

// Reset empties c, keeping its memory.
func (c *CopyText) Reset() { c.buf, c.cols, c.rows = c.buf[:0], 0, 0 }

// CopyFromText loads rows encoded in c into table with PostgreSQL's COPY.
// It is for PostgreSQL only; SQLite takes CopyFrom's values.
func (tx *Tx) CopyFromText(ctx context.Context, table string, columns []string, c *CopyText) (int64, error) {
	if tx.engine != Postgres {
		return 0, fmt.Errorf("store: copy text into %s on %s", table, tx.engine)
	}
	if c.cols != 0 {
		return 0, fmt.Errorf("store: copy into %s: unfinished row", table)
	}
	if c.rows == 0 {
		return 0, nil
	}
	return tx.copyPG(ctx, table, columns, c.buf)
}

func (tx *Tx) copyPG(ctx context.Context, table string, columns []string, buf []byte) (int64, error) {
	var n int64
	err := tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: unexpected driver connection %T", dc)
		}
		tag, err := c.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(buf),
			"COPY "+pgx.Identifier{table}.Sanitize()+" ("+strings.Join(columns, ", ")+") FROM STDIN")
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: copy into %s: %w", table, err)
	}
	return n, nil
}

// appendCopyText encodes rows in PostgreSQL's COPY text format. Encoding
// here with a type switch costs a fraction of per-value encode planning.
func appendCopyText(buf []byte, rows [][]any, ncols int) ([]byte, error) {
	for _, r := range rows {
		if len(r) != ncols {
			return nil, fmt.Errorf("row has %d values for %d columns", len(r), ncols)
		}
		for j, v := range r {
			if j > 0 {
				buf = append(buf, '\t')
			}
			switch x := v.(type) {
			case nil:
				buf = append(buf, '\\', 'N')
			case string:
				buf = appendCopyString(buf, x)
			case int64:
				buf = strconv.AppendInt(buf, x, 10)
			case int:
				buf = strconv.AppendInt(buf, int64(x), 10)
			case bool:
				if x {
					buf = append(buf, 't')
				} else {
					buf = append(buf, 'f')
				}
			case float64:
				buf = strconv.AppendFloat(buf, x, 'g', -1, 64)
			default:
				return nil, fmt.Errorf("column %d: unsupported type %T", j+1, v)
			}
		}
		buf = append(buf, '\n')
	}
	return buf, nil
}

// copySpecial marks the bytes COPY text format escapes (or drops: NUL).
var copySpecial = [256]bool{'\\': true, '\n': true, '\r': true, '\t': true, 0: true}

func appendCopyString(buf []byte, s string) []byte {
	clean := true
	for i := 0; i < len(s); i++ {
		if copySpecial[s[i]] {
			clean = false
			break
		}
	}
	if clean {
		return append(buf, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		case 0:
			// PostgreSQL text cannot hold NUL; validation refuses it earlier.
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

// sqliteMaxParams is SQLite's default limit of bound parameters per statement.
const sqliteMaxParams = 32766

func (tx *Tx) insertMany(ctx context.Context, table string, columns []string, rows [][]any) (int64, error) {
	per := sqliteMaxParams / len(columns)
	if per > 500 {
		per = 500
	}
	var done int64
	colList := strings.Join(columns, ",")
	args := make([]any, 0, per*len(columns))
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		args = args[:0]
		for _, r := range rows[start:end] {
			if len(r) != len(columns) {
				return done, fmt.Errorf("store: insert into %s: row has %d values for %d columns", table, len(r), len(columns))
			}
			args = append(args, r...)
		}
		n := end - start
		st, err := tx.prepared(ctx, stmtKey{table, colList, n}, func() string { return insertSQL(table, columns, n) })
		if err != nil {
			return done, fmt.Errorf("store: insert into %s: %w", table, err)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return done, fmt.Errorf("store: insert into %s: %w", table, err)
		}
		done += int64(end - start)
	}
	return done, nil
}

func insertSQL(table string, columns []string, nrows int) string {
	var b strings.Builder
	b.Grow(32 + nrows*len(columns)*6)
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(strings.Join(columns, ", "))
	b.WriteString(") VALUES ")
	for i := 0; i < nrows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range columns {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	return b.String()
}

// InText returns a condition "column IN (...)" over text values and its
// arguments, numbered from $from. PostgreSQL gets one array parameter
// (column = ANY($from)), which plans in constant time however long the list.
func (e Engine) InText(column string, from int, values []string) (string, []any) {
	if e == Postgres {
		return column + " = ANY($" + strconv.Itoa(from) + ")", []any{values}
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return column + " IN (" + e.Params(from, len(values)) + ")", args
}

// InInt64 is InText for integer values.
func (e Engine) InInt64(column string, from int, values []int64) (string, []any) {
	if e == Postgres {
		return column + " = ANY($" + strconv.Itoa(from) + ")", []any{values}
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return column + " IN (" + e.Params(from, len(values)) + ")", args
}

// Params returns n placeholders for parameters from, from+1, ... of a
// statement, for IN lists and multi-row inserts. SQLite gets anonymous "?":
// its numbered and named forms cost time quadratic in the number of
// parameters. The parameters before them must be numbered $1 .. $from-1,
// each used once, which makes both forms bind alike.
func (e Engine) Params(from, n int) string {
	var b strings.Builder
	b.Grow(n * 6)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		if e == SQLite {
			b.WriteByte('?')
			continue
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}
