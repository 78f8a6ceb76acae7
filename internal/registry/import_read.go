package registry

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
)

// Reading runs in three stages, so that the parsing and checking, most of
// an import's work in the client, use every core:
//
//  1. split (one goroutine): read rows and group them into families by KK;
//  2. parse (one goroutine per core): build and check each family;
//  3. collect (one goroutine): in file order, write the report, catch
//     numbers repeated across families, and hand good families to the
//     writer in batches.
//
// Chunks of families carry a sequence number through stage 2, and stage 3
// puts them back in order, so the result does not depend on scheduling.

// chunkFamilies is the number of families handed to a parser at once.
const chunkFamilies = 500

// note is one line of the error report.
type note struct {
	pos Pos
	e   errs.FieldError
}

// rawRow is a row as read, for a parser.
type rawRow struct {
	cells []string
	pos   Pos
	bad   bool // the reader reported a problem in it; it still belongs to its family
}

// rawFamily is the rows of one family as read.
type rawFamily struct {
	rows  []rawRow
	notes []note // the reader's problems, reported before the family's own
	cut   bool   // the file stopped being readable inside this family
}

// readChunk is a run of families in file order.
type readChunk struct {
	seq  int
	raw  []rawFamily
	fams []*importFamily // raw, parsed
	tail []note          // the reader's problems after the last family
}

// readFamilies reads src and sends checked, good families to out in
// batches of o.BatchFamilies, in file order.
func (r *Registry) readFamilies(ctx context.Context, src RowReader, h *Header, c *Checker, o ImportOptions,
	rep *reportWriter, read *readCounts, out chan<- []*importFamily) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := min(max(runtime.GOMAXPROCS(0), 1), 4)
	raw := make(chan *readChunk, workers)
	parsed := make(chan *readChunk, workers)

	var splitErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(raw)
		// On an error the families read before it still go through, as
		// a file that ends there would.
		splitErr = splitFamilies(ctx, src, h, o, read, raw)
	}()
	var pwg sync.WaitGroup
	for i := 0; i < workers; i++ {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			for ch := range raw {
				ch.fams = make([]*importFamily, len(ch.raw))
				for i := range ch.raw {
					ch.fams[i] = parseFamily(h, c, &ch.raw[i])
				}
				ch.raw = nil
				select {
				case parsed <- ch:
				case <-ctx.Done():
				}
			}
		}()
	}
	go func() { pwg.Wait(); close(parsed) }()

	collectErr := collectFamilies(ctx, o, rep, read, parsed, out)
	if collectErr != nil {
		cancel()
	}
	for range parsed { // let the parsers finish
	}
	wg.Wait()
	if splitErr != nil && !errors.Is(splitErr, context.Canceled) {
		return splitErr
	}
	if collectErr != nil {
		return collectErr
	}
	return splitErr
}

