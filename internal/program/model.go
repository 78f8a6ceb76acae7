package program

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"

	"github.com/kemensos/jaring/internal/registry"
)

// Family is the view of a family that program rules read: the facts of the
// register at a reference date (the start of the period being determined),
// plus the facts other parts of Jaring supply (the welfare decile, the
// programs the family already receives). docs/programs.md lists every field
// with its CEL name; the CEL names are the `cel` tags below.
//
// A Family is built once per family and period by BuildFamily and may then be
// evaluated by any number of compiled programs, concurrently.
type Family struct {
	ID       int64  `cel:"-"`
	Decile   int64  `cel:"decile"`   // welfare decile 1-10; 0 = not ranked
	Province string `cel:"province"` // "32"
	Regency  string `cel:"regency"`  // "32.01"
	District string `cel:"district"` // "32.01.01"
	Village  string `cel:"village"`  // "32.01.01.2001"
	Size     int64  `cel:"size"`     // active members
	Status   string `cel:"status"`   // aktif meninggal pindah ditidurkan

	Floor          string   `cel:"floor"`
	Wall           string   `cel:"wall"`
	Roof           string   `cel:"roof"`
	WaterSource    string   `cel:"water_source"`
	Sanitation     string   `cel:"sanitation"`
	Electricity    string   `cel:"electricity"`
	CookingFuel    string   `cel:"cooking_fuel"`
	HouseOwnership string   `cel:"house_ownership"`
	LandOwnership  string   `cel:"land_ownership"`
	FloorArea      int64    `cel:"floor_area"` // m²; 0 = unknown
	Assets         []string `cel:"assets"`
	Cattle         int64    `cel:"cattle"`
	Buffalo        int64    `cel:"buffalo"`
	Goats          int64    `cel:"goats"`
	Pigs           int64    `cel:"pigs"`
	Horses         int64    `cel:"horses"`
	Poultry        int64    `cel:"poultry"`

	// Programs lists the program codes the family receives at the
	// reference date (for PENA, which serves PKH families). The
	// determination engine fills it; BuildFamily leaves it empty.
	Programs []string `cel:"programs"`

	// Members are every member on the family card, active or not, in the
	// order given to BuildFamily.
	Members []*Member `cel:"members"`

	memberList traits.Lister
}

// Member is the view of one family member.
type Member struct {
	ID   int64  `cel:"-"`
	Name string `cel:"-"` // for reasons only; rules cannot read names or NIKs

	Age                int64    `cel:"age"` // whole years at the reference date; -1 unknown or not yet born
	Sex                string   `cel:"sex"` // L P
	Relation           string   `cel:"relation"`
	MaritalStatus      string   `cel:"marital_status"`
	Status             string   `cel:"status"` // aktif meninggal pindah ditidurkan
	Occupation         string   `cel:"occupation"`
	ExcludedOccupation bool     `cel:"excluded_occupation"`
	Education          string   `cel:"education"`
	SchoolLevel        string   `cel:"school_level"`
	SchoolEnrolled     bool     `cel:"school_enrolled"`
	Disability         string   `cel:"disability"`
	DisabilitySeverity string   `cel:"disability_severity"`
	Pregnant           bool     `cel:"pregnant"`
	BirthOrder         int64    `cel:"birth_order"`     // 1 = eldest anak (or cucu); 0 = other relations
	PregnancyOrder     int64    `cel:"pregnancy_order"` // for a pregnant member: this pregnancy's number; 0 otherwise or unknown
	PPKS               []string `cel:"ppks"`

	birthKey string // birth date, for ordering
}

// Active reports whether the member is active in the register.
func (m *Member) Active() bool { return m.Status == "aktif" }

var excludedOccupation = func() map[string]bool {
	m := map[string]bool{}
	for _, o := range registry.ExcludedOccupations {
		m[o] = true
	}
	return m
}()

// BuildFamily makes the rule view of a family and its members at the
// reference date at (a date; the time of day is ignored). decile is the
// family's welfare decile (0 when not ranked). people are the family's
// members as the register holds them at that date, in any order; it is a
// pure function of its arguments.
func BuildFamily(f *registry.Family, people []registry.Person, decile int, at time.Time) *Family {
	fam := &Family{
		ID:             f.ID,
		Decile:         int64(decile),
		Status:         f.Status,
		Floor:          f.FloorMaterial,
		Wall:           f.WallMaterial,
		Roof:           f.RoofMaterial,
		WaterSource:    f.WaterSource,
		Sanitation:     f.Sanitation,
		Electricity:    f.Electricity,
		CookingFuel:    f.CookingFuel,
		HouseOwnership: f.HouseOwnership,
		LandOwnership:  f.LandOwnership,
		Assets:         f.Assets,
		Cattle:         int64(f.Cattle),
		Buffalo:        int64(f.Buffalo),
		Goats:          int64(f.Goats),
		Pigs:           int64(f.Pigs),
		Horses:         int64(f.Horses),
		Poultry:        int64(f.Poultry),
	}
	if fam.Status == "" {
		fam.Status = "aktif"
	}
	if f.FloorArea != nil {
		fam.FloorArea = int64(*f.FloorArea)
	}
	code := f.VillageCode
	fam.Province = prefix(code, 2)
	fam.Regency = prefix(code, 5)
	fam.District = prefix(code, 8)
	fam.Village = code

	y, mo, d := at.Date()
	members := make([]Member, len(people))
	fam.Members = make([]*Member, len(people))
	vals := make([]ref.Val, len(people))
	for i := range people {
		p := &people[i]
		m := &members[i]
		*m = Member{
			ID:                 p.ID,
			Name:               p.Name,
			Age:                age(p.BirthDate, y, int(mo), d),
			Sex:                p.Sex,
			Relation:           p.Relation,
			MaritalStatus:      p.MaritalStatus,
			Status:             p.Status,
			Occupation:         p.Occupation,
			ExcludedOccupation: excludedOccupation[p.Occupation],
			Education:          p.Education,
			SchoolLevel:        p.SchoolLevel,
			SchoolEnrolled:     p.SchoolLevel != "" && (p.SchoolLevel == "paud" || p.SchoolID != ""),
			Disability:         p.Disability,
			DisabilitySeverity: p.DisabilitySeverity,
			Pregnant:           p.Pregnant,
			PPKS:               p.PPKS,
			birthKey:           p.BirthDate,
		}
		if m.Status == "" {
			m.Status = "aktif"
		}
		if m.Active() {
			fam.Size++
		}
		fam.Members[i] = m
		vals[i] = m
	}
	orderChildren(fam.Members)
	fam.memberList = types.NewRefValList(types.DefaultTypeAdapter, vals)
	return fam
}

