-- The audit trail (internal/audit): one row per change or view, appended in
-- the same transaction as what it records. Rows form a hash chain: hash is
-- SHA-256 over the row's fields and prev_hash, the hash of the row before.
-- Nothing updates or deletes these rows; `jaring audit verify` checks them.
CREATE TABLE audit_log (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    actor_region TEXT NOT NULL,
    region       TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    BIGINT NOT NULL,
    person_id    BIGINT NOT NULL,
    before_data  TEXT NOT NULL,
    after_data   TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_log_person ON audit_log (person_id, seq) WHERE person_id <> 0;
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_region ON audit_log (region, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- The head of the chain: the last seq and hash. Writers lock this one row
-- (SELECT ... FOR UPDATE) to append, which orders them; verify compares it
-- with the last row, so a deleted tail is seen.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
