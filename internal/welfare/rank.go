package welfare

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/store"
)

// Options configure a ranking.
type Options struct {
	// Model is the version to apply; "" means the version in effect on the
	// day of the run.
	Model string
	// ByProvince ranks families into deciles within their province instead
	// of nationally.
	ByProvince bool
	// Actor is who starts the ranking, kept with the run.
	Actor string
	// RunID names an unfinished run to do again from the start (a job
	// resumed after a restart); 0 starts a new run. A finished run is
	// returned as it is.
	RunID int64
	// TempDir holds the spill file between the two passes ("" = os.TempDir()).
	TempDir string
	// Now is the clock; nil means store.Now.
	Now func() time.Time
	// Streams is the number of ranges of family IDs read at once, each on
	// its own connection; 0 chooses one per CPU (at most 4), each of at
	// least 100,000 families.
	Streams int
	// Started, when set, is called in the transaction that creates a new
	// run, so that a durable job can checkpoint the run's ID with it.
	Started func(ctx context.Context, tx *store.Tx, runID int64) error
}

// RunResult is a finished ranking and how long its passes took.
type RunResult struct {
	Run
	Read, Write time.Duration
}

// Rank scores every current active family that has at least one active
// member with a model and ranks them into deciles 1 (poorest) to 10.
//
// It reads the register once: the families and the aggregates of their
// members, two streams in family ID order merged in Go (no query per
// family), in ranges of family IDs read at once. It computes each score and
// its contributions in Go and spills them to a temporary file per range
// while counting scores; the counts give the deciles exactly. A second pass
// over the files writes the scores with their deciles in bulk (COPY on
// PostgreSQL) in transactions of writeChunk families. Memory holds a batch
// per range and the score counts, never the register. Rows of an
// unfinished run are invisible: readers use finished runs only.
//
// progress, when not nil, is called with work done and total work: each
// family counts once when scored and once when written.
func Rank(ctx context.Context, db *store.DB, o Options, progress func(done, total int64)) (res RunResult, err error) {
	if o.Now == nil {
		o.Now = store.Now
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	run, err := startRun(ctx, db, &o)
	if err != nil {
		return res, err
	}
	res.Run = run
	if run.State == StateFinished {
		return res, nil
	}
	defer func() {
		if err != nil {
			failRun(db, run.ID, err)
		}
	}()
	m, err := GetModel(ctx, db, run.Model)
	if err != nil {
		return res, err
	}
	c := compile(m)

	var total int64
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM family WHERE valid_to IS NULL AND status = 'aktif'`).Scan(&total); err != nil {
		return res, fmt.Errorf("welfare: count families: %w", err)
	}
	total *= 2

	start := time.Now()
	ref := newRefDates(run.DataAsOf)
	spills, hist, ranked, err := scoreAll(ctx, db, c, &ref, run.ByProvince, o.TempDir, o.Streams, total/2, func(n int64) { progress(n, total) })
	if err != nil {
		return res, err
	}
	defer closeSpills(spills)
	res.Read = time.Since(start)
	// Active families without an active member are not ranked.
	skipped := max(total/2-ranked, 0)

	start = time.Now()
	table, lookup := deciles(hist)
	half := total / 2
	if err := writeAll(ctx, db, run.ID, len(c.inds), lookup, run.ByProvince, spills, func(n int64) { progress(half+n, total) }); err != nil {
		return res, err
	}
	res.Write = time.Since(start)

	doc, err := json.Marshal(table)
	if err != nil {
		return res, err
	}
	finished := o.Now()
	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE welfare_runs SET state = $1, finished_at = $2, families = $3, skipped = $4, deciles = $5, error = ''
WHERE id = $6`, StateFinished, store.Micros(finished), ranked, skipped, string(doc), run.ID)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("welfare: finish run: %w", err)
	}
	progress(total, total)
	res.Run.State, res.Run.Finished, res.Run.Families, res.Run.Skipped, res.Run.Deciles = StateFinished, &finished, ranked, skipped, table
	return res, nil
}

