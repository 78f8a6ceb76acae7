package seed

import (
	"fmt"
	"io"
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/kemensos/jaring/internal/registry"
)

// Options configure a Generator.
type Options struct {
	Seed     int64     // seed of the random stream; same Options, same output
	Families int       // number of families to generate
	Dirty    float64   // 0..1: share of rows that get an injected error
	Villages []Village // villages families are placed in, by weight
	Names    Names     // name lists; empty lists fall back to BuiltinNames
	Now      time.Time // reference date for ages; zero means 2026-01-01
}

// TruthRecord says which real person an emitted row is, and which error was
// injected into it.
type TruthRecord struct {
	Row       int    // 1-based data row number, header excluded
	PersonKey string // stable ID of the real person, e.g. "p000000123"
	Kind      string // "" for a clean row, else the injected error kind
}

type villageInfo struct {
	code     string
	district uint64 // PPKKCC
	prov     int
	rural    bool
	adat     bool
	lat, lon float64
	hash     uint64
	info     *province // nil for an unknown province
	others   []uint64  // districts of the same province, in first-seen order
}

type person struct {
	key                 uint64
	male                bool
	age                 int
	birth               int // days since 1970-01-01
	rel, marital        string
	pre, given, last    string
	twin                bool // born the same day as the next member
	mother              int  // index of the mother in the family; -1 external (m*), -2 unknown
	mPre, mGiven, mLast string
	place               string
	edu, school         string
	nisn                bool
	occ                 string
	dis, disLvl         string
	hamil               string
	ppks                uint16
	nik                 uint64
}

type fieldRef struct {
	row, col   int32
	start, end int32
}

type ringEntry struct {
	vals  []string
	key   uint64
	male  bool
	birth int
}

// Generator produces the rows of a synthetic population. It is not safe for
// concurrent use.
type Generator struct {
	o     Options
	src   *rand.PCG
	rnd   *rand.Rand
	vil   []villageInfo
	cum   []float64
	names Names
	dirty float64

	nowDay           int
	nowY, nowM, nowD int

	nikUsed  map[uint64]uint16 // 12-digit NIK prefix -> last serial
	kkUsed   map[uint64]uint16 // 12-digit KK prefix -> last serial
	nisnNext [1000]uint32
	persons  uint64

	// current family
	v              *villageInfo
	z, w           float64
	mem            []person
	rows           [][]string
	keys           []uint64
	kinds          []string
	nRows          int
	arena          []byte
	refs           []fieldRef
	kkStart, kkEnd int32
	pos            int

	built, famDone, people int
	scratch                []byte
	sink                   func(TruthRecord)
	truthW                 func(row int, key uint64, kind string)

	ring []ringEntry
	debt [10]int // errors owed per dirtyKinds entry
}

