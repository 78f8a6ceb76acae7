package proposal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// Job kinds of proposals.
const (
	ApplyJob jobs.Kind = "usulan.terapkan"     // apply ratified items to the register
	LapseJob jobs.Kind = "sanggah.kedaluwarsa" // lapse objections past their deadline
)

// ApplyArgs and LapseArgs are the jobs' arguments (none).
type (
	ApplyArgs struct{}
	LapseArgs struct{}
)

// ApplyLimit bounds one ApplyRatified call.
const ApplyLimit = 100000

// RegisterJobs registers the proposal jobs with a runner and keeps it for
// scheduling.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	s.Jobs = r
	jobs.Register(r, ApplyJob, func(ctx context.Context, j *jobs.Job, _ ApplyArgs) error {
		n, err := s.ApplyRatified(ctx, ApplyLimit)
		j.Progress(int64(n), int64(n), "diterapkan ke register")
		return err
	})
	jobs.Register(r, LapseJob, func(ctx context.Context, j *jobs.Job, _ LapseArgs) error {
		n, err := s.LapseDue(ctx)
		j.Progress(n, n, "sanggahan kedaluwarsa")
		return err
	})
}

// ApplyRatified applies ratified items not yet applied to the register,
// in the caller's region, oldest first, at most limit: each item in one
// transaction with its registry changes (new versions with who, when and
// why) and its audit entries. An item the register refuses (a NIK that
// was registered meanwhile) keeps the reason in apply_error and is not
// tried again. It returns the number applied.
func (s *Service) ApplyRatified(ctx context.Context, limit int) (int, error) {
	cond, args := scopeCond("village_code", authz.Scope(ctx), 1)
	rows, err := s.DB.Query(ctx, `SELECT id FROM proposal WHERE status = 'disahkan' AND applied_at IS NULL AND apply_error = ''`+cond+
		fmt.Sprintf(` ORDER BY id LIMIT %d`, limit), args...)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	done := 0
	for _, id := range ids {
		err := s.applyOne(ctx, id)
		if err == nil {
			done++
			continue
		}
		if !errors.Is(err, errs.ErrInvalid) && !errors.Is(err, errs.ErrNotFound) && !errors.Is(err, errs.ErrConflict) {
			return done, err
		}
		msg := err.Error()
		if werr := s.DB.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE proposal SET apply_error = $2 WHERE id = $1`, id, msg); err != nil {
				return err
			}
			var village string
			if err := tx.QueryRow(ctx, `SELECT village_code FROM proposal WHERE id = $1`, id).Scan(&village); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Entry{Action: ActApply, ObjectType: ObjProposal, ObjectID: id, Region: village,
				After: map[string]any{"gagal": audit.MaskDigits(msg)}})
		}); werr != nil {
			return done, werr
		}
	}
	return done, nil
}

func (s *Service) applyOne(ctx context.Context, id int64) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		it, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemCols+` FROM proposal WHERE id = $1`, id))
		if err != nil {
			return err
		}
		if it.Status != Ratified || it.AppliedAt != nil {
			return nil
		}
		pl, err := it.DecodePayload()
		if err != nil {
			return err
		}
		actor := it.RatifiedBy
		if p, ok := authz.From(ctx); ok && p.Username != "" {
			actor = p.Username
		}
		e := registry.Edit{Actor: actor, Reason: fmt.Sprintf("usulan nomor %d (%s) disahkan oleh %s", it.ID, it.Kind.Label(), it.RatifiedBy)}
		reg := s.Registry.InTx(tx)
		now := s.now()
		familyID := it.FamilyID
		switch it.Kind {
		case UsulRegister:
			if pl.Family == nil {
				return invalid("keluarga", "usulan tanpa data keluarga")
			}
			f := *pl.Family
			if err := s.answersInto(ctx, tx, it.ID, &f); err != nil {
				return err
			}
			nf, _, err := reg.CreateFamily(ctx, e, f, pl.Members)
			if err != nil {
				return err
			}
			familyID = nf.ID
		case UsulProgram, Resign:
			req := "masuk"
			if it.Kind == Resign {
				req = "mundur"
			}
			if _, err := tx.Exec(ctx, `INSERT INTO program_request (proposal_id, family_id, program, request, effective_from) VALUES ($1, $2, $3, $4, $5)`,
				it.ID, it.FamilyID, it.Program, req, store.Micros(now)); err != nil {
				return err
			}
		case Birth:
			if pl.Member == nil {
				return invalid("anggota_baru", "usulan tanpa data anak")
			}
			if _, err := reg.AddMember(ctx, e, it.FamilyID, *pl.Member); err != nil {
				return err
			}
		case Death, Move, Correction, NewKK:
			if err := s.applyChange(ctx, tx, reg, e, it, pl); err != nil {
				return err
			}
		default:
			return invalid("jenis", "jenis ini tidak diterapkan ke register")
		}
		if _, err := tx.Exec(ctx, `UPDATE proposal SET applied_at = $2, family_id = $3 WHERE id = $1`, it.ID, store.Micros(now), nullID(familyID)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: ActApply, ObjectType: ObjProposal, ObjectID: it.ID, Region: it.VillageCode,
			After: map[string]any{"status": "diterapkan", "keluarga": familyID}})
	})
}

func (s *Service) applyChange(ctx context.Context, tx *store.Tx, reg *registry.Registry, e registry.Edit, it Item, pl Payload) error {
	if it.PersonID != 0 {
		var version int
		if err := tx.QueryRow(ctx, `SELECT version FROM person WHERE id = $1 AND valid_to IS NULL`, it.PersonID).Scan(&version); err != nil {
			if store.IsNoRows(err) {
				return errs.NotFound("orang %d", it.PersonID)
			}
			return err
		}
		switch {
		case it.Kind == Death:
			_, err := reg.SetPersonStatus(ctx, e, it.PersonID, version, "meninggal", it.Reason)
			return err
		case it.Kind == Move:
			_, err := reg.SetPersonStatus(ctx, e, it.PersonID, version, "pindah", it.Reason)
			return err
		default:
			p, err := reg.GetPerson(ctx, it.PersonID, time.Time{})
			if err != nil {
				return err
			}
			if err := setPerson(&p, pl.Change); err != nil {
				return err
			}
			_, err = reg.UpdatePerson(ctx, e, it.PersonID, version, p)
			return err
		}
	}
	f, _, err := reg.GetFamily(ctx, it.FamilyID, time.Time{})
	if err != nil {
		return err
	}
	setFamily(&f, pl.Change)
	_, err = reg.UpdateFamily(ctx, e, it.FamilyID, f.Version, f)
	return err
}
