package proposal

import (
	"context"
	"fmt"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// DecideObjection decides sanggahan at the district (proposal.district):
// upheld opens a field verification of the family; rejected closes them.
// An objection past its deadline is refused (it lapses), as is one made
// by the actor; nothing changes then.
func (s *Service) DecideObjection(ctx context.Context, ids []int64, uphold bool, reason string) (Result, error) {
	p, err := actor(ctx, authz.ProposalDistrict)
	if err != nil {
		return Result{}, err
	}
	reason = clean(reason)
	if reason == "" {
		return Result{}, invalid("alasan", "alasan putusan sanggahan wajib diisi")
	}
	to := Rejected
	if uphold {
		to = Upheld
	}
	now := s.now()
	res := Result{Status: to}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		pick, n, err := s.pick(ctx, tx, Selection{IDs: ids}, Submitted, p.Region)
		if err != nil {
			return err
		}
		if n == 0 {
			return invalid("usulan", "tidak ada sanggahan yang dipilih")
		}
		lo, hi := p.Region, p.Region+"/"
		if p.Region == "" {
			hi = "~"
		}
		rows, err := tx.Query(ctx, `SELECT k.proposal_id, COALESCE(p.status, ''), COALESCE(p.kind, ''), COALESCE(p.village_code, ''),
			COALESCE(p.maker_user_id, 0), COALESCE(p.deadline, 0)
			FROM proposal_pick k LEFT JOIN proposal p ON p.id = k.proposal_id
			WHERE k.pick = $1 AND (p.id IS NULL OR p.village_code < $2 OR p.village_code >= $3 OR p.kind <> 'sanggah'
				OR p.status <> 'diajukan' OR p.maker_user_id = $4 OR p.deadline < $5)
			ORDER BY k.proposal_id LIMIT 20`, pick, lo, hi, p.UserID, store.Micros(now))
		if err != nil {
			return err
		}
		var fe []errs.FieldError
		for rows.Next() {
			var id, maker, deadline int64
			var status, kind, village string
			if err := rows.Scan(&id, &status, &kind, &village, &maker, &deadline); err != nil {
				rows.Close()
				return err
			}
			reason := ""
			switch {
			case status == "" || !authz.Contains(p.Region, village):
				reason = "sanggahan tidak ditemukan di wilayah Anda"
			case kind != string(Objection):
				reason = "bukan sanggahan"
			case Status(status) != Submitted:
				reason = fmt.Sprintf("berstatus %s: sudah tidak dapat diputuskan", Status(status).Label())
			case maker == p.UserID:
				reason = "tidak boleh diputuskan oleh pembuatnya"
			default:
				reason = fmt.Sprintf("kedaluwarsa: batas putusan %s sudah lewat (%d hari sejak diajukan)",
					store.FromMicros(deadline).Format("2006-01-02 15:04 UTC"), ObjectionDays)
			}
			fe = append(fe, errs.FieldError{Field: fmt.Sprintf("usulan[%d]", id), Reason: reason})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(fe) > 0 {
			return &errs.Invalid{Fields: fe}
		}
		if err := s.move(ctx, tx, pick, "status = $2, step_at = $3, district_by = $4, note = $5",
			[]any{pick, string(to), store.Micros(now), p.Username, reason}, "sanggah", to, p.Username, reason, now); err != nil {
			return err
		}
		if uphold {
			first, err := tx.ReserveIDs(ctx, "verivali", n)
			if err != nil {
				return err
			}
			// IDs follow the picked items' order: the first reserved plus the rank.
			if _, err := tx.Exec(ctx, `INSERT INTO verivali (id, proposal_id, family_id, village_code, status, opened_by, opened_at)
				SELECT $2 + (SELECT COUNT(*) FROM proposal_pick k2 WHERE k2.pick = $1 AND k2.proposal_id < k.proposal_id),
					p.id, p.family_id, p.village_code, 'terbuka', $3, $4
				FROM proposal_pick k JOIN proposal p ON p.id = k.proposal_id WHERE k.pick = $1`,
				pick, first, p.Username, store.Micros(now)); err != nil {
				return err
			}
		}
		entries, ev, err := s.trail(ctx, tx, pick, ActObjection, to, reason)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM proposal_pick WHERE pick = $1`, pick); err != nil {
			return err
		}
		if s.Notify != nil {
			if err := s.Notify(ctx, tx, ev); err != nil {
				return err
			}
		}
		res.Count = n
		return audit.RecordMany(ctx, tx, entries)
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// LapseDue marks every sanggah past its deadline and still undecided as
// kedaluwarsa, in one statement, and returns how many. The lapse job runs
// it at each sanggah's deadline; it may run any time (a sweep).
func (s *Service) LapseDue(ctx context.Context) (int64, error) {
	now := s.now()
	var n int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		pick, err := tx.ReserveIDs(ctx, "proposal_pick", 1)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `INSERT INTO proposal_pick (pick, proposal_id) SELECT $1, id FROM proposal
			WHERE kind = 'sanggah' AND status = 'diajukan' AND deadline IS NOT NULL AND deadline < $2`, pick, store.Micros(now))
		if err != nil {
			return err
		}
		if n, _ = res.RowsAffected(); n == 0 {
			return nil
		}
		reason := fmt.Sprintf("tidak diputuskan Dinsos dalam %d hari", ObjectionDays)
		if err := s.move(ctx, tx, pick, "status = $2, step_at = $3, note = $4", []any{pick, string(Lapsed), store.Micros(now), reason},
			"kedaluwarsa", Lapsed, audit.SystemActor, reason, now); err != nil {
			return err
		}
		entries, ev, err := s.trail(ctx, tx, pick, ActLapse, Lapsed, reason)
		if err != nil {
			return err
		}
		for i := range entries {
			entries[i].Actor = audit.SystemActor
		}
		if _, err := tx.Exec(ctx, `DELETE FROM proposal_pick WHERE pick = $1`, pick); err != nil {
			return err
		}
		if s.Notify != nil {
			if err := s.Notify(ctx, tx, ev); err != nil {
				return err
			}
		}
		return audit.RecordMany(ctx, tx, entries)
	})
	return n, err
}