// New checks the options and returns a generator.
func New(o Options) (*Generator, error) {
	if len(o.Villages) == 0 {
		return nil, errNoVillages
	}
	if o.Families < 0 {
		return nil, fmt.Errorf("seed: negative number of families %d", o.Families)
	}
	if math.IsNaN(o.Dirty) || o.Dirty < 0 || o.Dirty > 1 {
		return nil, fmt.Errorf("seed: dirty must be between 0 and 1, not %v", o.Dirty)
	}
	if o.Now.IsZero() {
		o.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	g := &Generator{o: o, dirty: o.Dirty}
	g.src = rand.NewPCG(uint64(o.Seed), 0x9e3779b97f4a7c15)
	g.rnd = rand.New(g.src)
	g.names = normNames(o.Names)
	g.nowY, g.nowM, g.nowD = o.Now.Year(), int(o.Now.Month()), o.Now.Day()
	g.nowDay = daysFromCivil(g.nowY, g.nowM, g.nowD)

	g.vil = make([]villageInfo, len(o.Villages))
	g.cum = make([]float64, len(o.Villages))
	provDistricts := map[int][]uint64{}
	seen := map[uint64]bool{}
	total := 0.0
	for i, v := range o.Villages {
		if !isVillageCode(v.Code) {
			return nil, fmt.Errorf("seed: village code %q is not of the form PP.KK.CC.DDDD", v.Code)
		}
		if math.IsNaN(v.Weight) || math.IsInf(v.Weight, 0) || v.Weight < 0 {
			return nil, fmt.Errorf("seed: village %s: bad weight %v", v.Code, v.Weight)
		}
		vi := &g.vil[i]
		vi.code = v.Code
		vi.prov = atoi2(v.Code[0:2])
		vi.district = uint64(vi.prov)*10000 + uint64(atoi2(v.Code[3:5]))*100 + uint64(atoi2(v.Code[6:8]))
		vi.rural = v.Code[9] != '1'
		vi.adat = v.Code[9] == '3'
		vi.hash = fnv64(v.Code)
		vi.info = provinces[vi.prov]
		if !seen[vi.district] {
			seen[vi.district] = true
			provDistricts[vi.prov] = append(provDistricts[vi.prov], vi.district)
		}
		h := vi.hash
		u1 := float64(h>>40) / float64(1<<24)
		u2 := float64(h&0xffffff) / float64(1<<24)
		if p := vi.info; p != nil {
			vi.lat = p.lat + (2*u1-1)*p.dlat
			vi.lon = p.lon + (2*u2-1)*p.dlon
		} else {
			vi.lat = -11 + 17*u1
			vi.lon = 95 + 46*u2
		}
		total += v.Weight
		g.cum[i] = total
	}
	if total == 0 {
		for i := range g.cum {
			g.cum[i] = float64(i + 1)
		}
	}
	for i := range g.vil {
		g.vil[i].others = provDistricts[g.vil[i].prov]
	}
	hint := o.Families * 4
	if hint > 1<<23 {
		hint = 1 << 23
	}
	g.nikUsed = make(map[uint64]uint16, hint)
	g.kkUsed = make(map[uint64]uint16, hint/4)
	return g, nil
}

// SetTruthSink sets a function called for every emitted row with the real
// person the row stands for and the kind of error injected into it.
func (g *Generator) SetTruthSink(f func(TruthRecord)) { g.sink = f }

// FamiliesDone returns the number of families whose rows have all been
// returned by Next.
func (g *Generator) FamiliesDone() int { return g.famDone }

// PeopleDone returns the number of rows returned by Next so far (injected
// duplicate rows included).
func (g *Generator) PeopleDone() int { return g.people }

// Next returns the next person row, its values aligned with Columns, or
// io.EOF after the last family. The rows of a family are consecutive, the
// head first; no_kk and kode_wilayah are on every row, the other family
// columns on the family's first row only. The returned slice is reused by a
// later call: copy it to keep it (the strings themselves are immutable).
func (g *Generator) Next() ([]string, error) {
	for g.pos >= g.nRows {
		if g.built >= g.o.Families {
			return nil, io.EOF
		}
		g.buildFamily()
	}
	i := g.pos
	g.pos++
	g.people++
	if g.pos == g.nRows {
		g.famDone++
	}
	if g.truthW != nil {
		g.truthW(g.people, g.keys[i], g.kinds[i])
	}
	if g.sink != nil {
		g.sink(TruthRecord{Row: g.people, PersonKey: string(appendKey(nil, g.keys[i])), Kind: g.kinds[i]})
	}
	return g.rows[i], nil
}

func appendKey(b []byte, k uint64) []byte {
	b = append(b, 'p')
	return appendPad(b, k, 9)
}

// appendPad appends v in decimal, zero-padded to width digits.
func appendPad(b []byte, v uint64, width int) []byte {
	var t [20]byte
	n := len(t)
	for v > 0 || n == len(t) {
		n--
		t[n] = byte('0' + v%10)
		v /= 10
	}
	for i := len(t) - n; i < width; i++ {
		b = append(b, '0')
	}
	return append(b, t[n:]...)
}

// ---- randomness

func (g *Generator) f() float64 { return float64(g.src.Uint64()>>11) * (1.0 / (1 << 53)) }

// intn returns a number in [0,n), n > 0.
func (g *Generator) intn(n int) int {
	hi, _ := bits.Mul64(g.src.Uint64(), uint64(n))
	return int(hi)
}

func (g *Generator) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + g.intn(hi-lo+1)
}

func (g *Generator) norm() float64 { return g.rnd.NormFloat64() }

func (g *Generator) pickCum(cum []float64) int {
	u := g.f() * cum[len(cum)-1]
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

func (g *Generator) ageFrom(bins []ageBin) int {
	total := 0.0
	for _, b := range bins {
		total += b.p
	}
	u := g.f() * total
	for _, b := range bins {
		if u < b.p {
			return g.between(b.lo, b.hi)
		}
		u -= b.p
	}
	b := bins[len(bins)-1]
	return g.between(b.lo, b.hi)
}

// ---- dates

// daysFromCivil returns the number of days since 1970-01-01 of y-m-d.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return
}

// birthFor returns a birth day such that the person is age full years old at
// the reference date.
func (g *Generator) birthFor(age int) int {
	hi := daysFromCivil(g.nowY-age, g.nowM, g.nowD)
	lo := daysFromCivil(g.nowY-age-1, g.nowM, g.nowD) + 1
	return g.between(lo, hi)
}

// ageOn returns the age in full years at the reference date of a person born
// on day birth.
func (g *Generator) ageOn(birth int) int {
	y, m, d := civilFromDays(birth)
	a := g.nowY - y
	if g.nowM < m || g.nowM == m && g.nowD < d {
		a--
	}
	return a
}

// ---- the family

func (g *Generator) pickVillage() *villageInfo {
	if len(g.vil) == 1 {
		return &g.vil[0]
	}
	u := g.f() * g.cum[len(g.cum)-1]
	i := sort.SearchFloat64s(g.cum, u)
	for i < len(g.cum)-1 && g.cum[i] <= u {
		i++
	}
	return &g.vil[i]
}

func (g *Generator) drawSize() int {
	u := g.f() * 100
	for i, c := range sizeCum {
		if u < c {
			return i + 1
		}
	}
	return len(sizeCum)
}

func (g *Generator) add(p person) int {
	g.mem = append(g.mem, p)
	return len(g.mem) - 1
}

