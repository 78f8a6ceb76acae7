package registry

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/store"
)

// ImportOptions control an import.
type ImportOptions struct {
	Actor  string // who imports; kept with every version written
	Reason string // why; kept with every version written
	// AllowMove lets a NIK registered in another family move to the family
	// of the file; without it such a family is rejected.
	AllowMove bool
	// BatchFamilies is the number of families written per transaction.
	BatchFamilies int
	// Report receives the error report as CSV (row,column,value,reason); may be nil.
	Report io.Writer
	// Progress is called now and then from another goroutine; may be nil.
	Progress func(ImportProgress)
}

// ImportProgress is a snapshot of a running import.
type ImportProgress struct {
	Rows, Families  int64 // read so far
	Bytes, Total    int64 // input consumed and its size
	FamiliesWritten int64
}

// ImportResult counts what an import did.
type ImportResult struct {
	Rows              int64 `json:"baris"`
	Families          int64 `json:"keluarga"`
	FamiliesAdded     int64 `json:"keluarga_baru"`
	FamiliesChanged   int64 `json:"keluarga_berubah"`
	FamiliesUnchanged int64 `json:"keluarga_tetap"`
	FamiliesRejected  int64 `json:"keluarga_ditolak"`
	PeopleAdded       int64 `json:"jiwa_baru"`
	PeopleChanged     int64 `json:"jiwa_berubah"`
	PeopleUnchanged   int64 `json:"jiwa_tetap"`
	Errors            int64 `json:"galat"`
	Warnings          int64 `json:"peringatan"`
	// Stopped is set when the file could not be read to its end.
	Stopped string `json:"berhenti,omitempty"`
}

// importFamily is one family of the input, parsed and checked.
type importFamily struct {
	fam     Family
	members []Person
	pos     []Pos // pos[0] is the family's first row; pos[i+1] the row of members[i]
	bad     bool
	cut     bool   // the file stopped being readable inside this family
	notes   []note // its lines of the error report, until reported
	// Computed by the parser for a good family, for a bulk load: the
	// family's hash, and each member's name key and hash but for the family ID.
	fhash int64
	keys  []string
	phash []hasher
}

func (f *importFamily) note(pos Pos, e errs.FieldError) { f.notes = append(f.notes, note{pos, e}) }

// reportWriter writes the error report; both import goroutines use it.
type reportWriter struct {
	mu       sync.Mutex
	w        *csv.Writer
	errors   int64
	warnings int64
}

func newReportWriter(w io.Writer) *reportWriter {
	r := &reportWriter{}
	if w != nil {
		r.w = csv.NewWriter(w)
		r.w.Write([]string{"row", "column", "value", "reason"})
	}
	return r
}

func (r *reportWriter) add(pos Pos, e errs.FieldError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	reason := e.Reason
	if e.Warning {
		r.warnings++
		reason = "peringatan: " + reason
	} else {
		r.errors++
	}
	if r.w != nil {
		value := e.Value
		if e.Field == "nik" || e.Field == "no_kk" {
			value = nik.Mask(value)
		}
		r.w.Write([]string{pos.String(), e.Field, value, reason})
	}
}

func (r *reportWriter) flush() error {
	if r.w == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.w.Flush()
	return r.w.Error()
}