// startRun creates the run, or takes up an unfinished one again.
func startRun(ctx context.Context, db *store.DB, o *Options) (Run, error) {
	now := o.Now()
	if o.RunID != 0 {
		r, err := GetRun(ctx, db, o.RunID)
		if err != nil || r.State == StateFinished {
			return r, err
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `DELETE FROM welfare_scores WHERE run_id = $1`, r.ID); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE welfare_runs SET state = $1, data_as_of = $2, error = '' WHERE id = $3`,
				StateRunning, store.Micros(now), r.ID)
			return err
		})
		r.State, r.DataAsOf = StateRunning, now
		return r, err
	}
	version := o.Model
	if version == "" {
		var err error
		if version, err = modelInEffect(ctx, db, now.Format(time.DateOnly)); err != nil {
			return Run{}, err
		}
	} else if _, err := GetModel(ctx, db, version); err != nil {
		return Run{}, err
	}
	actor := o.Actor
	if actor == "" {
		actor = "jaring"
	}
	r := Run{Model: version, ByProvince: o.ByProvince, State: StateRunning, DataAsOf: now, Started: now, StartedBy: actor}
	err := db.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.ReserveIDs(ctx, "welfare_run", 1)
		if err != nil {
			return err
		}
		r.ID = id
		_, err = tx.Exec(ctx, `INSERT INTO welfare_runs (id, model_version, by_province, state, data_as_of, started_at, started_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.Model, r.ByProvince, r.State, store.Micros(now), store.Micros(now), actor)
		if err == nil && o.Started != nil {
			err = o.Started(ctx, tx, r.ID)
		}
		return err
	})
	if err != nil {
		return Run{}, fmt.Errorf("welfare: start run: %w", err)
	}
	return r, nil
}

// failRun marks a run failed and removes its rows, on a fresh context: the
// caller's may be the reason it failed.
func failRun(db *store.DB, id int64, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	_ = db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM welfare_scores WHERE run_id = $1`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE welfare_runs SET state = $1, finished_at = $2, error = $3 WHERE id = $4`,
			StateFailed, store.Micros(store.Now()), msg, id)
		return err
	})
}

// histogram counts families per score (in cents) per group.
type histogram map[string]map[int64]int64

func (h histogram) add(o histogram) {
	for g, counts := range o {
		dst := h[g]
		if dst == nil {
			h[g] = counts
			continue
		}
		for s, n := range counts {
			dst[s] += n
		}
	}
}

// maxStreams bounds the number of ID ranges read at once.
const maxStreams = 4

// minStreamFamilies is the fewest families worth a stream of their own.
const minStreamFamilies = 100000