// makeMembers decides relations, sexes, ages and marital status.
func (g *Generator) makeMembers(n int) {
	if n == 1 {
		p := person{rel: relHead, mother: -1}
		u := g.f()
		switch {
		case u < 0.45:
			p.male = g.f() < 0.6
			p.age = g.between(19, 40)
			p.marital = mSingle
			if p.age > 25 && g.f() < 0.15 {
				p.marital = mDivorced
			}
		case u < 0.85:
			p.male = g.f() < 0.3
			p.age = 60 + g.intn(16) + g.intn(16)
			p.marital = mWidowed
			if v := g.f(); v < 0.04 {
				p.marital = mSingle
			} else if v < 0.10 {
				p.marital = mDivorced
			}
		default:
			p.male = g.f() < 0.5
			p.age = g.between(35, 59)
			p.marital = mDivorced
			if g.f() < 0.5 {
				p.marital = mWidowed
			}
		}
		g.add(p)
		return
	}

	couple := g.f() < 0.84
	headIdx, spouseIdx := 0, -1
	motherIdx := -1
	var M int // age of the children's mother
	var headAge int
	if couple {
		headAge = g.ageFrom(coupleHeadAges)
		if g.f() < 0.03 {
			g.add(person{rel: relHead, male: false, age: headAge, marital: mMarried, mother: -1})
			spouseIdx = g.add(person{rel: relHusband, male: true, age: headAge + g.between(1, 8), marital: mMarried, mother: -1})
			M, motherIdx = headAge, headIdx
		} else {
			g.add(person{rel: relHead, male: true, age: headAge, marital: mMarried, mother: -1})
			var d int
			switch u := g.f(); {
			case u < 0.80:
				d = g.between(2, 10)
			case u < 0.95:
				d = g.between(0, 1)
			default:
				d = -g.between(1, 5)
			}
			wa := headAge - d
			if wa < 18 {
				wa = 18
			}
			spouseIdx = g.add(person{rel: relWife, male: false, age: wa, marital: mMarried, mother: -1})
			M, motherIdx = wa, spouseIdx
		}
	} else {
		headAge = g.ageFrom(singleParentAges)
		p := person{rel: relHead, male: g.f() >= 0.75, age: headAge, marital: mWidowed, mother: -1}
		if g.f() >= 0.6 {
			p.marital = mDivorced
		}
		g.add(p)
		if p.male {
			M = headAge - 4
		} else {
			M, motherIdx = headAge, headIdx
		}
	}

	r := n - len(g.mem)
	parents, parentRel := 0, relParent
	if r >= 1 && n >= 3 && headAge <= 60 && g.f() < 0.12 {
		parents = 1
		if r >= 2 && g.f() < 0.25 {
			parents = 2
		}
		if spouseIdx >= 0 && g.f() < 0.5 {
			parentRel = relInLaw
		}
		r -= parents
	}
	nc, menantu := 0, 0
	if r >= 2 && M >= 40 && g.f() < 0.35 {
		nc = 1
		if r >= 3 && g.f() < 0.5 {
			nc = 2
		}
		if r-nc >= 2 && g.f() < 0.5 {
			menantu = 1
		}
	}
	k := r - nc - menantu

	// raise shifts the parents' generation when the children need older parents.
	raise := func(delta int) {
		for i := range g.mem {
			g.mem[i].age += delta
		}
		M += delta
	}
	firstChild := len(g.mem)
	if k > 0 {
		var sp [16]int
		S := 0
		for i := 0; i < k-1; i++ {
			sp[i] = 1 + g.intn(5)
			S += sp[i]
		}
		for i := 0; 18+S > 44; i = (i + 1) % (k - 1) {
			if sp[i] > 1 {
				sp[i]--
				S--
			}
		}
		lo := 18 + S
		hi := lo + 14
		if hi > 44 {
			hi = 44
		}
		lb := g.between(lo, hi)
		y := M - lb
		if y < 0 {
			y0 := g.intn(3)
			raise(y0 - y)
			y = y0
		}
		// oldest first
		var agesBuf [16]int
		ages := agesBuf[:k]
		ages[k-1] = y
		for i := k - 2; i >= 0; i-- {
			ages[i] = ages[i+1] + sp[i]
		}
		// the father, too, was an adult at the first birth
		if fa := g.mem[headIdx].age; spouseIdx >= 0 || g.mem[headIdx].male {
			if spouseIdx >= 0 && !g.mem[headIdx].male {
				fa = g.mem[spouseIdx].age
			}
			if ages[0] > fa-19 {
				d := ages[0] - (fa - 19)
				raise(d)
			}
		}
		if nc > 0 && ages[0] < 21 {
			ages[0] = g.between(21, M-18)
			if ages[0] < 21 {
				raise(21 - ages[0])
				ages[0] = 21
			}
		}
		for _, a := range ages {
			c := person{rel: relChild, male: g.f() < 0.51, age: a, marital: mSingle, mother: motherIdx}
			if a >= 22 && g.f() < 0.04 {
				c.marital = mDivorced
			}
			g.add(c)
		}
	}
	if nc > 0 {
		mc := &g.mem[firstChild]
		switch u := g.f(); {
		case menantu == 1 || u < 0.4:
			mc.marital = mMarried
		case u < 0.8:
			mc.marital = mDivorced
		default:
			mc.marital = mWidowed
		}
		childAge, childMale := mc.age, mc.male
		cucuMother, cm := -1, childAge-2
		if !childMale {
			cucuMother, cm = firstChild, childAge
		}
		if menantu == 1 {
			m := person{rel: relInLawKid, male: !childMale, marital: mMarried, mother: -1}
			if m.male {
				m.age = childAge + g.between(0, 6)
			} else {
				m.age = childAge - g.between(0, 5)
				if m.age < 18 {
					m.age = 18
				}
			}
			mi := g.add(m)
			if !m.male {
				cucuMother, cm = mi, m.age
			}
		}
		if cm < 18 {
			cm = 18
		}
		maxAge := cm - 18
		if maxAge > 12 {
			maxAge = 12
		}
		c1 := g.intn(maxAge + 1)
		if nc == 2 {
			older := person{rel: relGrand, male: g.f() < 0.51, marital: mSingle, mother: cucuMother}
			switch {
			case maxAge == 0 || g.f() < 0.03:
				older.age, older.twin = c1, true
			default:
				if c1 == maxAge {
					c1--
				}
				older.age = c1 + 1 + g.intn(min(4, maxAge-c1))
			}
			g.add(older)
		}
		g.add(person{rel: relGrand, male: g.f() < 0.51, age: c1, marital: mSingle, mother: cucuMother})
	}
	if parents > 0 {
		base := g.mem[headIdx].age
		if parentRel == relInLaw {
			base = g.mem[spouseIdx].age
		}
		ma := base + g.between(20, 34)
		if ma > 98 {
			ma = 98
		}
		if parents == 2 {
			fa := ma + g.between(0, 6)
			if fa > 100 {
				fa = 100
			}
			g.add(person{rel: parentRel, male: true, age: fa, marital: mMarried, mother: -1})
			g.add(person{rel: parentRel, male: false, age: ma, marital: mMarried, mother: -1})
		} else {
			p := person{rel: parentRel, male: g.f() >= 0.65, age: ma, marital: mWidowed, mother: -1}
			if p.male {
				p.age = ma + g.between(0, 4)
				if p.age > 100 {
					p.age = 100
				}
			}
			if g.f() < 0.15 {
				p.marital = mMarried
			}
			g.add(p)
		}
	}
}

