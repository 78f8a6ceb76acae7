-- Background jobs (internal/jobs): a queue with leases. A runner claims a
-- job by setting lease_owner and lease_until and keeps renewing the lease
-- while the handler runs; a job whose lease has run out (its process died)
-- is claimed again and resumes from its checkpoint. States: queued, running,
-- done, failed, cancelled. Timestamps are microseconds since the epoch.
CREATE TABLE jobs (
    id                 BIGINT PRIMARY KEY,
    kind               TEXT NOT NULL,
    unique_key         TEXT,
    args               TEXT NOT NULL,
    state              TEXT NOT NULL,
    attempt            INTEGER NOT NULL DEFAULT 0,
    max_attempts       INTEGER NOT NULL,
    run_after          BIGINT NOT NULL,
    lease_owner        TEXT,
    lease_until        BIGINT,
    cancel_requested   BOOLEAN NOT NULL DEFAULT FALSE,
    checkpoint         TEXT,
    result             TEXT,
    done               BIGINT NOT NULL DEFAULT 0,
    total              BIGINT NOT NULL DEFAULT 0,
    note               TEXT NOT NULL DEFAULT '',
    progress_at        BIGINT,
    attempt_started_at BIGINT,
    attempt_done       BIGINT NOT NULL DEFAULT 0,
    error              TEXT NOT NULL DEFAULT '',
    principal          TEXT,
    created_by         TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL,
    started_at         BIGINT,
    finished_at        BIGINT
);
-- One queued or running job per (kind, unique_key).
CREATE UNIQUE INDEX jobs_unique_active ON jobs (kind, unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX jobs_queued ON jobs (run_after, id) WHERE state = 'queued';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_created ON jobs (created_at);