// splitFamilies is stage 1: it reads rows and groups consecutive rows with
// the same KK into families.
func splitFamilies(ctx context.Context, src RowReader, h *Header, o ImportOptions, read *readCounts, out chan<- *readChunk) error {
	ch := &readChunk{}
	var cur *rawFamily
	var curKK string
	var pending []note // reader problems seen outside any family
	lastProgress := time.Now()
	send := func() error {
		select {
		case out <- ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		ch = &readChunk{seq: ch.seq + 1}
		return nil
	}
	finish := func() error {
		if cur == nil {
			return nil
		}
		ch.raw = append(ch.raw, *cur)
		cur = nil
		if len(ch.raw) >= chunkFamilies {
			return send()
		}
		return nil
	}
	// Rows are copied into blocks: one allocation per many rows.
	var block []string
	keep := func(row []string) []string {
		if len(block) < len(row) {
			block = make([]string, max(len(row)*256, 4096))
		}
		kept := block[:len(row):len(row)]
		block = block[len(row):]
		copy(kept, row)
		return kept
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
			n := note{re.Pos, errs.FieldError{Field: re.Column, Reason: re.Reason}}
			if cur != nil {
				cur.notes = append(cur.notes, n)
			} else {
				pending = append(pending, n)
			}
			if re.Fatal {
				read.stopped = re.Error()
				// The family being read may be incomplete: it is not written.
				if cur != nil {
					cur.cut = true
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
		if cur == nil || kk != curKK {
			if err := finish(); err != nil {
				return err
			}
			cur = &rawFamily{notes: pending}
			pending = nil
			curKK = kk
		}
		cur.rows = append(cur.rows, rawRow{cells: keep(row), pos: pos, bad: rowBad})
		if o.Progress != nil && read.rows.Load()%10000 == 0 && time.Since(lastProgress) > 200*time.Millisecond {
			lastProgress = time.Now()
			done, total := src.Progress()
			o.Progress(ImportProgress{Rows: read.rows.Load(), Families: read.families.Load(), Bytes: done, Total: total})
		}
	}
	if err := finish(); err != nil {
		return err
	}
	ch.tail = pending
	if len(ch.raw) > 0 || len(ch.tail) > 0 {
		return send()
	}
	return nil
}

// parseFamily is stage 2 for one family: it builds the family and its
// members from the rows and runs every check that needs only the family.
func parseFamily(h *Header, c *Checker, rf *rawFamily) *importFamily {
	first := rf.rows[0]
	f := &importFamily{notes: rf.notes}
	fam, fe := h.FamilyFromRow(first.cells)
	f.fam = fam
	f.pos = make([]Pos, 1, len(rf.rows)+1)
	f.pos[0] = first.pos
	f.members = make([]Person, 0, len(rf.rows))
	for _, e := range fe {
		f.note(first.pos, e)
		f.bad = true
	}
	if h.KK(first.cells) == "" {
		f.note(first.pos, errs.FieldError{Field: "no_kk", Reason: "No. KK wajib diisi"})
		f.bad = true
	}
	for i, rr := range rf.rows {
		if i > 0 && h.HasFamilyValues(rr.cells) {
			// Family columns after the first row must be empty or equal.
			for col := colVillage; col < FamilyColumnCount; col++ {
				if v := h.get(rr.cells, col); v != "" && v != h.get(first.cells, col) {
					f.note(rr.pos, errs.FieldError{Field: Columns[col], Value: v,
						Reason: "berbeda dengan baris pertama keluarga ini (baris " + first.pos.String() + "); kosongkan atau samakan"})
					f.bad = true
				}
			}
		}
		if rr.bad {
			// Already reported; its cells are not worth checking one by one.
			f.bad = true
			continue
		}
		p, fe := h.PersonFromRow(rr.cells)
		for _, e := range fe {
			f.note(rr.pos, e)
			f.bad = true
		}
		f.members = append(f.members, p)
		f.pos = append(f.pos, rr.pos)
	}
	if rf.cut {
		f.note(f.pos[0], errs.FieldError{Field: "no_kk", Value: f.fam.KK, Reason: "keluarga tidak diimpor karena berkas berhenti terbaca"})
		f.bad, f.cut = true, true
		return f
	}
	checkFamily(f, c)
	if !f.bad {
		f.fhash = f.fam.Hash()
		f.keys = make([]string, len(f.members))
		f.phash = make([]hasher, len(f.members))
		for i := range f.members {
			p := &f.members[i]
			// A bulk load writes the family's village on every member.
			p.VillageCode = f.fam.VillageCode
			f.keys[i] = NameKey(p.Name)
			f.phash[i] = p.hashBody()
		}
	}
	return f
}

// checkFamily validates a family and its members on their own. Warnings
// are reported and do not reject.
func checkFamily(f *importFamily, c *Checker) {
	for _, e := range c.CheckFamily(&f.fam) {
		f.note(f.pos[0], e)
		f.bad = f.bad || !e.Warning
	}
	if !authz.Contains(c.Scope, f.fam.VillageCode) {
		f.note(f.pos[0], errs.FieldError{Field: "kode_wilayah", Value: f.fam.VillageCode, Reason: "wilayah di luar wewenang Anda"})
		f.bad = true
	}
	famErrs, memberErrs := CheckFamilyMembers(f.members)
	for _, e := range famErrs {
		f.note(f.pos[0], e)
		f.bad = true
	}
	for i := range f.members {
		p := &f.members[i]
		pos := f.pos[i+1]
		for _, e := range append(c.CheckPerson(p), memberErrs[i]...) {
			f.note(pos, e)
			f.bad = f.bad || !e.Warning
		}
	}
}

// collectFamilies is stage 3: it takes parsed chunks back into file order,
// reports, checks repeats across families and batches the good ones.
func collectFamilies(ctx context.Context, o ImportOptions, rep *reportWriter, read *readCounts,
	in <-chan *readChunk, out chan<- []*importFamily) error {
	seenKK, seenNIK := seenSet{}, seenSet{}
	waiting := map[int]*readChunk{}
	next := 0
	batch := make([]*importFamily, 0, o.BatchFamilies)
	send := func() error {
		select {
		case out <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		batch = make([]*importFamily, 0, o.BatchFamilies)
		return nil
	}
	for ch := range in {
		waiting[ch.seq] = ch
		for {
			ch, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			next++
			for _, f := range ch.fams {
				if !f.cut {
					checkRepeats(f, seenKK, seenNIK)
				}
				for _, n := range f.notes {
					rep.add(n.pos, n.e)
				}
				f.notes = nil
				read.families.Add(1)
				if f.bad {
					read.rejected.Add(1)
					continue
				}
				batch = append(batch, f)
				if len(batch) >= o.BatchFamilies {
					if err := send(); err != nil {
						return err
					}
				}
			}
			for _, n := range ch.tail {
				rep.add(n.pos, n.e)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(waiting) > 0 {
		return errors.New("registry: import lost part of the file") // a parser stopped early
	}
	if len(batch) > 0 {
		return send()
	}
	return nil
}

// checkRepeats catches a KK or NIK the file used before, in file order.
func checkRepeats(f *importFamily, seenKK, seenNIK seenSet) {
	if f.fam.KK != "" {
		k := seenKK.key(f.fam.KK)
		if prev, ok := seenKK[k]; ok {
			f.note(f.pos[0], errs.FieldError{Field: "no_kk", Value: f.fam.KK,
				Reason: "No. KK ini sudah muncul di baris " + strconv.Itoa(int(prev)) + "; baris satu keluarga harus berurutan"})
			f.bad = true
		} else if len(seenKK) < maxSeen {
			seenKK[k] = int32(f.pos[0].Row)
		}
	}
	// Recorded only for good families, so that a rejected family does not
	// block its corrected copy.
	if f.bad {
		return
	}
	for i := range f.members {
		k := seenNIK.key(f.members[i].NIK)
		if prev, ok := seenNIK[k]; ok {
			f.note(f.pos[i+1], errs.FieldError{Field: "nik", Value: f.members[i].NIK,
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