// name draws a name; fatherLast is the father's family name, if any.
func (g *Generator) name(male bool, fatherLast string) (pre, given, last string) {
	nm := &g.names
	if male {
		if g.f() < 0.12 {
			pre = "MUHAMMAD"
		}
		given = nm.MaleFirst[g.intn(len(nm.MaleFirst))]
	} else {
		if g.f() < 0.10 {
			pre = "SITI"
		}
		given = nm.FemaleFirst[g.intn(len(nm.FemaleFirst))]
	}
	if given == pre {
		pre = ""
	}
	u := g.f()
	share := 0.45
	if male {
		share = 0.7
	}
	switch {
	case fatherLast != "" && u < share:
		last = fatherLast
	case g.f() < 0.4:
		if male {
			last = nm.MaleLast[g.intn(len(nm.MaleLast))]
		} else {
			last = nm.FemaleLast[g.intn(len(nm.FemaleLast))]
		}
	}
	if last == given {
		last = ""
	}
	return
}

func (g *Generator) nameMembers() {
	mem := g.mem
	// The father of the head's children.
	fatherLast := ""
	for i := range mem {
		p := &mem[i]
		switch p.rel {
		case relHead, relWife, relHusband, relInLawKid, relParent, relInLaw:
			p.pre, p.given, p.last = g.name(p.male, "")
		}
	}
	switch {
	case mem[0].male:
		fatherLast = mem[0].last
	case len(mem) > 1 && mem[1].rel == relHusband:
		fatherLast = mem[1].last
	case g.f() < 0.4:
		fatherLast = g.names.MaleLast[g.intn(len(g.names.MaleLast))]
	}
	grandFather := ""
	for i := range mem {
		p := &mem[i]
		switch p.rel {
		case relChild:
			p.pre, p.given, p.last = g.name(p.male, fatherLast)
		case relInLawKid:
			if p.male {
				grandFather = p.last
			}
		}
	}
	for i := range mem {
		p := &mem[i]
		if p.rel != relGrand {
			continue
		}
		if grandFather == "" {
			// the cucu's father: the head's son, if he is their parent
			for j := range mem {
				if mem[j].rel == relChild {
					if mem[j].male {
						grandFather = mem[j].last
					}
					break
				}
			}
		}
		p.pre, p.given, p.last = g.name(p.male, grandFather)
	}
	// Children of the same absent mother share her name.
	var kidPre, kidGiven, kidLast, grandPre, grandGiven, grandLast string
	for i := range mem {
		p := &mem[i]
		if p.mother == -1 {
			switch p.rel {
			case relChild:
				if kidGiven == "" {
					kidPre, kidGiven, kidLast = g.name(false, "")
				}
				p.mPre, p.mGiven, p.mLast = kidPre, kidGiven, kidLast
			case relGrand:
				if grandGiven == "" {
					grandPre, grandGiven, grandLast = g.name(false, "")
				}
				p.mPre, p.mGiven, p.mLast = grandPre, grandGiven, grandLast
			default:
				p.mPre, p.mGiven, p.mLast = g.name(false, "")
			}
		}
		if g.f() < 0.10 {
			p.mother = -2
		}
	}
}

