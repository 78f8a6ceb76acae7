package region

import (
	"strings"
	"testing"
)

func TestCodeHelpers(t *testing.T) {
	tests := []struct {
		code   string
		level  int
		parent string
		kind   string
		err    string // substring of Validate's error; "" for valid
	}{
		{"11", 1, "", "provinsi", ""},
		{"96", 1, "", "provinsi", ""},
		{"11.01", 2, "11", "kabupaten", ""},
		{"32.69", 2, "32", "kabupaten", ""},
		{"32.71", 2, "32", "kota", ""},
		{"32.99", 2, "32", "kota", ""},
		{"32.04.28", 3, "32.04", "kecamatan", ""},
		{"32.04.28.1014", 4, "32.04.28", "kelurahan", ""},
		{"32.04.28.2001", 4, "32.04.28", "desa", ""},
		{"91.03.01.3007", 4, "91.03.01", "desa_adat", ""},

		{"", 0, "", "", "empty"},
		{"1", 0, "", "", "wrong length"},
		{"11.", 0, "", "", "wrong length"},
		{"11.1", 0, "", "", "wrong length"},
		{"11.01.01.201", 0, "", "", "wrong length"},
		{"11.01.01.20011", 0, "", "", "wrong length"},
		{"1101", 0, "", "", "dots missing"},
		{"110101", 0, "", "", "dots missing"},
		{"1101012001", 0, "", "", "dots missing"},
		{" 11", 0, "", "", "leading or trailing space"},
		{"11.01.01.2001 ", 0, "", "", "leading or trailing space"},
		{"11-01", 0, "", "", "want '.' between parts at position 3"},
		{"11.01-01", 0, "", "", "want '.' between parts at position 6"},
		{"11.0a", 0, "", "", "want a digit at position 5"},
		{"a1", 0, "", "", "want a digit at position 1"},
		{"11..01", 0, "", "", "wrong length"},
		{"١١", 0, "", "", "wrong length"}, // Arabic-Indic digits: 4 bytes
		{"00", 0, "", "", "province 00"},
		{"11.00", 0, "", "", "01-69"},
		{"11.70", 0, "", "", "01-69"},
		{"11.01.00", 0, "", "", "district 00"},
		{"11.01.01.0001", 0, "", "", "start with 1 (kelurahan), 2 (desa) or 3 (desa adat)"},
		{"11.01.01.4001", 0, "", "", "start with 1"},
		{"11.01.01.2000", 0, "", "", "serial 000"},
	}
	for _, tt := range tests {
		if got := Level(tt.code); got != tt.level {
			t.Errorf("Level(%q) = %d, want %d", tt.code, got, tt.level)
		}
		if got := Parent(tt.code); got != tt.parent {
			t.Errorf("Parent(%q) = %q, want %q", tt.code, got, tt.parent)
		}
		if got := Kind(tt.code); got != tt.kind {
			t.Errorf("Kind(%q) = %q, want %q", tt.code, got, tt.kind)
		}
		err := Validate(tt.code)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("Validate(%q) = %v, want nil", tt.code, err)
		case tt.err != "" && err == nil:
			t.Errorf("Validate(%q) = nil, want error containing %q", tt.code, tt.err)
		case tt.err != "" && !strings.Contains(err.Error(), tt.err):
			t.Errorf("Validate(%q) = %q, want it to contain %q", tt.code, err, tt.err)
		}
		if err != nil && tt.code != "" && !strings.Contains(err.Error(), tt.code) {
			t.Errorf("Validate(%q) = %q does not name the code", tt.code, err)
		}
	}
}

func TestContains(t *testing.T) {
	tests := []struct {
		scope, code string
		want        bool
	}{
		{"", "", true},
		{"", "11", true},
		{"", "32.04.28.2001", true},
		{"", "11.1", false}, // malformed code
		{"11", "11", true},
		{"11", "11.01", true},
		{"11", "11.01.01.2001", true},
		{"11.01", "11.01.01", true},
		{"11.01.01", "11.01.01.2001", true},
		{"11.01.01.2001", "11.01.01.2001", true},

		{"11.01", "11", false}, // a child does not contain its parent
		{"11.01.01.2001", "11.01.01", false},
		{"11", "12.01", false},
		{"11.01", "11.02.01", false},
		{"11.01", "", false},
		{"11.1", "11.10", false},         // "11.1" is not a code ...
		{"11.1", "11.10.01.2001", false}, // ... so it contains nothing
		{"1", "11", false},
		{"3", "31.71", false},
		{"32.0", "32.04", false},
		{"11.01", "11.010", false}, // malformed code
		{"11.01.0", "11.01.01.2001", false},
		{"11.01", "11.01x01", false},      // not a dot boundary
		{"11.01", "11.01.01.0001", false}, // malformed village
		{"11.01 ", "11.01.01", false},
		{"31.71", "31.71.03.1001", true},
		{"31.71", "31.72.03.1001", false},
	}
	for _, tt := range tests {
		if got := Contains(tt.scope, tt.code); got != tt.want {
			t.Errorf("Contains(%q, %q) = %v, want %v", tt.scope, tt.code, got, tt.want)
		}
	}
}

func TestHelpersDoNotAllocate(t *testing.T) {
	codes := []string{"32", "32.04", "32.04.28", "32.04.28.2001", "11.1", "91.03.01.3007"}
	var sink int
	allocs := testing.AllocsPerRun(100, func() {
		for _, c := range codes {
			sink += Level(c) + len(Parent(c)) + len(Kind(c))
			if Contains("32.04", c) {
				sink++
			}
		}
	})
	if allocs != 0 {
		t.Errorf("helpers allocate %.0f times per run", allocs)
	}
	_ = sink
}

func BenchmarkLevel(b *testing.B) {
	for b.Loop() {
		Level("32.04.28.2001")
	}
}

func BenchmarkContains(b *testing.B) {
	for b.Loop() {
		Contains("32.04", "32.04.28.2001")
	}
}
