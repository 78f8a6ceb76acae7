package authz_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/kemensos/jaring/internal/authz"
)

// TestPrintMatrix prints the matrix when JARING_PRINT_MATRIX is set, to
// refresh docs/permissions.md.
func TestPrintMatrix(t *testing.T) {
	if os.Getenv("JARING_PRINT_MATRIX") == "" {
		t.Skip("set JARING_PRINT_MATRIX=1 to print the permission matrix")
	}
	fmt.Print(authz.Matrix())
}