// school sets education, enrolment and occupation-independent fields.
func (g *Generator) school(p *person) {
	w := g.w
	age := p.age
	p.edu = eNone
	cohort := 1.0
	if age > 30 {
		cohort = 1 - 0.015*float64(age-30)
		if cohort < 0.3 {
			cohort = 0.3
		}
	}
	if age < 4 {
		return
	}
	if age <= 6 {
		if g.f() < 0.30+0.35*w {
			p.school = sPAUD
		}
		return
	}
	if age <= 12 {
		if g.f() < 0.98-0.04*(1-w) {
			p.school, p.nisn = sSD, true
		}
		return
	}
	sdc := 0.98 - 0.06*(1-w)
	if age > 45 {
		f := 1 - 0.01*float64(age-45)
		if f < 0.6 {
			f = 0.6
		}
		sdc *= f
	}
	if g.f() >= sdc {
		return
	}
	if age <= 15 {
		p.edu = eSD
		if g.f() < (0.96-0.14*(1-w))*cohort {
			p.school, p.nisn = sSMP, true
		}
		return
	}
	p.edu = eSD
	if g.f() >= (0.96-0.14*(1-w))*cohort {
		return
	}
	if age <= 18 {
		p.edu = eSMP
		if g.f() < (0.90-0.32*(1-w))*cohort {
			p.school, p.nisn = sSMA, true
		}
		return
	}
	p.edu = eSMP
	if g.f() >= (0.90-0.32*(1-w))*cohort {
		return
	}
	p.edu = eSMA
	pt := (0.07 + 0.48*w*w) * cohort
	if g.f() >= pt {
		return
	}
	if age <= 22 {
		p.school, p.nisn = sPT, true
		return
	}
	switch u := g.f(); {
	case u < 0.30:
		p.edu = eDiploma
	case u < 0.92 || age < 25:
		p.edu = eS1
	default:
		p.edu = eS2
	}
	if age <= 24 && g.f() < 0.15 {
		p.school, p.nisn = sPT, true
	}
}

func (g *Generator) ordinaryJob(male bool) string {
	m, r := 0, 0
	if male {
		m = 1
	}
	if g.v.rural {
		r = 1
	}
	return occCodes[g.pickCum(occTable[m][r][zBin(g.z)])]
}

func (g *Generator) formalJob(p *person) string {
	e := 0
	switch rk := eduRank(p.edu); {
	case rk >= 5:
		e = 2
	case rk == 4:
		e = 1
	}
	r := 0
	if g.v.rural {
		r = 1
	}
	x := excluded[g.pickCum(exclTable[e][r])]
	if x.mostlyM && !p.male && g.f() < 0.9 {
		x = excluded[0] // asn
	}
	return x.code
}

func (g *Generator) occupation(p *person) {
	age := p.age
	switch {
	case p.school != "" && p.school != sPAUD:
		p.occ = oStudent
		return
	case age < 15:
		p.occ = oNone
		return
	case age <= 18:
		if g.f() < 0.45 {
			p.occ = g.ordinaryJob(p.male)
		} else if !p.male && g.f() < 0.3 {
			p.occ = oHousework
		} else {
			p.occ = oNone
		}
		return
	}
	bonus := eduBonus[eduRank(p.edu)]
	if age >= 58 {
		pr := logistic(-2.6 + 0.9*g.z + bonus)
		if age < 65 {
			pr *= 0.4
		}
		if g.f() < pr {
			p.occ = oRetired
			return
		}
	}
	work := 0.0
	switch {
	case age >= 65 && p.male:
		work = 0.45
	case age >= 65:
		work = 0.2
	case p.male:
		work = 0.92
	case p.marital == mSingle:
		work = 0.7
	default:
		work = 0.5
	}
	if g.f() >= work {
		switch {
		case !p.male && p.marital != mSingle && g.f() < 0.9:
			p.occ = oHousework
		case !p.male && age >= 65 && g.f() < 0.5:
			p.occ = oHousework
		default:
			p.occ = oNone
		}
		return
	}
	if age >= 20 && age <= 45 && g.f() < 0.008 {
		p.occ = oMigrant
		return
	}
	if age < 65 && g.f() < logistic(-3.7+0.9*g.z+bonus) {
		p.occ = g.formalJob(p)
		return
	}
	p.occ = g.ordinaryJob(p.male)
}

func (g *Generator) health(p *person) {
	pd := 0.02
	switch {
	case p.age < 18:
		pd = 0.012
	case p.age >= 60:
		pd = 0.08
	}
	if g.f() < pd {
		p.dis = disTypes[g.pickCum(disCum)]
		u := g.f()
		if p.dis == "ganda" {
			u += 0.25
		}
		switch {
		case u < 0.45:
			p.disLvl = "ringan"
		case u < 0.80:
			p.disLvl = "sedang"
		default:
			p.disLvl = "berat"
		}
		pp := 0.3
		if g.w < 0.4 {
			pp = 0.7
		}
		if g.f() < pp {
			p.ppks |= pDisabilitas
		}
	}
	if !p.male && p.age >= 15 {
		p.hamil = "tidak"
		if p.marital == mMarried && p.age >= 18 && p.age <= 45 {
			ph := 0.007
			switch {
			case p.age < 30:
				ph = 0.032
			case p.age < 38:
				ph = 0.018
			}
			if g.f() < ph {
				p.hamil = "ya"
			}
		}
	}
}

func (g *Generator) personPPKS(p *person, i, n int) {
	w := g.w
	if p.age >= 60 {
		if n == 1 && w < 0.3 && g.f() < 0.5 {
			p.ppks |= pLansia
		} else if n > 1 && w < 0.2 && g.f() < 0.02 {
			p.ppks |= pLansia
		}
	}
	if i == 0 {
		if w < 0.1 && g.f() < 0.6 {
			p.ppks |= pFakirMiskin
		}
		if !p.male && p.marital != mMarried && p.age >= 18 && p.age < 60 && w < 0.3 && g.f() < 0.3 {
			p.ppks |= pPerempuanRawan
		}
		if w >= 0.1 && w < 0.3 && g.f() < 0.03 {
			p.ppks |= pRentan
		}
	}
	if p.age >= 5 && p.age < 18 && p.school == "" && w < 0.2 {
		if g.f() < 0.10 {
			p.ppks |= pAnakTerlantar
		}
		if !g.v.rural && p.age >= 8 && w < 0.1 && g.f() < 0.03 {
			p.ppks |= pAnakJalanan
		}
	}
	if p.age >= 18 && !g.v.rural && w < 0.05 {
		if g.f() < 0.005 {
			p.ppks |= pGelandangan
		}
		if g.f() < 0.005 {
			p.ppks |= pPengemis
		}
	}
	if (!p.male || p.age < 18) && g.f() < 0.001 {
		p.ppks |= pKekerasan
	}
}

