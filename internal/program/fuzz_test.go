package program

import (
	"context"
	"testing"
)

// FuzzExpr: no expression crashes the compiler or the evaluator, and an
// expression the compiler accepts either evaluates or fails with an error.
func FuzzExpr(f *testing.F) {
	for _, s := range []string{
		"family.decile <= 4",
		"family.members.exists(m, m.excluded_occupation)",
		"member.age / 0 > 1",
		"family.members.map(m, m.age).size() > 2",
		"label('occupation', member.occupation)",
		"family.members.all(a, family.members.all(b, a.age < b.age))",
		"[1, 2, 3].exists(x, x == member.birth_order)",
		"'x' + family.village",
		"family.members[7].age > 1",
		"dyn(family.decile) == 'a'",
		"int(family.village) > 0",
	} {
		f.Add(s)
	}
	fam := fam(3, member("kepala_keluarga", "BUDI", 40, occupation("asn")), member("istri", "SITI", 35, pregnant()),
		member("anak", "ANI", 8, school("sd", "1"), ppks("anak_terlantar")))
	f.Fuzz(func(t *testing.T, src string) {
		for _, scope := range []Scope{ScopeFamily, ScopeMember} {
			x, err := compileExpr(src, scope, nil)
			if err != nil {
				if _, ok := err.(*CompileError); !ok {
					t.Fatalf("%q: %T %v", src, err, err)
				}
				continue
			}
			for _, bounded := range []bool{true, false} {
				ev := evaluator{ctx: context.Background(), f: fam, bounded: bounded, act: activation{fam: fam}}
				var m *Member
				if scope == ScopeMember {
					m = fam.Members[2]
				}
				v, err := ev.run(x, m)
				if err == nil {
					_ = formatValue(v)
				} else {
					_ = explainEvalError(err)
				}
			}
		}
	})
}

// FuzzDocument: no document crashes the parser or the compiler.
func FuzzDocument(f *testing.F) {
	for _, code := range Codes {
		d, _ := Default(code)
		f.Add(d.JSON())
	}
	f.Add([]byte(`{"program":"X","calendars":[{"channel":"bank","cadence":"monthly","year":99999}]}`))
	f.Add([]byte(`{"program":"X","calendars":[{"channel":"bank","periods":[{"code":"a","start":"2026-02-01","end":"2026-01-31"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDocument(data)
		if err != nil {
			return
		}
		c, err := Compile(d)
		if err != nil {
			if _, ok := IsInvalid(err); !ok {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		dec := c.Evaluate(context.Background(), fam(2, member("kepala_keluarga", "BUDI", 40)))
		for _, cal := range c.Doc.Calendars {
			for _, p := range cal.Periods {
				if _, err := c.PeriodAmount(dec, cal.Channel, p.Code); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
