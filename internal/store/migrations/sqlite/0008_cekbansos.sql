-- The public status check (internal/cekbansos, docs/cekbansos.md).
--
-- A check reads a person by NIK (person_current_nik) or by village and
-- folded name (person_current_village_name), then the family's decile
-- (welfare_scores' key: run_id, family_id) and its items in the latest
-- final determination of each program (determination_item's key:
-- determination_id, family_id, person_id, with the determinations' IDs
-- known): every read of a check is already served by an index. No index on
-- determination_item (family_id) is added: the key serves the check, and
-- another index on a table of tens of millions of rows would slow every
-- determination.
--
-- What every check shares is read every few seconds: the latest final
-- determination of each program, and the latest finished welfare run.
CREATE INDEX determination_final_latest ON determination (program, period_start) WHERE status = 'final' AND kind = 'penetapan';
CREATE INDEX welfare_runs_finished ON welfare_runs (state, finished_at);
