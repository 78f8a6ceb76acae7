package seed

// Injected error kinds and their shares of the injected errors.
var dirtyKinds = []struct {
	kind  string
	share float64
}{
	{"name_typo", 0.22},
	{"name_single", 0.10},
	{"name_swap", 0.06},
	{"name_variant", 0.12},
	{"date_swap", 0.10},
	{"duplicate_person", 0.15},
	{"shared_nik", 0.05},
	{"nik_letter", 0.07},
	{"nik_short", 0.07},
	{"nik_day32", 0.06},
}

// ringSize bounds the number of earlier people remembered for duplicate and
// shared-NIK errors.
const ringSize = 256

// maxDebt bounds the errors owed of one kind.
const maxDebt = 1000

func (g *Generator) drawKind(p *person) string {
	// Kinds drawn for rows they did not apply to are owed to later rows, so
	// that the shares hold although some kinds fit few rows.
	for i, d := range g.debt {
		if d > 0 && g.applicable(dirtyKinds[i].kind, p) {
			g.debt[i]--
			return dirtyKinds[i].kind
		}
	}
	for try := 0; try < 4; try++ {
		u := g.f()
		ki := len(dirtyKinds) - 1
		for i, x := range dirtyKinds {
			if u < x.share {
				ki = i
				break
			}
			u -= x.share
		}
		if g.applicable(dirtyKinds[ki].kind, p) {
			return dirtyKinds[ki].kind
		}
		if g.debt[ki] < maxDebt {
			g.debt[ki]++
		}
	}
	return "name_typo"
}

func (g *Generator) applicable(kind string, p *person) bool {
	words := 1
	if p.pre != "" {
		words++
	}
	if p.last != "" {
		words++
	}
	switch kind {
	case "name_single", "name_swap":
		return words >= 2
	case "name_variant":
		return p.pre != "" || p.given == "MUHAMMAD" || p.given == "SITI"
	case "date_swap":
		_, m, d := civilFromDays(p.birth)
		return d <= 12 && d != m
	case "duplicate_person", "shared_nik":
		return len(g.ring) > 0
	}
	return true
}

var muhammadVariants = []string{"MUHAMAD", "MOH.", "MOHAMMAD", "MOCH.", "M.", "MOHAMAD"}

func variant(s string, pick func(int) int) string {
	switch s {
	case "MUHAMMAD":
		return muhammadVariants[pick(len(muhammadVariants))]
	case "SITI":
		return "ST."
	}
	return s
}

// corruptName rewrites the name in b[start:] for the name error kinds.
func (g *Generator) corruptName(b []byte, start int, kind string, p *person) []byte {
	switch kind {
	case "name_typo":
		return g.typo(b, start)
	case "name_single":
		return append(b[:start], p.given...)
	case "name_swap":
		b = b[:start]
		if p.last != "" {
			return appendName(b, "", p.last, joinWords(p.pre, p.given))
		}
		return appendName(b, "", p.given, p.pre)
	case "name_variant":
		if p.pre != "" {
			return appendName(b[:start], variant(p.pre, g.intn), p.given, p.last)
		}
		return appendName(b[:start], "", variant(p.given, g.intn), p.last)
	}
	return b
}

func joinWords(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// typo swaps, drops or doubles one letter of b[start:].
func (g *Generator) typo(b []byte, start int) []byte {
	s := b[start:]
	letters := 0
	for _, c := range s {
		if isLetter(c) {
			letters++
		}
	}
	if letters == 0 {
		return b
	}
	k := g.intn(letters)
	pos := 0
	for i, c := range s {
		if isLetter(c) {
			if k == 0 {
				pos = i
				break
			}
			k--
		}
	}
	switch g.intn(3) {
	case 0:
		if pos+1 < len(s) && isLetter(s[pos+1]) && s[pos] != s[pos+1] {
			s[pos], s[pos+1] = s[pos+1], s[pos]
			return b
		}
	case 1:
		if letters > 3 {
			copy(s[pos:], s[pos+1:])
			return b[:len(b)-1]
		}
	}
	c := s[pos]
	b = append(b, 0)
	s = b[start:]
	copy(s[pos+1:], s[pos:len(s)-1])
	s[pos] = c
	return b
}

var nikLetter = [10]byte{'O', 'I', 'Z', 'E', 'A', 'S', 'G', 'T', 'B', 'g'}

// corruptNIK rewrites the 16-digit NIK in b[start:] for the NIK error kinds.
func (g *Generator) corruptNIK(b []byte, start int, kind string, male bool) []byte {
	s := b[start:]
	switch kind {
	case "nik_letter":
		pos := 2 + g.intn(14)
		s[pos] = nikLetter[s[pos]-'0']
	case "nik_short":
		pos := g.intn(16)
		copy(s[pos:], s[pos+1:])
		return b[:len(b)-1]
	case "nik_day32":
		if male {
			s[6] = '3'
		} else {
			s[6] = '7'
		}
		s[7] = '2'
	}
	return b
}

// addDuplicate appends to the current family a row copying a person of an
// earlier family (the same real person registered twice), half of the time
// with a new NIK of the current village's district.
func (g *Generator) addDuplicate() {
	e := &g.ring[g.intn(len(g.ring))]
	j := g.nRows
	g.nRows++
	g.ensureRows(g.nRows)
	row := g.rows[j]
	copy(row, e.vals)
	clear(row[:familyColumns])
	row[cKode] = g.v.code
	g.refs = append(g.refs, fieldRef{int32(j), cNoKK, g.kkStart, g.kkEnd})
	row[cHubungan] = relOther
	if g.f() < 0.3 {
		row[cHubungan] = relElse
	}
	if g.f() < 0.5 {
		p := person{male: e.male, birth: e.birth}
		nik := g.nikFor(&p, g.v.district)
		start := len(g.arena)
		g.arena = appendPad(g.arena, nik, 16)
		g.ref(j, cNIK, start)
	}
	g.keys[j] = e.key
	g.kinds[j] = "duplicate_person"
}

// remember keeps some clean rows of the family just rendered for later
// duplicate and shared-NIK errors.
func (g *Generator) remember(n int) {
	for i := 0; i < n; i++ {
		if g.kinds[i] != "" || g.f() >= 0.05 {
			continue
		}
		var e *ringEntry
		if len(g.ring) < ringSize {
			g.ring = append(g.ring, ringEntry{vals: make([]string, nColumns)})
			e = &g.ring[len(g.ring)-1]
		} else {
			e = &g.ring[g.intn(ringSize)]
		}
		copy(e.vals, g.rows[i])
		p := &g.mem[i]
		e.key, e.male, e.birth = p.key, p.male, p.birth
	}
}
