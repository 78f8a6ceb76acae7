package determination_test

import (
	"context"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// addRequest stores a ratified program request as proposals write it.
func (w *world) addRequest(proposal int64, fam, prog, req, from string) {
	w.t.Helper()
	at, err := time.Parse(time.DateOnly, from)
	if err != nil {
		w.t.Fatal(err)
	}
	ctx := context.Background()
	if err := w.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO program_request (proposal_id, family_id, program, request, effective_from) VALUES ($1, $2, $3, $4, $5)`,
			proposal, w.fam[fam], prog, req, store.Micros(at))
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
}

// Ratified program requests decide with the rules: a resignation effective
// before the period start makes the family no recipient, with the
// proposal's number; a later one waits for the next period; the latest
// request wins; a request to enter is recorded and the rules still decide.
func TestProgramRequests(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.addRequest(501, "F1", "BPNT", "mundur", "2025-12-01")
		w.addRequest(502, "F4", "BPNT", "masuk", "2025-12-20")
		w.addRequest(503, "F3", "BPNT", "masuk", "2025-12-20")    // decile 6: the rules still say no
		w.addRequest(504, "F5", "BPNT", "mundur", "2026-01-15")   // after the period start
		w.addRequest(505, "F5", "PKH", "mundur", "2025-11-01")    // then re-entered
		w.addRequest(506, "F5", "PKH", "masuk", "2025-12-01")     //
		w.addRequest(507, "F1", "PBI_JK", "mundur", "2025-12-31") // per person: every member
		dets := w.determine(
			determination.Spec{Program: "PKH", Period: "2026-Q1"},
			determination.Spec{Program: "BPNT", Period: "2026-B1"},
			determination.Spec{Program: "PBI_JK", Period: "2026-01"},
		)
		sembako := want{determination.ItemNew, 400_000, "layak", "layak: Saldo pangan Rp400.000 untuk periode 2026-B1"}
		resigned := func(n string) want {
			return want{determination.ItemExcluded, 0, "mengundurkan_diri", "mengundurkan diri dari program melalui usulan nomor " + n}
		}
		iuran := want{determination.ItemNew, 42_000, "layak", "layak: Iuran JKN dibayar negara untuk"}
		for _, d := range dets {
			switch d.Program {
			case "BPNT":
				check(t, w.items(d.ID), map[string][]want{
					"F1": {resigned("501")},
					"F2": {asn},
					"F3": {{determination.ItemExcluded, 0, "desil_di_atas_batas diusulkan_musdes", "desil 6 di atas batas desil 4; diusulkan melalui Musdes, usulan nomor 503"}},
					"F4": {{determination.ItemNew, 400_000, "layak diusulkan_musdes", "Rp400.000 untuk periode 2026-B1; diusulkan melalui Musdes, usulan nomor 502"}},
					"F5": {sembako},
					"F6": {unrank},
				})
			case "PKH":
				items := w.items(d.ID)
				if it := items["F5"]; len(it) != 1 || it[0].Status != determination.ItemNew ||
					it[0].ReasonCodes[len(it[0].ReasonCodes)-1] != "diusulkan_musdes" {
					t.Errorf("PKH F5 re-entered: %+v", it)
				}
			case "PBI_JK":
				check(t, w.items(d.ID), map[string][]want{
					"F1": rep(4, resigned("507")), "F2": rep(2, asn), "F3": rep(2, desil65), "F4": rep(2, iuran), "F5": rep(2, iuran), "F6": {unrank},
				})
			}
		}
		// The next period sees F5's resignation; F1 stays out, and is
		// counted as graduated against an approved base.
		var bpnt *determination.Determination
		for _, d := range dets {
			if d.Program == "BPNT" {
				bpnt = d
			}
		}
		if _, err := w.svc.Approve(checker, bpnt.ID); err != nil {
			t.Fatal(err)
		}
		next := w.determine(determination.Spec{Program: "BPNT", Period: "2026-B2"})[0]
		items := w.items(next.ID)
		if it := items["F5"]; len(it) != 1 || it[0].Status != determination.ItemGraduated ||
			it[0].Reasons != "mengundurkan diri dari program melalui usulan nomor 504" {
			t.Errorf("B2 F5: %+v", it)
		}
		if it := items["F1"]; len(it) != 1 || it[0].Status != determination.ItemExcluded || it[0].ReasonCodes[0] != "mengundurkan_diri" {
			t.Errorf("B2 F1: %+v", it)
		}
	})
}

// When a quota binds, a family proposed through a ratified Musdes
// proposal goes before unproposed families of the same decile, never
// before a poorer decile.
func TestProposedFamiliesFirstUnderQuota(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		installVariant(t, db, "BPNT", "UJI", map[string]int64{"32.01.01": 1, "32.01.02": 1})
		// F1 and F4 (district 32.01.01) both decile 2, F1 poorer by score;
		// F3 and F5 (district 32.01.02): F5 decile 1, F3 decile 2.
		w.setDeciles(2, map[string]struct {
			decile int
			score  float64
		}{"F1": {2, 10}, "F4": {2, 30}, "F3": {2, 20}, "F5": {1, 50}, "F2": {2, 5}})
		sembako := want{determination.ItemNew, 400_000, "layak", "Saldo pangan"}
		first := w.determine(determination.Spec{Program: "UJI", Period: "2026-B1"})[0]
		check(t, w.items(first.ID), map[string][]want{
			"F1": {sembako}, "F2": {asn}, "F5": {sembako}, "F6": {unrank},
			"F4": {{determination.ItemExcluded, 0, "kuota_habis", "kuota kecamatan 32.01.01 habis (batas 1 penerima)"}},
			"F3": {{determination.ItemExcluded, 0, "kuota_habis", "kuota kecamatan 32.01.02 habis (batas 1 penerima)"}},
		})
		w.addRequest(601, "F4", "UJI", "masuk", "2025-12-01")
		w.addRequest(602, "F3", "UJI", "masuk", "2025-12-01")
		again := w.determine(determination.Spec{Program: "UJI", Period: "2026-B1"})[0]
		check(t, w.items(again.ID), map[string][]want{
			"F1": {{determination.ItemExcluded, 0, "kuota_habis", "kuota kecamatan 32.01.01 habis (batas 1 penerima)"}},
			"F4": {{determination.ItemNew, 400_000, "layak diusulkan_musdes", "usulan nomor 601"}},
			"F2": {asn}, "F6": {unrank}, "F5": {sembako},
			// Proposed, but F5 is poorer.
			"F3": {{determination.ItemExcluded, 0, "kuota_habis diusulkan_musdes", "kuota kecamatan 32.01.02 habis (batas 1 penerima); diusulkan melalui Musdes, usulan nomor 602"}},
		})
	})
}
