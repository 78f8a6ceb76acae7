-- Citizens' accounts and in-app notifications.
-- Timestamps are integer microseconds since the Unix epoch, UTC.

-- A citizen is a users row (role 'warga', bound to their village, user
-- name 'w' + its id: never the NIK) with this profile. One account per NIK.
-- Phone (+62...) and e-mail (lower case) are sign-in names too, so each
-- belongs to one account; NULL when not given.
-- status: 'menunggu' (waiting for an operator), 'terverifikasi', 'ditolak'.
-- flags: what the register check found, for the operator (comma-separated
-- codes, see internal/citizen); person_id: the register's person of the
-- NIK, when known.
CREATE TABLE citizen_account (
    user_id       BIGINT PRIMARY KEY REFERENCES users (id),
    nik           TEXT NOT NULL UNIQUE,
    kk            TEXT NOT NULL,
    name          TEXT NOT NULL,
    village_code  TEXT NOT NULL,
    phone         TEXT,
    email         TEXT,
    status        TEXT NOT NULL DEFAULT 'menunggu',
    flags         TEXT NOT NULL DEFAULT '',
    person_id     BIGINT,
    reject_reason TEXT NOT NULL DEFAULT '',
    reject_note   TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_by_id BIGINT,
    decided_at    BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX citizen_account_phone ON citizen_account (phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX citizen_account_email ON citizen_account (email) WHERE email IS NOT NULL;
CREATE INDEX citizen_account_queue ON citizen_account (village_code, status, created_at);

-- The KTP photo ('ktp') and the selfie holding it ('swafoto'), re-encoded
-- as JPEG (no EXIF, no GPS), in the database so that every node of a
-- deployment and both engines serve them.
CREATE TABLE citizen_photo (
    user_id      BIGINT NOT NULL REFERENCES citizen_account (user_id),
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BYTEA NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- In-app notifications, for citizens and operators. sent_at is when
-- outbound delivery (internal/notify senders, through a job) finished.
CREATE TABLE notification (
    id         BIGINT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    link       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    read_at    BIGINT,
    sent_at    BIGINT
);
CREATE INDEX notification_user ON notification (user_id, id);
CREATE INDEX notification_unread ON notification (user_id) WHERE read_at IS NULL;
