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
	pos     []Pos // pos[0] is the family's first row; pos[i] the row of members[i]
	bad     bool
}

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
	batches := make(chan []*importFamily, 2)
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

// bulkIndexes are the secondary indexes of the register tables, as the
// migrations create them. A load into an empty register drops them and
// builds them once at the end: a sorted build is several times faster than
// keeping them up to date row by row.
var bulkIndexes = []struct{ name, create string }{
	{"family_current_kk", "CREATE UNIQUE INDEX family_current_kk ON family (kk) WHERE valid_to IS NULL"},
	{"family_current_village", "CREATE INDEX family_current_village ON family (village_code) WHERE valid_to IS NULL"},
	{"person_current_nik", "CREATE UNIQUE INDEX person_current_nik ON person (nik) WHERE valid_to IS NULL"},
	{"person_current_family", "CREATE INDEX person_current_family ON person (family_id) WHERE valid_to IS NULL"},
	{"person_current_village_name", "CREATE INDEX person_current_village_name ON person (village_code, name_key) WHERE valid_to IS NULL"},
}

// bulkLoad loads the whole file in one transaction when the register is
// empty: the tables are locked, no lookups are needed (the file's own
// repeats are caught by the reader), and indexes are built at the end. If
// anything fails, the register is left empty as it was. It returns
// errNotEmpty, having consumed nothing, when the register holds data.
func (r *Registry) bulkLoad(ctx context.Context, batches <-chan []*importFamily, o ImportOptions, rep *reportWriter,
	counts *batchCounts, written *int64, progress func()) error {
	started := false
	err := r.DB.WriteOnce(ctx, func(tx *store.Tx) error {
		if tx.Engine() == store.Postgres {
			if _, err := tx.Exec(ctx, `LOCK TABLE family, person IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
		}
		var any int
		if err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM family LIMIT 1) f) + (SELECT COUNT(*) FROM (SELECT 1 FROM person LIMIT 1) p)`).Scan(&any); err != nil {
			return err
		}
		if any > 0 {
			return errNotEmpty
		}
		started = true
		for _, ix := range bulkIndexes {
			if _, err := tx.Exec(ctx, "DROP INDEX "+ix.name); err != nil {
				return err
			}
		}
		for batch := range batches {
			c, err := r.writeBatch(ctx, tx, batch, o, rep, false)
			if err != nil {
				return fmt.Errorf("registry: import batch at row %s: %w", batch[0].pos[0], err)
			}
			counts.add(c)
			*written += int64(len(batch))
			progress()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, ix := range bulkIndexes {
			if _, err := tx.Exec(ctx, ix.create); err != nil {
				if store.IsUniqueViolation(err) {
					return errs.Conflict("NIK atau No. KK ganda dalam berkas (indeks %s)", ix.name)
				}
				return err
			}
		}
		if tx.Engine() == store.Postgres {
			_, err := tx.Exec(ctx, `ANALYZE family, person`)
			return err
		}
		return nil
	})
	if errors.Is(err, errNotEmpty) && started {
		return errors.New("registry: register changed during the empty check")
	}
	if err != nil && started {
		*counts = batchCounts{}
	}
	return err
}

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

func (r *Registry) readFamilies(ctx context.Context, src RowReader, h *Header, c *Checker, o ImportOptions,
	rep *reportWriter, read *readCounts, out chan<- []*importFamily) error {
	seenKK, seenNIK := seenSet{}, seenSet{}
	var cur *importFamily
	var first []string // the current family's first row
	batch := make([]*importFamily, 0, o.BatchFamilies)
	lastProgress := time.Now()

	finish := func() error {
		if cur == nil {
			return nil
		}
		f := cur
		cur = nil
		r.checkImportFamily(f, c, rep, seenKK, seenNIK)
		read.families.Add(1)
		if f.bad {
			read.rejected.Add(1)
			return nil
		}
		batch = append(batch, f)
		if len(batch) >= o.BatchFamilies {
			select {
			case out <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			batch = make([]*importFamily, 0, o.BatchFamilies)
		}
		return nil
	}

	for {
		row, pos, err := src.Next()
		if err == io.EOF {
			break
		}
		rowBad := false
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) {
				return err
			}
			rep.add(re.Pos, errs.FieldError{Field: re.Column, Reason: re.Reason})
			if re.Fatal {
				read.stopped = re.Error()
				// The family being read may be incomplete: do not write it.
				if cur != nil {
					rep.add(cur.pos[0], errs.FieldError{Field: "no_kk", Value: cur.fam.KK, Reason: "keluarga tidak diimpor karena berkas berhenti terbaca"})
					cur = nil
					read.families.Add(1)
					read.rejected.Add(1)
				}
				break
			}
			if row == nil {
				continue
			}
			// A row read with problems still belongs to its family, which
			// must then be rejected whole.
			rowBad = true
		}
		read.rows.Add(1)
		kk := h.KK(row)
		if cur == nil || kk != cur.fam.KK {
			if err := finish(); err != nil {
				return err
			}
			fam, fe := h.FamilyFromRow(row)
			cur = &importFamily{fam: fam, pos: []Pos{pos}}
			first = append(first[:0], row...)
			for _, e := range fe {
				rep.add(pos, e)
				cur.bad = true
			}
			if kk == "" {
				rep.add(pos, errs.FieldError{Field: "no_kk", Reason: "No. KK wajib diisi"})
				cur.bad = true
			}
		} else if h.HasFamilyValues(row) {
			// Family columns after the first row must be empty or equal.
			for col := colVillage; col < FamilyColumnCount; col++ {
				if v := h.get(row, col); v != "" && v != h.get(first, col) {
					rep.add(pos, errs.FieldError{Field: Columns[col], Value: v,
						Reason: "berbeda dengan baris pertama keluarga ini (baris " + cur.pos[0].String() + "); kosongkan atau samakan"})
					cur.bad = true
				}
			}
		}
		if rowBad {
			// Already reported; its cells are not worth checking one by one.
			cur.bad = true
			continue
		}
		p, fe := h.PersonFromRow(row)
		for _, e := range fe {
			rep.add(pos, e)
			cur.bad = true
		}
		cur.members = append(cur.members, p)
		cur.pos = append(cur.pos, pos)
		if o.Progress != nil && read.rows.Load()%10000 == 0 && time.Since(lastProgress) > 200*time.Millisecond {
			lastProgress = time.Now()
			done, total := src.Progress()
			o.Progress(ImportProgress{Rows: read.rows.Load(), Families: read.families.Load(), Bytes: done, Total: total})
		}
	}
	if err := finish(); err != nil {
		return err
	}
	if len(batch) > 0 {
		select {
		case out <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// checkImportFamily validates a family read from the file and marks it bad
// on any hard error. Warnings are reported and do not reject.
func (r *Registry) checkImportFamily(f *importFamily, c *Checker, rep *reportWriter, seenKK, seenNIK seenSet) {
	for _, e := range c.CheckFamily(&f.fam) {
		rep.add(f.pos[0], e)
		f.bad = f.bad || !e.Warning
	}
	if !authz.Contains(c.Scope, f.fam.VillageCode) {
		rep.add(f.pos[0], errs.FieldError{Field: "kode_wilayah", Value: f.fam.VillageCode, Reason: "wilayah di luar wewenang Anda"})
		f.bad = true
	}
	if f.fam.KK != "" {
		k := seenKK.key(f.fam.KK)
		if prev, ok := seenKK[k]; ok {
			rep.add(f.pos[0], errs.FieldError{Field: "no_kk", Value: f.fam.KK,
				Reason: "No. KK ini sudah muncul di baris " + strconv.Itoa(int(prev)) + "; baris satu keluarga harus berurutan"})
			f.bad = true
		} else if len(seenKK) < maxSeen {
			seenKK[k] = int32(f.pos[0].Row)
		}
	}
	famErrs, memberErrs := CheckFamilyMembers(f.members)
	for _, e := range famErrs {
		rep.add(f.pos[0], e)
		f.bad = true
	}
	for i := range f.members {
		p := &f.members[i]
		pos := f.pos[i+1]
		for _, e := range append(c.CheckPerson(p), memberErrs[i]...) {
			rep.add(pos, e)
			f.bad = f.bad || !e.Warning
		}
	}
	// Repeats across families of the file. Recorded only for good families,
	// so that a rejected family does not block its corrected copy.
	if f.bad {
		return
	}
	for i := range f.members {
		k := seenNIK.key(f.members[i].NIK)
		if prev, ok := seenNIK[k]; ok {
			rep.add(f.pos[i+1], errs.FieldError{Field: "nik", Value: f.members[i].NIK,
				Reason: "NIK yang sama sudah dipakai di baris " + strconv.Itoa(int(prev)) + " berkas ini"})
			f.bad = true
		}
	}
	if f.bad {
		return
	}
	for i := range f.members {
		if len(seenNIK) < maxSeen {
			seenNIK[seenNIK.key(f.members[i].NIK)] = int32(f.pos[i+1].Row)
		}
	}
}

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
				if pl.pnew[j] {
					p.ID, p.Version = nextPerson, 1
					nextPerson++
					pAdded++
					famAdded++
				} else {
					cp := curPerson[p.NIK]
					if p.Hash() == cp.hash {
						pUnchanged++
						continue
					}
					p.Version = cp.version + 1
					closePerson = append(closePerson, p.ID)
					pChanged++
					famChanged++
				}
				p.Change = change
				personRows = append(personRows, personValues(p))
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
