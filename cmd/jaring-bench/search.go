package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// personColumns are the columns SearchPeople returns; the baseline reads the same.
const personColumns = `id, family_id, nik, name, sex, birth_date, relation, village_code, status`

func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", os.Getenv("JARING_DB"), "PostgreSQL URL (postgres://...) or SQLite file (env JARING_DB)")
	district := fs.String("district", "", "region to search in, normally a district PP.KK.CC (default: the district with the most current people)")
	queries := fs.Int("queries", 1000, "measured queries (and as many baseline lookups)")
	warmup := fs.Int("warmup", 100, "unmeasured queries run first")
	concurrency := fs.Int("concurrency", 1, "queries in flight at once (1 = sequential)")
	limit := fs.Int("limit", 50, "result limit, as the API's default page")
	seed := fs.Uint64("seed", 1, "seed of the query set; the same seed and register give the same queries")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: jaring-bench search --db URL [--district CODE] [--queries N] [--concurrency C]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dsn == "" || fs.NArg() > 0 || *queries < 1 || *concurrency < 1 || *limit < 1 || *warmup < 0 {
		fs.Usage()
		return errUsage
	}

	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	version, err := engineVersion(ctx, db)
	if err != nil {
		return err
	}
	var total int64
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM person WHERE valid_to IS NULL`).Scan(&total); err != nil {
		return fmt.Errorf("count people (is the register migrated and loaded?): %w", err)
	}
	if total == 0 {
		return fmt.Errorf("the register at %s holds no people: load it first (jaring import or jaring seed)", db.Where())
	}

	how := "given"
	if *district == "" {
		how = "the district with the most current people"
		// One grouped query over the current people; a district code is the
		// first 8 characters of a village code (PP.KK.CC.DDDD).
		if err := db.QueryRow(ctx, `SELECT SUBSTR(village_code, 1, 8), COUNT(*) FROM person WHERE valid_to IS NULL
GROUP BY SUBSTR(village_code, 1, 8) ORDER BY COUNT(*) DESC, 1 LIMIT 1`).Scan(district, new(int64)); err != nil {
			return fmt.Errorf("pick district: %w", err)
		}
	}
	lo, hi := *district, *district+"/" // the registry's scope range for a region code
	names, stale, err := districtNames(ctx, db, lo, hi)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("district %s holds no current people", *district)
	}

	reg := registry.New(db)
	set := buildQueries(names, *queries, rand.New(rand.NewPCG(*seed, 1)))
	warm := buildQueries(names, *warmup, rand.New(rand.NewPCG(*seed, 2)))

	search := func(q query) (int, error) {
		hits, err := reg.SearchPeople(ctx, *district, q.text, *limit)
		return len(hits), err
	}
	rangeSQL := `SELECT ` + personColumns + ` FROM person WHERE valid_to IS NULL AND village_code >= $1 AND village_code < $2 LIMIT $3`
	lookup := func(query) (int, error) { return scanPeople(ctx, db, rangeSQL, lo, hi, *limit) }

	// Warm up both paths (connections, prepared statements, page cache).
	if _, err := measure(warm, 1, search); err != nil {
		return err
	}
	if _, err := measure(set[:min(len(set), max(*warmup, 1))], 1, lookup); err != nil {
		return err
	}
	runtime.GC()
	searchRes, err := measure(set, *concurrency, search)
	if err != nil {
		return err
	}
	runtime.GC()
	baseRes, err := measure(set, *concurrency, lookup)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "engine       %s %s\n", db.Engine(), version)
	fmt.Fprintf(stdout, "database     %s\n", db.Where())
	fmt.Fprintf(stdout, "register     %d current people\n", total)
	fmt.Fprintf(stdout, "district     %s, %d current people (%s)\n", *district, len(names), how)
	if stale > 0 {
		fmt.Fprintf(stdout, "WARNING      %d of the district's %d stored name keys differ from this build's NameKey(name):\n"+
			"             the register was keyed by other folding rules; searches for those names may miss\n", stale, len(names))
	}
	fmt.Fprintf(stdout, "queries      %d measured after %d warm-up, limit %d, concurrency %d, seed %d, GOMAXPROCS %d\n",
		*queries, *warmup, *limit, *concurrency, *seed, runtime.GOMAXPROCS(0))
	fmt.Fprintf(stdout, "date         %s\n\n", time.Now().UTC().Format(time.RFC3339))

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tn\tp50\tp90\tp99\tmax\tmean\thits/q\tzero-hit\tfull\tq/s\t")
	row := func(label string, r result, idx []int) {
		s := r.stats(idx, *limit)
		qps := "-"
		if !math.IsNaN(s.qps) {
			qps = fmt.Sprintf("%.0f", s.qps)
		}
		fmt.Fprintf(tw, "%-30s\t%d\t%s\t%s\t%s\t%s\t%s\t%.1f\t%d\t%d\t%s\t\n", label, s.n,
			ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), ms(s.mean), s.hits, s.zero, s.full, qps)
	}
	row("name search (SearchPeople)", searchRes, nil)
	for _, k := range kinds {
		var idx []int
		for i, q := range set {
			if q.kind == k {
				idx = append(idx, i)
			}
		}
		if len(idx) > 0 {
			row("  "+k, searchRes, idx)
		}
	}
	var lower []int
	for i, q := range set {
		if q.lower {
			lower = append(lower, i)
		}
	}
	if len(lower) > 0 {
		row("  (of which lower case)", searchRes, lower)
	}
	row("baseline: region range only", baseRes, nil)
	tw.Flush()

	s, b := searchRes.stats(nil, *limit), baseRes.stats(nil, *limit)
	fmt.Fprintf(stdout, "\nname matching costs %.1f× the region-range lookup at p50, %.1f× at p99\n",
		ratio(s.p50, b.p50), ratio(s.p99, b.p99))
	fmt.Fprintf(stdout, "targets      p50 < 20 ms: %s (%s);  p99 < 100 ms: %s (%s)\n",
		verdict(s.p50 < 20*time.Millisecond), ms(s.p50), verdict(s.p99 < 100*time.Millisecond), ms(s.p99))
	fmt.Fprintln(stdout, "\nexamples     "+examples(set, 8))
	var zero []query
	for i, q := range set {
		if searchRes.hits[i] == 0 {
			zero = append(zero, q)
		}
	}
	if len(zero) > 0 {
		fmt.Fprintf(stdout, "zero-hit     %d queries made from names present in the district found nothing, e.g. %s\n", len(zero), examples(zero, 8))
	}
	return nil
}

func engineVersion(ctx context.Context, db *store.DB) (string, error) {
	var v string
	q := `SELECT sqlite_version()`
	if db.Engine() == store.Postgres {
		q = `SHOW server_version`
	}
	if err := db.QueryRow(ctx, q).Scan(&v); err != nil {
		return "", fmt.Errorf("engine version: %w", err)
	}
	return v, nil
}

// districtNames reads the names of the district's current people, in ID
// order so that the same register gives the same query set. stale counts
// the stored name keys that differ from this build's NameKey: a register
// keyed by another version of the folding rules, which search then misses.
func districtNames(ctx context.Context, db *store.DB, lo, hi string) (names []string, stale int, err error) {
	rows, err := db.Query(ctx, `SELECT name, name_key FROM person WHERE valid_to IS NULL AND village_code >= $1 AND village_code < $2 ORDER BY id`, lo, hi)
	if err != nil {
		return nil, 0, fmt.Errorf("district names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, key string
		if err := rows.Scan(&n, &key); err != nil {
			return nil, 0, err
		}
		names = append(names, n)
		if registry.NameKey(n) != key {
			stale++
		}
	}
	return names, stale, rows.Err()
}

// scanPeople runs q and scans every row into the same fields SearchPeople
// fills, so that the baseline pays for the same transfer and decoding.
func scanPeople(ctx context.Context, db *store.DB, q string, args ...any) (int, error) {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var h registry.PersonHit
		if err := rows.Scan(&h.ID, &h.FamilyID, &h.NIK, &h.Name, &h.Sex, &h.BirthDate, &h.Relation, &h.VillageCode, &h.Status); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// A query is one search text and how it was made from a name.
type query struct {
	text  string
	kind  string
	lower bool
}

const (
	kindOne     = "one token"
	kindTwo     = "two tokens"
	kindPrefix  = "token prefix"
	kindVariant = "spelling variant"
)

var kinds = []string{kindOne, kindTwo, kindPrefix, kindVariant}

// buildQueries makes n queries from names picked at random: a whole token,
// two consecutive tokens, the first letters of a token (someone typing), or
// a token in another spelling that the name key folds to the same form
// (Muhammad→Moh, Siti→St, Soekarno, Djoko, doubled letters); a third of
// them lower-cased.
func buildQueries(names []string, n int, r *rand.Rand) []query {
	out := make([]query, 0, n)
	for len(out) < n {
		toks := strings.FieldsFunc(names[r.IntN(len(names))], func(c rune) bool { return !unicode.IsLetter(c) })
		if len(toks) == 0 {
			continue
		}
		i := r.IntN(len(toks))
		q := query{kind: kinds[r.IntN(len(kinds))]}
		switch q.kind {
		case kindOne:
			q.text = toks[i]
		case kindTwo:
			if len(toks) < 2 {
				q.kind, q.text = kindOne, toks[i]
				break
			}
			i = r.IntN(len(toks) - 1)
			q.text = toks[i] + " " + toks[i+1]
		case kindPrefix:
			rs := []rune(toks[i])
			if len(rs) <= 3 {
				q.kind, q.text = kindOne, toks[i]
				break
			}
			q.text = string(rs[:min(len(rs)-1, 3+r.IntN(3))])
		case kindVariant:
			v, ok := variant(toks[i], r)
			if !ok {
				q.kind, q.text = kindOne, toks[i]
				break
			}
			q.text = v
			if len(toks) > 1 && r.IntN(2) == 0 {
				// With a neighbouring token, as people often type a full name.
				if i+1 < len(toks) {
					q.text = v + " " + toks[i+1]
				} else {
					q.text = toks[i-1] + " " + v
				}
			}
		}
		if r.IntN(3) == 0 {
			q.text, q.lower = strings.ToLower(q.text), true
		}
		out = append(out, q)
	}
	return out
}

// variant returns another spelling of tok that the search folds to the same
// key, or false when none of the known variants applies.
func variant(tok string, r *rand.Rand) (string, bool) {
	want := registry.QueryTokens(tok)
	if len(want) != 1 {
		return "", false
	}
	up := strings.ToUpper(tok)
	var cands []string
	switch want[0] {
	case "mhd":
		cands = []string{"MOH", "MUH", "MUHAMMAD", "MUHAMAD", "MOHAMMAD", "MOCHAMAD", "MHD"}
	case "siti":
		cands = []string{"ST", "SITI"}
	case "abdul":
		cands = []string{"ABD", "ABDUL"}
	default:
		for _, sub := range [][2]string{{"U", "OE"}, {"J", "DJ"}, {"C", "TJ"}, {"SY", "SJ"}, {"NY", "NJ"},
			{"KH", "CH"}, {"AH", "ACH"}, {"F", "PH"}} {
			if strings.Contains(up, sub[0]) {
				cands = append(cands, strings.Replace(up, sub[0], sub[1], 1))
			}
		}
		rs := []rune(up)
		for j := range rs {
			if j > 0 && rs[j] == rs[j-1] {
				// Undouble: Muhammad → Muhamad, Anna → Ana.
				cands = append(cands, string(rs[:j])+string(rs[j+1:]))
			} else if j > 0 && !strings.ContainsRune("AIUEO", rs[j]) {
				// Double a consonant: Ana → Anna... but only consonants, as
				// a doubled vowel may form a spelling rule's pair (oe).
				cands = append(cands, string(rs[:j+1])+string(rs[j:]))
			}
		}
	}
	r.Shuffle(len(cands), func(a, b int) { cands[a], cands[b] = cands[b], cands[a] })
	for _, c := range cands {
		if c == up {
			continue
		}
		if got := registry.QueryTokens(c); len(got) == 1 && got[0] == want[0] {
			return c, true
		}
	}
	return "", false
}

// result holds the latency and hit count of every query of a set.
type result struct {
	lat  []time.Duration
	hits []int
	wall time.Duration
}

// measure runs fn for every query, c at a time, and records each latency.
func measure(set []query, c int, fn func(query) (int, error)) (result, error) {
	res := result{lat: make([]time.Duration, len(set)), hits: make([]int, len(set))}
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < min(c, len(set)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(set) {
					return
				}
				t := time.Now()
				n, err := fn(set[i])
				res.lat[i] = time.Since(t)
				res.hits[i] = n
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("query %q: %w", set[i].text, err) })
					next.Store(int64(len(set)))
					return
				}
			}
		}()
	}
	wg.Wait()
	res.wall = time.Since(start)
	return res, firstErr
}

type stats struct {
	n                        int
	p50, p90, p99, max, mean time.Duration
	hits                     float64
	zero, full               int
	qps                      float64
}

// stats summarises the queries at idx (nil = all). Percentiles are nearest-rank.
func (r result) stats(idx []int, limit int) stats {
	if idx == nil {
		idx = make([]int, len(r.lat))
		for i := range idx {
			idx[i] = i
		}
	}
	lat := make([]time.Duration, 0, len(idx))
	var s stats
	var sum time.Duration
	var hits int
	for _, i := range idx {
		lat = append(lat, r.lat[i])
		sum += r.lat[i]
		hits += r.hits[i]
		if r.hits[i] == 0 {
			s.zero++
		}
		if r.hits[i] >= limit {
			s.full++
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		k := int(math.Ceil(p*float64(len(lat)))) - 1
		return lat[max(0, min(k, len(lat)-1))]
	}
	s.n = len(lat)
	s.p50, s.p90, s.p99, s.max = pct(0.50), pct(0.90), pct(0.99), lat[len(lat)-1]
	s.mean = sum / time.Duration(len(lat))
	s.hits = float64(hits) / float64(len(lat))
	if len(idx) == len(r.lat) {
		s.qps = float64(len(lat)) / r.wall.Seconds()
	} else {
		s.qps = math.NaN()
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return math.Inf(1)
	}
	return float64(a) / float64(b)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// examples lists the first n query texts (names of synthetic people).
func examples(set []query, n int) string {
	var out []string
	for _, q := range set {
		if len(out) == n {
			break
		}
		out = append(out, fmt.Sprintf("%q", q.text))
	}
	return strings.Join(out, ", ")
}
