-- Determinations (internal/determination, docs/determinations.md): the
-- numbered, immutable list of who receives a program in a payment period,
-- with the amount and the reasons of every family (or person, for
-- per-person programs). kind 'penetapan' is a determination that a program
-- manager other than its runner makes final; kind 'simulasi' is the same
-- engine on a what-if rule set, which can never become final.
--
-- status: running (the job is writing items), draft (waiting for
-- approval), final, superseded (a later one replaced it), rejected, failed;
-- simulations end as done. Two final, or two running/draft, determinations
-- of one program, period and kind are impossible (the partial unique
-- indexes below), whatever the jobs do.
CREATE TABLE determination (
    id              BIGINT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('penetapan', 'simulasi')),
    program         TEXT NOT NULL,
    period          TEXT NOT NULL,
    number          INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    unit            TEXT NOT NULL,
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    program_version INTEGER NOT NULL,
    rules           TEXT NOT NULL DEFAULT '',
    welfare_run     BIGINT,
    base_id         BIGINT,
    status          TEXT NOT NULL CHECK (status IN ('running', 'draft', 'final', 'superseded', 'rejected', 'failed', 'done')),
    job_id          BIGINT,
    data_as_of      BIGINT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT,
    approved_by     TEXT,
    approved_at     BIGINT,
    closed_by       TEXT,
    closed_at       BIGINT,
    close_reason    TEXT NOT NULL DEFAULT '',
    units           BIGINT NOT NULL DEFAULT 0,
    recipients      BIGINT NOT NULL DEFAULT 0,
    amount          BIGINT NOT NULL DEFAULT 0,
    summary         TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT '',
    UNIQUE (program, period, kind, number),
    CHECK (kind = 'penetapan' OR status IN ('running', 'done', 'failed')),
    CHECK (status <> 'final' OR (approved_by IS NOT NULL AND approved_by <> created_by))
);
CREATE UNIQUE INDEX determination_one_final ON determination (program, period, kind) WHERE status = 'final';
CREATE UNIQUE INDEX determination_one_pending ON determination (program, period, kind) WHERE status IN ('running', 'draft');
CREATE INDEX determination_created ON determination (created_at);

-- One row per family (person_id 0) or, for per-person programs, per
-- member. eligible: the rules say yes, before quotas. status: new,
-- continuing (a recipient in the base too), excluded, graduated (a
-- recipient in the base, not now), error (a rule could not be evaluated).
-- base_*: the comparison basis, the previous final determination of the
-- program (penetapan) or the live rules on the same data (simulasi).
-- reason_codes are space-separated codes; reasons the Indonesian sentences
-- joined by '; '. amount is integer rupiah for the period.
CREATE TABLE determination_item (
    determination_id BIGINT NOT NULL,
    family_id        BIGINT NOT NULL,
    person_id        BIGINT NOT NULL DEFAULT 0,
    village_code     TEXT NOT NULL,
    decile           SMALLINT NOT NULL,
    score            DOUBLE PRECISION NOT NULL,
    eligible         BOOLEAN NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('new', 'continuing', 'excluded', 'graduated', 'error')),
    amount           BIGINT NOT NULL,
    base_eligible    BOOLEAN NOT NULL,
    base_recipient   BOOLEAN NOT NULL,
    base_amount      BIGINT NOT NULL,
    reason_codes     TEXT NOT NULL,
    reasons          TEXT NOT NULL,
    PRIMARY KEY (determination_id, family_id, person_id)
);