func prefix(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

// age returns whole years from a YYYY-MM-DD birth date to the date y-m-d,
// or -1 when the birth date is not a date or lies after it.
func age(birth string, y, m, d int) int64 {
	if len(birth) != 10 || birth[4] != '-' || birth[7] != '-' {
		return -1
	}
	by, ok1 := digits(birth[0:4])
	bm, ok2 := digits(birth[5:7])
	bd, ok3 := digits(birth[8:10])
	if !ok1 || !ok2 || !ok3 || bm < 1 || bm > 12 || bd < 1 || bd > 31 {
		return -1
	}
	a := y - by
	if m < bm || (m == bm && d < bd) {
		a--
	}
	if a < 0 {
		return -1
	}
	return int64(a)
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// orderChildren sets BirthOrder and PregnancyOrder. Children (relation anak)
// are numbered by birth date, eldest first, whatever their status (a child
// who died was still born); grandchildren (cucu) are numbered among
// themselves. A pregnant head, wife or husband carries pregnancy number
// 1 + the number of anak; a pregnant anak or menantu 1 + the number of cucu;
// for other relations the number is unknown (0).
func orderChildren(ms []*Member) {
	var anak, cucu []*Member
	for _, m := range ms {
		switch m.Relation {
		case "anak":
			anak = append(anak, m)
		case "cucu":
			cucu = append(cucu, m)
		}
	}
	number := func(list []*Member) {
		slices.SortStableFunc(list, func(a, b *Member) int {
			if c := strings.Compare(a.birthKey, b.birthKey); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		for i, m := range list {
			m.BirthOrder = int64(i + 1)
		}
	}
	if len(anak) > 1 {
		number(anak)
	} else if len(anak) == 1 {
		anak[0].BirthOrder = 1
	}
	if len(cucu) > 1 {
		number(cucu)
	} else if len(cucu) == 1 {
		cucu[0].BirthOrder = 1
	}
	for _, m := range ms {
		if !m.Pregnant {
			continue
		}
		switch m.Relation {
		case "kepala_keluarga", "istri", "suami":
			m.PregnancyOrder = int64(len(anak) + 1)
		case "anak", "menantu":
			m.PregnancyOrder = int64(len(cucu) + 1)
		}
	}
}

// The rule view types are CEL objects (jaring.Family, jaring.Member) served
// by the provider in cel.go; these methods make them CEL values without
// wrapping, so evaluation does not allocate per member.

var (
	familyType = types.NewObjectType("jaring.Family")
	memberType = types.NewObjectType("jaring.Member")
)

// ConvertToNative implements ref.Val.
func (f *Family) ConvertToNative(t reflect.Type) (any, error) {
	if reflect.TypeOf(f).AssignableTo(t) {
		return f, nil
	}
	return nil, errConvert
}

// ConvertToType implements ref.Val.
func (f *Family) ConvertToType(t ref.Type) ref.Val {
	if t == types.TypeType {
		return familyType
	}
	return types.NewErr("jaring.Family cannot convert to %s", t.TypeName())
}

// Equal implements ref.Val: a family equals only itself.
func (f *Family) Equal(o ref.Val) ref.Val { return types.Bool(o == ref.Val(f)) }

// Type implements ref.Val.
func (f *Family) Type() ref.Type { return familyType }

// Value implements ref.Val.
func (f *Family) Value() any { return f }

// ConvertToNative implements ref.Val.
func (m *Member) ConvertToNative(t reflect.Type) (any, error) {
	if reflect.TypeOf(m).AssignableTo(t) {
		return m, nil
	}
	return nil, errConvert
}

// ConvertToType implements ref.Val.
func (m *Member) ConvertToType(t ref.Type) ref.Val {
	if t == types.TypeType {
		return memberType
	}
	return types.NewErr("jaring.Member cannot convert to %s", t.TypeName())
}

// Equal implements ref.Val: a member equals only itself.
func (m *Member) Equal(o ref.Val) ref.Val { return types.Bool(o == ref.Val(m)) }

// Type implements ref.Val.
func (m *Member) Type() ref.Type { return memberType }

// Value implements ref.Val.
func (m *Member) Value() any { return m }
