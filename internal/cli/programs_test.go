package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProgramsCommand(t *testing.T) {
	dir := t.TempDir()
	// show --default and check need no database.
	code, out, errOut := run(t, nil, "programs", "show", "PKH", "--default")
	if code != 0 || !strings.Contains(out, `"annual": 2400000`) {
		t.Fatalf("show --default: %d %s %s", code, out, errOut)
	}
	good := filepath.Join(dir, "pkh.json")
	if err := os.WriteFile(good, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := run(t, nil, "programs", "check", good); code != 0 || !strings.Contains(out, "valid") {
		t.Fatalf("check: %d %s %s", code, out, errOut)
	}
	bad := filepath.Join(dir, "bad.json")
	doc := strings.Replace(out, "member.school_level == 'sd'", "member.school_level == 'sd' && member.gaji < 1", 1)
	if err := os.WriteFile(bad, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, nil, "programs", "check", bad)
	if code != 1 || !strings.Contains(out, "benefit.components[2].expr:1:38: undefined field 'gaji'") ||
		!strings.Contains(out, "    | member.school_level == 'sd' && member.gaji < 1\n    |                                      ^") ||
		!strings.Contains(errOut, "1 masalah") {
		t.Fatalf("check bad: %d %q %s", code, out, errOut)
	}

	engines(t, func(t *testing.T, db string) {
		env := map[string]string{"JARING_DB": db}
		if code, _, errOut := run(t, env, "migrate"); code != 0 {
			t.Fatal(errOut)
		}
		if code, out, _ := run(t, env, "programs", "list"); code != 0 || !strings.Contains(out, "programs install") {
			t.Fatalf("empty list: %s", out)
		}
		if code, out, errOut := run(t, env, "programs", "install"); code != 0 || strings.Count(out, "dipasang") != 5 {
			t.Fatalf("install: %d %s %s", code, out, errOut)
		}
		code, out, errOut := run(t, env, "programs", "list")
		if code != 0 || !strings.Contains(out, "PBI_JK") || !strings.Contains(out, "approved") {
			t.Fatalf("list: %d %s %s", code, out, errOut)
		}
		code, out, errOut = run(t, env, "programs", "show", "bpnt", "--date", "2026-05-01")
		if code != 0 || !strings.Contains(out, `"monthly": 200000`) || !strings.Contains(errOut, "BPNT versi 1") {
			t.Fatalf("show: %d %s %s", code, out, errOut)
		}
		if code, _, errOut := run(t, env, "programs", "show", "PKH", "--date", "2025-01-01"); code != 1 || !strings.Contains(errOut, "tidak ada versi") {
			t.Fatalf("show before: %d %s", code, errOut)
		}
	})
}
