package program

import (
	"os"
	"strings"
	"testing"
)

// docs/programs.md lists every field rules can read, with its type.
func TestDocsListEveryField(t *testing.T) {
	b, err := os.ReadFile("../../docs/programs.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, fs := range [][]FieldDoc{FamilyFields(), MemberFields()} {
		for _, f := range fs {
			if row := "| `" + f.Name + "` | " + f.Type + " |"; !strings.Contains(doc, row) {
				t.Errorf("docs/programs.md has no row %q", row)
			}
		}
	}
}