// placeOfBirth: mostly the family's home place in the province.
func (g *Generator) placeOfBirth(home string) string {
	u := g.f()
	if u < 0.80 && home != "" {
		return home
	}
	info := g.v.info
	if u >= 0.92 || info == nil {
		info = provinces[provinceCodes[g.intn(len(provinceCodes))]]
	}
	return info.places[g.intn(len(info.places))]
}

// nikFor assigns a unique NIK to p.
func (g *Generator) nikFor(p *person, district uint64) uint64 {
	for {
		y, m, d := civilFromDays(p.birth)
		if !p.male {
			d += 40
		}
		prefix := district*1000000 + uint64(d)*10000 + uint64(m)*100 + uint64(y%100)
		c := g.nikUsed[prefix]
		if c < 9999 {
			c++
			g.nikUsed[prefix] = c
			return prefix*10000 + uint64(c)
		}
		// serials of this district and day exhausted: another district, or
		// (with a single district) the next day.
		if len(g.v.others) > 1 {
			district = g.v.others[g.intn(len(g.v.others))]
			if g.f() < 0.5 {
				continue
			}
		}
		p.birth++
	}
}

func (g *Generator) district() uint64 {
	if len(g.v.others) > 1 && g.f() < 0.02 {
		for {
			d := g.v.others[g.intn(len(g.v.others))]
			if d != g.v.district {
				return d
			}
		}
	}
	return g.v.district
}

func (g *Generator) buildFamily() {
	g.v = g.pickVillage()
	v := g.v
	n := g.drawSize()
	z := g.norm() - 0.12*(float64(n)-3.5)
	if v.rural {
		z -= 0.25
	} else {
		z += 0.35
	}
	g.z = z
	g.w = 0.5 * math.Erfc(-z/(1.1*math.Sqrt2))
	g.mem = g.mem[:0]
	g.makeMembers(n)
	g.nameMembers()

	home := ""
	if v.info != nil {
		home = v.info.places[v.hash%uint64(len(v.info.places))]
	}
	famPPKS := uint16(0)
	if g.f() < 0.003 {
		famPPKS |= pBencana
	}
	if v.adat && g.f() < 0.2 || v.rural && v.prov >= 91 && g.f() < 0.01 {
		famPPKS |= pAdat
	}
	for i := range g.mem {
		p := &g.mem[i]
		p.key = g.persons
		g.persons++
		p.birth = g.birthFor(p.age)
	}
	// Siblings (anak, cucu; listed oldest first) are born at least ten
	// months apart, unless twins.
	for i := len(g.mem) - 1; i > 0; i-- {
		p, q := &g.mem[i-1], &g.mem[i]
		if p.rel != q.rel || p.rel != relChild && p.rel != relGrand {
			continue
		}
		if p.twin {
			p.birth, p.age = q.birth, q.age
			continue
		}
		if p.birth > q.birth-300 {
			p.birth = q.birth - 300 - g.intn(300)
			p.age = g.ageOn(p.birth)
		}
	}
	youngest, oldestChild := g.mem[0].birth, 0
	for i := range g.mem {
		p := &g.mem[i]
		p.place = g.placeOfBirth(home)
		g.school(p)
		g.occupation(p)
		g.health(p)
		g.personPPKS(p, i, n)
		p.ppks |= famPPKS
		p.nik = g.nikFor(p, g.district())
		if p.birth > youngest {
			youngest = p.birth
		}
		if p.rel == relChild && oldestChild == 0 {
			oldestChild = p.birth
		}
	}
	// KK issue date: after the youngest member's birth, the head's 17th
	// birthday and (roughly) the marriage, at most 25 years ago.
	lower := youngest
	if a := g.mem[0].birth + 17*365 + 4; a > lower {
		lower = a
	}
	if oldestChild != 0 && oldestChild-365 > lower {
		lower = oldestChild - 365
	}
	if a := g.nowDay - 25*365; a > lower {
		lower = a
	}
	upper := g.nowDay - 1
	if lower > upper {
		lower = upper
	}
	issue := g.between(lower, upper)
	var kk uint64
	for {
		y, m, d := civilFromDays(issue)
		prefix := v.district*1000000 + uint64(d)*10000 + uint64(m)*100 + uint64(y%100)
		c := g.kkUsed[prefix]
		if c < 9999 {
			g.kkUsed[prefix] = c + 1
			kk = prefix*10000 + uint64(c+1)
			break
		}
		if issue > lower {
			issue--
		} else {
			issue = g.between(g.nowDay-25*365, upper)
		}
	}
	g.render(n, kk)
	g.built++
}

// ---- rendering