// Import reads families from src and writes them to the register: new ones
// added, changed ones versioned, unchanged ones left alone. A family with
// any error is not written at all; errors go to the report. It streams:
// memory does not grow with the file, except for two small sets of the
// NIKs and KK numbers seen (to find repeats within the file).
func (r *Registry) Import(ctx context.Context, src RowReader, o ImportOptions) (ImportResult, error) {
	var res ImportResult
	if o.Actor == "" {
		return res, errors.New("registry: import without actor")
	}
	if o.Reason == "" {
		o.Reason = "impor berkas"
	}
	if o.BatchFamilies <= 0 {
		o.BatchFamilies = 2000
	}
	rep := newReportWriter(o.Report)
	header, hfe := ParseHeader(src.Header())
	if err := errs.Fields(hfe); err != nil {
		for _, e := range hfe {
			rep.add(Pos{Row: 1}, e)
		}
		rep.flush()
		return res, fmt.Errorf("judul kolom: %w", err)
	}
	checker, err := r.loadChecker(ctx)
	if err != nil {
		return res, err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []*importFamily, 4)
	var read readCounts
	var readErr error
	var readWG sync.WaitGroup
	readWG.Add(1)
	go func() {
		defer readWG.Done()
		defer close(batches)
		readErr = r.readFamilies(ctx, src, header, checker, o, rep, &read, batches)
	}()

	var written int64
	progress := func() {
		if o.Progress != nil {
			done, total := src.Progress()
			o.Progress(ImportProgress{Rows: read.rows.Load(), Families: read.families.Load(), Bytes: done, Total: total, FamiliesWritten: written})
		}
	}
	var counts batchCounts
	writeErr := r.bulkLoad(ctx, batches, o, rep, &counts, &written, progress)
	if errors.Is(writeErr, errNotEmpty) {
		writeErr = nil
		for batch := range batches {
			if writeErr != nil {
				continue // drain so the reader can finish
			}
			var c batchCounts
			err := r.DB.Write(ctx, func(tx *store.Tx) error {
				var err error
				c, err = r.writeBatch(ctx, tx, batch, o, rep, true)
				return err
			})
			if err != nil {
				writeErr = fmt.Errorf("registry: import batch at row %s: %w", batch[0].pos[0], err)
				cancel()
				continue
			}
			counts.add(c)
			written += int64(len(batch))
			progress()
		}
	} else if writeErr != nil {
		cancel()
		for range batches {
		}
	}
	readWG.Wait()
	res.Rows, res.Families = read.rows.Load(), read.families.Load()
	res.FamiliesAdded, res.FamiliesChanged, res.FamiliesUnchanged = counts.famAdded, counts.famChanged, counts.famUnchanged
	res.FamiliesRejected = read.rejected.Load() + counts.famRejected
	res.PeopleAdded, res.PeopleChanged, res.PeopleUnchanged = counts.pAdded, counts.pChanged, counts.pUnchanged
	res.Stopped = read.stopped
	res.Errors, res.Warnings = rep.errors, rep.warnings
	if err := rep.flush(); err != nil && writeErr == nil {
		writeErr = fmt.Errorf("registry: write error report: %w", err)
	}
	if writeErr != nil {
		return res, writeErr
	}
	if readErr != nil && !errors.Is(readErr, context.Canceled) {
		return res, readErr
	}
	return res, ctx.Err()
}

// readCounts are the reader's counters, read by the writer for progress.
type readCounts struct {
	rows, families, rejected atomic.Int64
	stopped                  string // set before the reader ends
}

// batchCounts are what a batch did.
type batchCounts struct {
	famAdded, famChanged, famUnchanged, famRejected int64
	pAdded, pChanged, pUnchanged                    int64
}

func (c *batchCounts) add(o batchCounts) {
	c.famAdded += o.famAdded
	c.famChanged += o.famChanged
	c.famUnchanged += o.famUnchanged
	c.famRejected += o.famRejected
	c.pAdded += o.pAdded
	c.pChanged += o.pChanged
	c.pUnchanged += o.pUnchanged
}

var errNotEmpty = errors.New("register not empty")

