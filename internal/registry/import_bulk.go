package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

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
// repeats are caught by the reader), rows are numbered from the held ID
// counters, and indexes are built at the end. One goroutine encodes the
// next batch while this one loads the last, so the client's work and the
// database's overlap. If anything fails, the register is left empty as it
// was. It returns errNotEmpty, having consumed nothing, when the register
// holds data.
func (r *Registry) bulkLoad(ctx context.Context, batches <-chan []*importFamily, o ImportOptions, rep *reportWriter,
	counts *batchCounts, written *int64, progress func()) error {
	started := false
	err := r.DB.WriteOnce(ctx, func(tx *store.Tx) error {
		pg := tx.Engine() == store.Postgres
		if pg {
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
		if pg {
			// The index builds at the end sort in memory instead of in
			// temporary files (64 MB is the server's usual default).
			if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
				return err
			}
		}
		var ids bulkIDs
		var err error
		if ids.family, err = tx.HoldIDs(ctx, "family"); err != nil {
			return err
		}
		if ids.person, err = tx.HoldIDs(ctx, "person"); err != nil {
			return err
		}

		ectx, cancel := context.WithCancel(ctx)
		defer cancel()
		parts := make(chan *bulkPart, 2)
		free := make(chan *bulkPart, 2) // a loaded part, whose buffers are used again
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(parts)
			for batch := range batches {
				var p *bulkPart
				select {
				case p = <-free:
				default:
					p = &bulkPart{}
				}
				r.encodeBulk(ectx, pg, p, batch, o, &ids)
				select {
				case parts <- p:
				case <-ectx.Done():
					return
				}
			}
		}()
		var loadErr error
		for p := range parts {
			if loadErr != nil {
				continue // let the encoder stop
			}
			if loadErr = p.load(ctx, tx); loadErr != nil {
				loadErr = fmt.Errorf("registry: import batch at row %s: %w", p.first, loadErr)
				cancel()
				continue
			}
			counts.add(p.counts)
			*written += p.families
			progress()
			select {
			case free <- p:
			default:
			}
		}
		wg.Wait()
		if loadErr != nil {
			return loadErr
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := tx.SetNextID(ctx, "family", ids.family); err != nil {
			return err
		}
		if err := tx.SetNextID(ctx, "person", ids.person); err != nil {
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
		if pg {
			// Statistics now for the columns lookups and searches filter
			// on, so that the first queries plan well; autovacuum analyzes
			// the other columns soon after the load commits.
			_, err := tx.Exec(ctx, `ANALYZE family (kk, village_code, valid_to, status), person (nik, family_id, village_code, name_key, valid_to, status)`)
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

// bulkIDs are the next free family and person IDs of a bulk load.
type bulkIDs struct{ family, person int64 }

// bulkPart is one batch encoded for the engine: COPY text for PostgreSQL,
// row values for SQLite.
type bulkPart struct {
	first            Pos
	famText, perText store.CopyText
	famRows, perRows [][]any
	trail            []audit.Entry
	counts           batchCounts
	families         int64
}

// encodeBulk numbers and encodes a batch of new families and their members
// into p, whose buffers it reuses.
func (r *Registry) encodeBulk(ctx context.Context, pg bool, p *bulkPart, batch []*importFamily, o ImportOptions, ids *bulkIDs) {
	now := r.Now()
	change := Change{ValidFrom: now, ChangedBy: o.Actor, ChangeReason: o.Reason}
	p.first, p.families, p.counts = batch[0].pos[0], int64(len(batch)), batchCounts{}
	p.famText.Reset()
	p.perText.Reset()
	clear(p.famRows)
	clear(p.perRows)
	clear(p.trail)
	p.famRows, p.perRows, p.trail = p.famRows[:0], p.perRows[:0], p.trail[:0]
	for _, f := range batch {
		f.fam.ID, f.fam.Version, f.fam.Change = ids.family, 1, change
		ids.family++
		if pg {
			familyText(&p.famText, &f.fam, f.fhash)
		} else {
			p.famRows = append(p.famRows, familyValuesHash(&f.fam, f.fhash))
		}
		for j := range f.members {
			m := &f.members[j]
			m.ID, m.Version, m.FamilyID, m.VillageCode, m.Change = ids.person, 1, f.fam.ID, f.fam.VillageCode, change
			ids.person++
			h := f.phash[j]
			h.i(int(m.FamilyID))
			if pg {
				personText(&p.perText, m, f.keys[j], h.sum())
			} else {
				p.perRows = append(p.perRows, personValuesKey(m, f.keys[j], h.sum()))
			}
		}
		p.counts.famAdded++
		p.counts.pAdded += int64(len(f.members))
	}
	p.trail = append(p.trail, bulkEntry(ctx, o, batch, p.counts.pAdded, now))
}

// load writes an encoded batch and its audit entries within tx.
func (p *bulkPart) load(ctx context.Context, tx *store.Tx) error {
	if tx.Engine() == store.Postgres {
		if _, err := tx.CopyFromText(ctx, "family", familyCols, &p.famText); err != nil {
			return err
		}
		if _, err := tx.CopyFromText(ctx, "person", personCols, &p.perText); err != nil {
			return err
		}
	} else {
		if _, err := tx.CopyFrom(ctx, "family", familyCols, p.famRows); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, "person", personCols, p.perRows); err != nil {
			return err
		}
	}
	return audit.RecordMany(ctx, tx, p.trail)
}

// familyText encodes a family as familyValuesHash does, in familyCols order.
func familyText(c *store.CopyText, f *Family, hash int64) {
	c.Int(f.ID)
	c.Int(int64(f.Version))
	c.Int(store.Micros(f.ValidFrom))
	if f.ValidTo == nil {
		c.Null()
	} else {
		c.Int(store.Micros(*f.ValidTo))
	}
	c.Str(f.KK)
	c.Str(f.VillageCode)
	c.Str(f.Address)
	c.Str(f.RT)
	c.Str(f.RW)
	for _, v := range []*float64{f.Latitude, f.Longitude} {
		if v == nil {
			c.Null()
		} else {
			c.Float(*v)
		}
	}
	for _, v := range [...]string{f.FloorMaterial, f.WallMaterial, f.RoofMaterial, f.WaterSource, f.Sanitation,
		f.Electricity, f.CookingFuel, f.HouseOwnership, f.LandOwnership} {
		c.Str(v)
	}
	if f.FloorArea == nil {
		c.Null()
	} else {
		c.Int(int64(*f.FloorArea))
	}
	c.Str(strings.Join(f.Assets, "|"))
	for _, v := range [...]int{f.Cattle, f.Buffalo, f.Goats, f.Pigs, f.Horses, f.Poultry} {
		c.Int(int64(v))
	}
	c.Str(f.Status)
	c.Str(f.StatusReason)
	c.Int(hash)
	c.Str(f.ChangedBy)
	c.Str(f.ChangeReason)
	c.End(len(familyCols))
}

// personText encodes a person as personValuesKey does, in personCols order.
func personText(c *store.CopyText, p *Person, nameKey string, hash int64) {
	c.Int(p.ID)
	c.Int(int64(p.Version))
	c.Int(store.Micros(p.ValidFrom))
	if p.ValidTo == nil {
		c.Null()
	} else {
		c.Int(store.Micros(*p.ValidTo))
	}
	c.Int(p.FamilyID)
	c.Str(p.VillageCode)
	c.Str(p.NIK)
	c.Str(p.Name)
	c.Str(nameKey)
	for _, v := range [...]string{p.Sex, p.BirthPlace, p.BirthDate, p.Relation, p.MaritalStatus, p.MotherName,
		p.Education, p.SchoolLevel, p.SchoolID, p.Occupation, p.Disability, p.DisabilitySeverity} {
		c.Str(v)
	}
	c.Bool(p.Pregnant)
	c.Str(strings.Join(p.PPKS, "|"))
	c.Str(p.Status)
	c.Str(p.StatusReason)
	c.Int(hash)
	c.Str(p.ChangedBy)
	c.Str(p.ChangeReason)
	c.End(len(personCols))
}