// ensureRows makes room for n rows in the family buffers.
func (g *Generator) ensureRows(n int) {
	for len(g.rows) < n {
		g.rows = append(g.rows, make([]string, nColumns))
	}
	for len(g.keys) < n {
		g.keys = append(g.keys, 0)
		g.kinds = append(g.kinds, "")
	}
}

func (g *Generator) ref(row, col int, start int) {
	g.refs = append(g.refs, fieldRef{int32(row), int32(col), int32(start), int32(len(g.arena))})
}

func (g *Generator) render(n int, kk uint64) {
	v := g.v
	g.arena = g.arena[:0]
	g.refs = g.refs[:0]
	g.ensureRows(n)
	g.nRows = n // injected duplicates add rows while rendering
	g.pos = 0

	// family columns
	row := g.rows[0]
	clear(row)
	g.kkStart = int32(len(g.arena))
	g.arena = appendPad(g.arena, kk, 16)
	g.kkEnd = int32(len(g.arena))
	g.family(row)

	for i := 0; i < n; i++ {
		if i > 0 {
			clear(g.rows[i])
		}
		g.refs = append(g.refs, fieldRef{int32(i), cNoKK, g.kkStart, g.kkEnd})
		g.rows[i][cKode] = v.code
		g.keys[i] = g.mem[i].key
		g.kinds[i] = ""
		g.personRow(i)
	}
	s := string(g.arena)
	for _, r := range g.refs {
		g.rows[r.row][r.col] = s[r.start:r.end]
	}
	if g.dirty > 0 {
		g.remember(n)
	}
}

func (g *Generator) family(row []string) {
	v := g.v
	z := g.z
	// address
	start := len(g.arena)
	if !v.rural || g.f() < 0.25 {
		if g.f() < 0.2 {
			g.arena = append(g.arena, "Gg. "...)
		} else {
			g.arena = append(g.arena, "Jl. "...)
		}
		st := streets[(v.hash>>8+uint64(g.intn(8)))%uint64(len(streets))]
		g.arena = append(g.arena, st...)
		g.arena = append(g.arena, " No. "...)
		g.arena = strconv.AppendInt(g.arena, int64(1+g.intn(150)), 10)
	} else {
		g.arena = append(g.arena, "Dusun "...)
		if g.f() < 0.6 {
			g.arena = append(g.arena, romans[g.intn(1+int(v.hash%8))]...)
		} else {
			g.arena = append(g.arena, dusunNames[(v.hash>>16+uint64(g.intn(4)))%uint64(len(dusunNames))]...)
		}
	}
	g.ref(0, cAlamat, start)
	rw := 1 + g.intn(8)
	row[cRW] = padded3[rw]
	row[cRT] = padded3[1+g.intn(15)]
	if g.f() < 0.5 {
		lat := v.lat + g.norm()*0.01
		lon := v.lon + g.norm()*0.01
		lat = math.Max(-11, math.Min(6, lat))
		lon = math.Max(95, math.Min(141, lon))
		start = len(g.arena)
		g.arena = strconv.AppendFloat(g.arena, lat, 'f', 6, 64)
		g.ref(0, cLintang, start)
		start = len(g.arena)
		g.arena = strconv.AppendFloat(g.arena, lon, 'f', 6, 64)
		g.ref(0, cBujur, start)
	}
	score := func() float64 { return z + 0.8*g.norm() }
	row[cLantai] = ordFloor.pick(score())
	row[cDinding] = ordWall.pick(score())
	row[cAtap] = ordRoof.pick(score())
	if g.f() < 0.005 {
		row[[]int{cLantai, cDinding, cAtap}[g.intn(3)]] = "lainnya"
	}
	row[cAir] = ordWater.pick(score())
	row[cSanitasi] = ordSanitation.pick(score())
	row[cListrik] = ordElectricity.pick(score())
	if n := len(g.mem); g.f() < 0.01 || n == 1 && g.f() < 0.12 {
		row[cBahanBakar] = "tidak_memasak"
	} else {
		row[cBahanBakar] = ordFuel.pick(score())
	}
	head := &g.mem[0]
	switch u := g.f(); {
	case (head.occ == "asn" || head.occ == "tni" || head.occ == "polri") && u < 0.15:
		row[cStatusRumah] = "dinas"
	case v.rural && u < 0.88 || !v.rural && u < 0.70:
		row[cStatusRumah] = "milik_sendiri"
	case v.rural && u < 0.91 || !v.rural && u < 0.90:
		row[cStatusRumah] = "kontrak_sewa"
	case u < 0.99:
		row[cStatusRumah] = "bebas_sewa"
	default:
		row[cStatusRumah] = "lainnya"
	}
	switch u := g.f(); {
	case row[cStatusRumah] == "milik_sendiri" && u < 0.93:
		row[cStatusLahan] = "milik_sendiri"
	case u < 0.01:
		row[cStatusLahan] = "lainnya"
	case u < 0.04:
		row[cStatusLahan] = "tanah_negara"
	default:
		row[cStatusLahan] = "milik_orang_lain"
	}
	area := math.Exp(math.Log(42)+0.35*z+0.35*g.norm()) + 4*float64(len(g.mem))
	if area < 9 {
		area = 9
	}
	if area > 600 {
		area = 600
	}
	row[cLuas] = small[int(area)]

	// assets
	start = len(g.arena)
	rural := 0.0
	if v.rural {
		rural = 1
	}
	first := true
	for _, a := range assets {
		if g.f() < logistic(a.a+a.b*z+a.r*rural) {
			if !first {
				g.arena = append(g.arena, '|')
			}
			g.arena = append(g.arena, a.code...)
			first = false
		}
	}
	fisher := false
	for i := range g.mem {
		if g.mem[i].occ == oFisher {
			fisher = true
		}
	}
	if fisher {
		for _, a := range boats {
			if g.f() < logistic(a.a+a.b*z) {
				if !first {
					g.arena = append(g.arena, '|')
				}
				g.arena = append(g.arena, a.code...)
				first = false
			}
		}
	}
	if !first {
		g.ref(0, cAset, start)
	}

	// livestock
	cnt := func(p float64, lo, hi int) string {
		if g.f() < p {
			return small[g.between(lo, hi)]
		}
		return "0"
	}
	info := v.info
	if v.rural {
		row[cSapi] = cnt(0.10*(1+0.3*z), 1, 5)
		row[cKerbau] = cnt(0.02, 1, 4)
		row[cKambing] = cnt(0.10, 1, 10)
		pig := 0.003
		if info != nil && info.pigs {
			pig = 0.15
		}
		row[cBabi] = cnt(pig, 1, 6)
		horse := 0.002
		if info != nil && info.horses {
			horse = 0.03
		}
		row[cKuda] = cnt(horse, 1, 3)
		row[cUnggas] = cnt(0.45, 3, 30)
	} else {
		row[cSapi] = cnt(0.01, 1, 3)
		row[cKerbau] = "0"
		row[cKambing] = cnt(0.02, 1, 5)
		pig := 0.0005
		if info != nil && info.pigs {
			pig = 0.03
		}
		row[cBabi] = cnt(pig, 1, 3)
		row[cKuda] = "0"
		row[cUnggas] = cnt(0.10, 2, 15)
	}
}