// loadChecker loads the region codes once for the whole import.
func (r *Registry) loadChecker(ctx context.Context) (*Checker, error) {
	villages := map[string]struct{}{}
	districts := map[string]struct{}{}
	rows, err := r.DB.Query(ctx, `SELECT code, level, active FROM regions WHERE level IN (3, 4)`)
	if err != nil {
		return nil, fmt.Errorf("registry: load regions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var level int
		var active bool
		if err := rows.Scan(&code, &level, &active); err != nil {
			return nil, err
		}
		if level == 3 {
			districts[code] = struct{}{}
		} else if active {
			villages[code] = struct{}{}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c := &Checker{Now: r.Now(), Scope: authz.Scope(ctx)}
	c.VillageKnown = func(code string) bool { _, ok := villages[code]; return ok }
	if len(districts) > 0 {
		c.DistrictKnown = func(code string) bool { _, ok := districts[code]; return ok }
	}
	return c, nil
}

// seenSet remembers 16-digit numbers (NIK, KK) seen in the file with their
// row, compactly; non-numeric values are hashed.
type seenSet map[uint64]int32

func (s seenSet) key(v string) uint64 {
	if n, err := strconv.ParseUint(v, 10, 64); err == nil && len(v) <= 19 {
		return n
	}
	h := fnv.New64a()
	h.Write([]byte(v))
	return h.Sum64() | 1<<63
}

// maxSeen bounds the in-file repeat detection; past it, repeats are still
// caught by the register's own uniqueness, with a less specific message.
const maxSeen = 20_000_000

type currentRow struct {
	village      string
	id, familyID int64
	version      int
	hash         int64
	status       string
	statusReason string
}

// writeBatch writes one batch of checked families within tx. With lookup
// false the register is known to hold none of them.
func (r *Registry) writeBatch(ctx context.Context, tx *store.Tx, batch []*importFamily, o ImportOptions, rep *reportWriter, lookup bool) (batchCounts, error) {
	var added, changed, unchanged, rejected, pAdded, pChanged, pUnchanged int64
	err := func() error {
		now := r.Now()
		kks := make([]string, len(batch))
		var niks []string
		for i, f := range batch {
			kks[i] = f.fam.KK
			for j := range f.members {
				niks = append(niks, f.members[j].NIK)
			}
		}
		curFam, curPerson := map[string]currentRow{}, map[string]currentRow{}
		if lookup {
			var err error
			curFam, err = currentByKey(ctx, tx, `SELECT village_code, id, 0, version, row_hash, status, status_reason, kk FROM family WHERE valid_to IS NULL AND %s`, "kk", kks)
			if err != nil {
				return err
			}
			curPerson, err = currentByKey(ctx, tx, `SELECT village_code, id, family_id, version, row_hash, status, status_reason, nik FROM person WHERE valid_to IS NULL AND %s`, "nik", niks)
			if err != nil {
				return err
			}
		}

		var famRows, personRows [][]any
		var closeFam, closePerson []int64
		var needFamIDs, needPersonIDs int64
		type pending struct {
			f      *importFamily
			exists bool
			write  bool
			pnew   []bool // per member: new person
			pwrite []bool // per member: write a version
		}
		plans := make([]pending, 0, len(batch))
		for _, f := range batch {
			pl := pending{f: f, pnew: make([]bool, len(f.members)), pwrite: make([]bool, len(f.members))}
			cf, exists := curFam[f.fam.KK]
			pl.exists = exists
			if exists && !authz.Contains(authz.Scope(ctx), cf.village) {
				// The KK is registered in a village the importer may not change.
				rep.add(f.pos[0], errs.FieldError{Field: "no_kk", Value: f.fam.KK, Reason: "No. KK sudah terdaftar di wilayah lain"})
				rejected++
				continue
			}
			if exists {
				f.fam.ID = cf.id
				f.fam.Status, f.fam.StatusReason = cf.status, cf.statusReason
				pl.write = f.fam.Hash() != cf.hash
			} else {
				pl.write = true
				needFamIDs++
			}
			ok := true
			for j := range f.members {
				p := &f.members[j]
				cp, known := curPerson[p.NIK]
				if !known {
					pl.pnew[j], pl.pwrite[j] = true, true
					needPersonIDs++
					continue
				}
				if !exists || cp.familyID != cf.id {
					if !o.AllowMove || !authz.Contains(authz.Scope(ctx), cp.village) {
						rep.add(f.pos[j+1], errs.FieldError{Field: "nik", Value: p.NIK,
							Reason: "NIK sudah terdaftar di keluarga lain; impor dengan --allow-move bila orang ini pindah KK"})
						ok = false
						continue
					}
				}
				p.ID = cp.id
			}
			if !ok {
				rejected++
				continue
			}
			plans = append(plans, pl)
		}
		var nextFam, nextPerson int64
		var err error
		if needFamIDs > 0 {
			if nextFam, err = tx.ReserveIDs(ctx, "family", needFamIDs); err != nil {
				return err
			}
		}
		if needPersonIDs > 0 {
			if nextPerson, err = tx.ReserveIDs(ctx, "person", needPersonIDs); err != nil {
				return err
			}
		}
		change := Change{ValidFrom: now, ChangedBy: o.Actor, ChangeReason: o.Reason}
		trail := make([]audit.Entry, 0, len(plans))
		for i := range plans {
			pl := &plans[i]
			f := pl.f
			famState := "tetap"
			var famAdded, famChanged int
			if !pl.exists {
				famState = "baru"
				f.fam.ID, f.fam.Version = nextFam, 1
				nextFam++
				added++
			} else if pl.write {
				famState = "berubah"
				f.fam.Version = curFam[f.fam.KK].version + 1
				closeFam = append(closeFam, f.fam.ID)
				changed++
			} else {
				f.fam.Version = curFam[f.fam.KK].version
				unchanged++
			}
			if pl.write {
				f.fam.Change = change
				famRows = append(famRows, familyValues(&f.fam))
			}
			for j := range f.members {
				p := &f.members[j]
				p.FamilyID, p.VillageCode = f.fam.ID, f.fam.VillageCode
				h := f.phash[j] // the parser's hash of the member, but for the family ID
				h.i(int(p.FamilyID))
				hash := h.sum()
				if pl.pnew[j] {
					p.ID, p.Version = nextPerson, 1
					nextPerson++
					pAdded++
					famAdded++
				} else {
					cp := curPerson[p.NIK]
					if hash == cp.hash {
						pUnchanged++
						continue
					}
					p.Version = cp.version + 1
					closePerson = append(closePerson, p.ID)
					pChanged++
					famChanged++
				}
				p.Change = change
				personRows = append(personRows, personValuesKey(p, f.keys[j], hash))
			}
			if pl.write || famAdded+famChanged > 0 {
				trail = append(trail, importEntry(ctx, o, &f.fam, famState, famAdded, famChanged, now))
			}
		}
		if err := closeVersions(ctx, tx, "family", closeFam, now); err != nil {
			return err
		}
		if err := closeVersions(ctx, tx, "person", closePerson, now); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, "family", familyCols, famRows); err != nil {
			return err
		}
		if _, err = tx.CopyFrom(ctx, "person", personCols, personRows); err != nil {
			return err
		}
		return audit.RecordMany(ctx, tx, trail)
	}()
	return batchCounts{famAdded: added, famChanged: changed, famUnchanged: unchanged, famRejected: rejected,
		pAdded: pAdded, pChanged: pChanged, pUnchanged: pUnchanged}, err
}

// currentByKey runs query, with "%s" standing for the condition on the key
// column, over keys in chunks and maps the last selected column (kk or nik)
// to the row.
func currentByKey(ctx context.Context, tx *store.Tx, query, column string, keys []string) (map[string]currentRow, error) {
	out := make(map[string]currentRow, len(keys))
	const chunk = 5000
	for start := 0; start < len(keys); start += chunk {
		end := min(start+chunk, len(keys))
		cond, args := tx.Engine().InText(column, 1, keys[start:end])
		rows, err := tx.Query(ctx, fmt.Sprintf(query, cond), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c currentRow
			var key string
			if err := rows.Scan(&c.village, &c.id, &c.familyID, &c.version, &c.hash, &c.status, &c.statusReason, &key); err != nil {
				rows.Close()
				return nil, err
			}
			out[key] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// closeVersions ends the current versions of the given IDs.
func closeVersions(ctx context.Context, tx *store.Tx, table string, ids []int64, now time.Time) error {
	const chunk = 5000
	for start := 0; start < len(ids); start += chunk {
		end := min(start+chunk, len(ids))
		cond, args := tx.Engine().InInt64("id", 2, ids[start:end])
		res, err := tx.Exec(ctx, "UPDATE "+table+" SET valid_to = $1 WHERE valid_to IS NULL AND "+cond, append([]any{store.Micros(now)}, args...)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != int64(end-start) {
			return errs.Conflict("%s berubah selama impor; ulangi impor", table)
		}
	}
	return nil
}
