package program

import (
	"context"
	"testing"

	"github.com/kemensos/jaring/internal/registry"
)

// typicalFamily is a five-member PKH family: parents, a child in SMP, a
// child in SD, a toddler. Its PKH decision: SMP + SD = Rp2.400.000 a year;
// the toddler is the third child, and early childhood counts only up to
// the second.
func typicalFamily() (*registry.Family, []registry.Person) {
	rf := &registry.Family{ID: 1, VillageCode: "32.01.01.2001", Status: "aktif", FloorMaterial: "tanah",
		WallMaterial: "bambu", Electricity: "pln_450", Assets: []string{"sepeda_motor"}}
	people := []registry.Person{
		{ID: 1, Name: "BUDI", Sex: "L", BirthDate: "1985-04-12", Relation: "kepala_keluarga", Occupation: "buruh", Education: "sd", Status: "aktif"},
		{ID: 2, Name: "SITI", Sex: "P", BirthDate: "1988-09-30", Relation: "istri", Occupation: "mengurus_rumah_tangga", Education: "smp", Status: "aktif"},
		{ID: 3, Name: "ANI", Sex: "P", BirthDate: "2012-02-01", Relation: "anak", SchoolLevel: "smp", SchoolID: "0012345678", Status: "aktif"},
		{ID: 4, Name: "DODI", Sex: "L", BirthDate: "2016-07-15", Relation: "anak", SchoolLevel: "sd", SchoolID: "0012345679", Status: "aktif"},
		{ID: 5, Name: "RINA", Sex: "P", BirthDate: "2023-03-03", Relation: "anak", Status: "aktif"},
	}
	return rf, people
}

func TestTypicalFamily(t *testing.T) {
	rf, people := typicalFamily()
	d := shipped(t, PKH).Evaluate(context.Background(), BuildFamily(rf, people, 2, refDate))
	if d.Outcome != Eligible || d.Annual != 2_400_000 {
		t.Fatalf("%+v", d)
	}
}

// BenchmarkBuildFamily: the rule view of a five-member family.
func BenchmarkBuildFamily(b *testing.B) {
	rf, people := typicalFamily()
	b.ReportAllocs()
	for b.Loop() {
		BuildFamily(rf, people, 2, refDate)
	}
}

// BenchmarkEvaluatePKH: eligibility, exclusions and the PKH benefit of the
// typical five-member family (1 decile check, 5 member exclusion
// evaluations, 35 component evaluations), the view already built.
func BenchmarkEvaluatePKH(b *testing.B) {
	rf, people := typicalFamily()
	f := BuildFamily(rf, people, 2, refDate)
	c := shipped(b, PKH)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if d := c.Evaluate(ctx, f); d.Annual != 2_400_000 {
			b.Fatal(d)
		}
	}
}

// BenchmarkEvaluatePKHIneligible: a decile-7 family (most of the
// register): every reason is still collected.
func BenchmarkEvaluatePKHIneligible(b *testing.B) {
	rf, people := typicalFamily()
	f := BuildFamily(rf, people, 7, refDate)
	c := shipped(b, PKH)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c.Evaluate(ctx, f)
	}
}

// BenchmarkBuildAndEvaluateAll: what the determination engine does per
// family and period: build the view once, evaluate the five programs.
func BenchmarkBuildAndEvaluateAll(b *testing.B) {
	rf, people := typicalFamily()
	var cs []*Compiled
	for _, code := range Codes {
		cs = append(cs, shipped(b, code))
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		f := BuildFamily(rf, people, 2, refDate)
		f.Programs = []string{PKH}
		for _, c := range cs {
			c.Evaluate(ctx, f)
		}
	}
}

// BenchmarkEvaluatePKHParallel: the same on every CPU (compiled programs
// are shared).
func BenchmarkEvaluatePKHParallel(b *testing.B) {
	rf, people := typicalFamily()
	c := shipped(b, PKH)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		f := BuildFamily(rf, people, 2, refDate)
		ctx := context.Background()
		for pb.Next() {
			c.Evaluate(ctx, f)
		}
	})
}

// BenchmarkRule: one member-scope rule (the excluded-occupation test).
func BenchmarkRule(b *testing.B) {
	rf, people := typicalFamily()
	f := BuildFamily(rf, people, 2, refDate)
	x, err := compileExpr("member.status == 'aktif' && member.excluded_occupation", ScopeMember, nil)
	if err != nil {
		b.Fatal(err)
	}
	ev := evaluator{ctx: context.Background(), f: f, bounded: true, act: activation{fam: f}}
	b.ReportAllocs()
	for b.Loop() {
		ev.test(x, f.Members[0])
	}
}