func appendName(b []byte, pre, given, last string) []byte {
	if pre != "" {
		b = append(b, pre...)
		b = append(b, ' ')
	}
	b = append(b, given...)
	if last != "" {
		b = append(b, ' ')
		b = append(b, last...)
	}
	return b
}

func appendDate(b []byte, day int, swap bool) []byte {
	y, m, d := civilFromDays(day)
	b = appendPad(b, uint64(y), 4)
	b = append(b, '-')
	if swap {
		m, d = d, m
	}
	b = appendPad(b, uint64(m), 2)
	b = append(b, '-')
	return appendPad(b, uint64(d), 2)
}

func (g *Generator) personRow(i int) {
	p := &g.mem[i]
	row := g.rows[i]
	kind := ""
	if g.dirty > 0 && g.f() < g.dirty {
		kind = g.drawKind(p)
	}
	g.kinds[i] = kind

	// nik
	switch kind {
	case "shared_nik":
		e := &g.ring[g.intn(len(g.ring))]
		row[cNIK] = e.vals[cNIK]
	default:
		start := len(g.arena)
		g.arena = appendPad(g.arena, p.nik, 16)
		if kind != "" {
			g.arena = g.corruptNIK(g.arena, start, kind, p.male)
		}
		g.ref(i, cNIK, start)
	}
	// name
	start := len(g.arena)
	g.arena = appendName(g.arena, p.pre, p.given, p.last)
	if kind != "" {
		g.arena = g.corruptName(g.arena, start, kind, p)
	}
	g.ref(i, cNama, start)
	if p.male {
		row[cJK] = "L"
	} else {
		row[cJK] = "P"
	}
	row[cTempatLahir] = p.place
	start = len(g.arena)
	g.arena = appendDate(g.arena, p.birth, kind == "date_swap")
	g.ref(i, cTanggalLahir, start)
	row[cHubungan] = p.rel
	row[cStatusKawin] = p.marital
	switch {
	case p.mother >= 0:
		m := &g.mem[p.mother]
		start = len(g.arena)
		g.arena = appendName(g.arena, m.pre, m.given, m.last)
		g.ref(i, cNamaIbu, start)
	case p.mother == -1:
		start = len(g.arena)
		g.arena = appendName(g.arena, p.mPre, p.mGiven, p.mLast)
		g.ref(i, cNamaIbu, start)
	}
	row[cPendidikan] = p.edu
	row[cJenjang] = p.school
	if p.nisn {
		y, _, _ := civilFromDays(p.birth)
		yy := y % 1000
		c := uint64(g.nisnNext[yy])
		g.nisnNext[yy]++
		start = len(g.arena)
		g.arena = appendPad(g.arena, uint64(yy), 3)
		g.arena = appendPad(g.arena, (c*7919+4000037+uint64(yy)*1234577)%10000000, 7)
		g.ref(i, cIDSekolah, start)
	}
	row[cPekerjaan] = p.occ
	row[cDisabilitas] = p.dis
	row[cTingkatDis] = p.disLvl
	row[cHamil] = p.hamil
	if p.ppks != 0 {
		if p.ppks&(p.ppks-1) == 0 {
			row[cPPKS] = registry.PPKS.Codes[bits.TrailingZeros16(p.ppks)]
		} else {
			start = len(g.arena)
			for b, first := p.ppks, true; b != 0; b &= b - 1 {
				if !first {
					g.arena = append(g.arena, '|')
				}
				g.arena = append(g.arena, registry.PPKS.Codes[bits.TrailingZeros16(b)]...)
				first = false
			}
			g.ref(i, cPPKS, start)
		}
	}
	row[cStatus] = "aktif"
	if kind == "duplicate_person" {
		g.kinds[i] = ""
		g.addDuplicate()
	}
}
