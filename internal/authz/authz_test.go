package authz_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/authz"
)

func TestContainsAndNarrow(t *testing.T) {
	cases := []struct {
		scope, code string
		want        bool
	}{
		{"", "32.01", true}, {"32", "32.01.01.2001", true}, {"32.01", "32.01", true},
		{"32.01", "32.010", false}, {"32.01", "32.02.01", false}, {"32.01.01.2001", "32.01.01.2002", false},
		{"32.01.01", "32.01", false},
	}
	for _, c := range cases {
		if got := authz.Contains(c.scope, c.code); got != c.want {
			t.Errorf("Contains(%q, %q) = %v", c.scope, c.code, got)
		}
	}
	ctx := authz.With(context.Background(), authz.Principal{Role: authz.Village, Region: "32.01.01.2001"})
	for _, c := range []struct {
		req, want string
		ok        bool
	}{{"", "32.01.01.2001", true}, {"32", "32.01.01.2001", true}, {"32.01.01.2001", "32.01.01.2001", true}, {"32.01.01.2002", "", false}, {"33", "", false}} {
		got, ok := authz.Narrow(ctx, c.req)
		if got != c.want || ok != c.ok {
			t.Errorf("Narrow(%q) = %q, %v", c.req, got, ok)
		}
	}
	if authz.Scope(context.Background()) != "" {
		t.Error("no principal should mean the national scope of the command line")
	}
}

func TestMatrixRules(t *testing.T) {
	// Program managers change rules, not people; operators change people.
	if authz.Can(authz.Program, authz.RegisterWrite) || !authz.Can(authz.Village, authz.RegisterWrite) {
		t.Error("program managers must not change people; village operators must")
	}
	// The inspectorate reads and audits, never writes.
	if authz.Can(authz.Inspectorate, authz.RegisterWrite) || !authz.Can(authz.Inspectorate, authz.AuditRead) {
		t.Error("inspectorate is read-only plus audit")
	}
	for _, r := range authz.Roles {
		if r.Machine && authz.Can(r.Role, authz.RegisterWrite) {
			t.Errorf("machine role %s may write the register", r.Role)
		}
		if err := authz.CheckBinding(r.Role, map[int]string{0: "", 1: "32", 2: "32.01", 3: "32.01.01", 4: "32.01.01.2001"}[r.Levels[0]]); err != nil {
			t.Errorf("%s: %v", r.Role, err)
		}
	}
	if err := authz.CheckBinding(authz.Village, "32.01"); err == nil {
		t.Error("a village operator bound to a regency")
	}
}

// TestPermissionsDoc keeps docs/permissions.md equal to the matrix in code.
func TestPermissionsDoc(t *testing.T) {
	b, err := os.ReadFile("../../docs/permissions.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), authz.Matrix()) {
		t.Fatalf("docs/permissions.md is out of date; paste this matrix into it:\n%s", authz.Matrix())
	}
}