// scoreAll reads the households in up to maxStreams ranges of family IDs at
// once (one per CPU, each range at least minStreamFamilies), each on its own
// connection and into its own spill file, so that the database and the
// scoring use every core. The files, in range order, hold the families in
// ID order.
func scoreAll(ctx context.Context, db *store.DB, c *compiled, ref *refDates, byProvince bool, tempDir string, streams int,
	families int64, progress func(int64)) ([]*os.File, histogram, int64, error) {
	var lo, hi sql.NullInt64
	if err := db.QueryRow(ctx, `SELECT MIN(id), MAX(id) FROM family WHERE valid_to IS NULL`).Scan(&lo, &hi); err != nil {
		return nil, nil, 0, fmt.Errorf("welfare: family IDs: %w", err)
	}
	n := int64(streams)
	if n <= 0 {
		n = int64(min(runtime.GOMAXPROCS(0), maxStreams))
		n = max(min(n, families/minStreamFamilies), 1)
	}
	bounds := make([]int64, n+1)
	for i := range bounds {
		bounds[i] = lo.Int64 + (hi.Int64-lo.Int64+1)*int64(i)/n
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	files := make([]*os.File, n)
	hists := make([]histogram, n)
	counts := make([]int64, n)
	errs := make([]error, n)
	var mu sync.Mutex
	var done, reported int64
	report := func(k int64) {
		mu.Lock()
		defer mu.Unlock()
		done += k
		if done > reported {
			reported = done
			progress(done)
		}
	}
	var wg sync.WaitGroup
	for i := range files {
		f, err := os.CreateTemp(tempDir, "jaring-rank-*.bin")
		if err != nil {
			closeSpills(files)
			return nil, nil, 0, fmt.Errorf("welfare: spill file: %w", err)
		}
		files[i] = f
	}
	for i := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hists[i], counts[i], errs[i] = scoreRange(ctx, db, c, ref, byProvince, bounds[i], bounds[i+1], files[i],
				report)
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	hist := histogram{}
	var total int64
	for i := range files {
		if errs[i] != nil && !errors.Is(errs[i], context.Canceled) {
			closeSpills(files)
			return nil, nil, 0, errs[i]
		}
		hist.add(hists[i])
		total += counts[i]
	}
	if err := errors.Join(errs...); err != nil {
		closeSpills(files)
		return nil, nil, 0, err
	}
	return files, hist, total, nil
}

func closeSpills(files []*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
}

// scoreRange streams the households with IDs in [lo, hi), scores them and
// spills (family ID, version, province, score, contributions) records to w.
// progress receives the number of families scored since its last call.
func scoreRange(ctx context.Context, db *store.DB, c *compiled, ref *refDates, byProvince bool, lo, hi int64, w io.Writer,
	progress func(int64)) (histogram, int64, error) {
	sc := newScan(c.n, ref, true)
	cur, err := sc.open(ctx, db, lo, hi)
	if err != nil {
		return nil, 0, err
	}
	defer cur.close()
	bw := bufio.NewWriterSize(w, 1<<20)
	hist := histogram{}
	contrib := make([]int64, len(c.inds))
	var h household
	sc.bind(&h)
	var rec []byte
	var n, reported int64
	for {
		ok, err := cur.next(&h)
		if err != nil {
			return nil, n, err
		}
		if !ok {
			break
		}
		s := c.score(&h, contrib)
		prov := h.province()
		group := ""
		if byProvince {
			group = prov
		}
		g := hist[group]
		if g == nil {
			g = map[int64]int64{}
			hist[group] = g
		}
		g[s]++
		rec = binary.AppendUvarint(rec[:0], uint64(h.id))
		rec = binary.AppendUvarint(rec, uint64(h.version))
		rec = binary.AppendUvarint(rec, uint64(len(prov)))
		rec = append(rec, prov...)
		rec = binary.AppendVarint(rec, s)
		for _, v := range contrib {
			rec = binary.AppendVarint(rec, v)
		}
		if _, err := bw.Write(rec); err != nil {
			return nil, n, fmt.Errorf("welfare: spill: %w", err)
		}
		n++
		if n%10000 == 0 {
			progress(n - reported)
			reported = n
			if err := ctx.Err(); err != nil {
				return nil, n, err
			}
		}
	}
	progress(n - reported)
	if err := bw.Flush(); err != nil {
		return nil, n, fmt.Errorf("welfare: spill: %w", err)
	}
	return hist, n, nil
}

// deciles turns score counts into decile ranges and a score → decile
// lookup per group. A family's decile is 1 + ⌊10 × below / N⌋, where below
// is the number of families of its group with a lower score and N the
// group's size: equal scores share a decile (the lowest their ranks reach),
// so two families with the same score are never treated differently, and
// N = 100 distinct scores give 10 families per decile.
func deciles(h histogram) (DecileTable, map[string]map[int64]int8) {
	table := DecileTable{}
	lookup := map[string]map[int64]int8{}
	for group, counts := range h {
		scores := make([]int64, 0, len(counts))
		var n int64
		for s, k := range counts {
			scores = append(scores, s)
			n += k
		}
		sort.Slice(scores, func(i, j int) bool { return scores[i] < scores[j] })
		lk := make(map[int64]int8, len(scores))
		ranges := make([]DecileRange, 0, 10)
		var below int64
		for _, s := range scores {
			d := int(1 + 10*below/n)
			lk[s] = int8(d)
			pts := float64(s) / 100
			if len(ranges) == 0 || ranges[len(ranges)-1].Decile != d {
				ranges = append(ranges, DecileRange{Decile: d, Min: pts})
			}
			r := &ranges[len(ranges)-1]
			r.Max = pts
			r.Families += counts[s]
			below += counts[s]
		}
		table[group] = ranges
		lookup[group] = lk
	}
	return table, lookup
}

// writeChunk is the number of families written per transaction, so that a
// ranking never holds SQLite's single writer for long.
const writeChunk = 20000

var scoreCols = []string{"run_id", "family_id", "family_version", "province", "score", "decile", "contributions"}

// writeAll reads the spill files back and writes the scores with their
// deciles, the files at once, each on its own connection (on SQLite the
// single writer takes their batches in turn).
func writeAll(ctx context.Context, db *store.DB, runID int64, nInd int, lookup map[string]map[int64]int8, byProvince bool,
	spills []*os.File, progress func(int64)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var done int64
	report := func(k int64) {
		mu.Lock()
		defer mu.Unlock()
		done += k
		progress(done)
	}
	errs := make([]error, len(spills))
	var wg sync.WaitGroup
	for i, f := range spills {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				errs[i] = err
			} else {
				errs[i] = writeSpill(ctx, db, runID, nInd, lookup, byProvince, f, report)
			}
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// writeSpill writes the scores of one spill file. One goroutine decodes the
// file into batches while the caller's goroutine writes the previous batch,
// so the formatting overlaps the database's work. progress receives the
// number of families written since its last call.
func writeSpill(ctx context.Context, db *store.DB, runID int64, nInd int, lookup map[string]map[int64]int8, byProvince bool,
	r io.Reader, progress func(int64)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan [][]any, 1)
	decoded := make(chan error, 1)
	go func() {
		defer close(batches)
		decoded <- decodeSpill(r, runID, nInd, lookup, byProvince, func(rows [][]any) bool {
			select {
			case batches <- rows:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	var err error
	for rows := range batches {
		if err != nil {
			continue // drain, so that the decoder ends
		}
		err = db.WriteOnce(ctx, func(tx *store.Tx) error {
			_, err := tx.CopyFrom(ctx, "welfare_scores", scoreCols, rows)
			return err
		})
		if err != nil {
			err = fmt.Errorf("welfare: write scores: %w", err)
			cancel()
			continue
		}
		progress(int64(len(rows)))
	}
	if derr := <-decoded; err == nil && derr != nil {
		err = derr
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// decodeSpill reads the spill records and hands them to emit as rows of
// welfare_scores, writeChunk at a time; it stops when emit returns false.
func decodeSpill(r io.Reader, runID int64, nInd int, lookup map[string]map[int64]int8, byProvince bool, emit func([][]any) bool) error {
	br := bufio.NewReaderSize(r, 1<<20)
	rows := make([][]any, 0, writeChunk)
	var buf []byte
	var provBuf [64]byte
	provinces := map[string]string{} // one string per province code, not per row
	bad := func(err error) error { return fmt.Errorf("welfare: spill: %w", err) }
	for {
		id, err := binary.ReadUvarint(br)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bad(err)
		}
		version, err := binary.ReadUvarint(br)
		if err != nil {
			return bad(err)
		}
		pl, err := binary.ReadUvarint(br)
		if err != nil || pl > 64 {
			return bad(errors.New("bad record"))
		}
		pb := provBuf[:pl]
		if _, err := io.ReadFull(br, pb); err != nil {
			return bad(err)
		}
		prov, ok := provinces[string(pb)]
		if !ok {
			prov = string(pb)
			provinces[prov] = prov
		}
		s, err := binary.ReadVarint(br)
		if err != nil {
			return bad(err)
		}
		buf = append(buf[:0], '[')
		for i := 0; i < nInd; i++ {
			v, err := binary.ReadVarint(br)
			if err != nil {
				return bad(err)
			}
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendPoints(buf, v)
		}
		buf = append(buf, ']')
		group := ""
		if byProvince {
			group = prov
		}
		rows = append(rows, []any{runID, int64(id), int64(version), prov, float64(s) / 100,
			int64(lookup[group][s]), string(buf)})
		if len(rows) == writeChunk {
			if !emit(rows) {
				return nil
			}
			rows = make([][]any, 0, writeChunk)
		}
	}
	if len(rows) > 0 {
		emit(rows)
	}
	return nil
}

// appendPoints writes hundredths of a point as a JSON number: -6, 2.5, 0.25.
func appendPoints(b []byte, c int64) []byte {
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	b = strconv.AppendInt(b, c/100, 10)
	if f := c % 100; f != 0 {
		b = append(b, '.', byte('0'+f/10))
		if f%10 != 0 {
			b = append(b, byte('0'+f%10))
		}
	}
	return b
}
