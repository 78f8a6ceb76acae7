-- Programs as dated configuration (internal/program, docs/programs.md).
-- A version is a JSON document (the rules, benefit, calendar and quotas of
-- one program from effective_from on). A draft applies only once a second
-- person approves it (maker-checker); nothing is deleted: a draft that is
-- not wanted is rejected.
CREATE TABLE program_version (
    program        TEXT NOT NULL,
    version        INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    document       TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'rejected')),
    note           TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    approved_by    TEXT,
    approved_at    BIGINT,
    rejected_by    TEXT,
    rejected_at    BIGINT,
    reject_reason  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (program, version),
    CHECK (status <> 'approved' OR (approved_by IS NOT NULL AND approved_at IS NOT NULL))
);
-- One live version per program and effective date.
CREATE UNIQUE INDEX program_version_effective ON program_version (program, effective_from)
    WHERE status <> 'rejected';

-- The payment periods of each version's calendars, one row per channel
-- and period; dates are whole months, inclusive.
CREATE TABLE program_period (
    program    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    channel    TEXT NOT NULL,
    code       TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date   TEXT NOT NULL,
    PRIMARY KEY (program, version, channel, code),
    FOREIGN KEY (program, version) REFERENCES program_version (program, version)
);
CREATE INDEX program_period_code ON program_period (program, channel, code);
