package store

import (
	"bytes"
	"testing"
)

// TestCopyTextMatchesCopyFrom: the row builder encodes exactly as CopyFrom does.
func TestCopyTextMatchesCopyFrom(t *testing.T) {
	rows := [][]any{
		{int64(1), "plain", nil, true, 1.5, "tab\there\\back\nline\rret\x00nul", int64(-7)},
		{int64(2), "", nil, false, -0.25, "Jl. Melati, RT 01", int64(0)},
	}
	want, err := appendCopyText(nil, rows, 7)
	if err != nil {
		t.Fatal(err)
	}
	var c CopyText
	for _, r := range rows {
		for _, v := range r {
			switch x := v.(type) {
			case nil:
				c.Null()
			case string:
				c.Str(x)
			case int64:
				c.Int(x)
			case bool:
				c.Bool(x)
			case float64:
				c.Float(x)
			}
		}
		c.End(7)
	}
	if !bytes.Equal(c.Bytes(), want) || c.Rows() != 2 {
		t.Fatalf("CopyText %q (%d rows), CopyFrom %q", c.Bytes(), c.Rows(), want)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a short row was accepted")
		}
	}()
	c.Str("x")
	c.End(7)
}
