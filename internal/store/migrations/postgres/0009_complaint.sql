-- Complaints (pengaduan) and whistleblowing reports (WBS), internal/complaint
-- and docs/complaints.md. Anyone files one without an account and follows
-- it with its tracking code and a secret, kept here only as a SHA-256
-- hash. The filer's contact (and a whistleblower's identity) is sealed
-- with AES-256-GCM under the service's secret key; description and
-- resolution are plain text for the handlers.
--
-- unit_kind and unit_region name the responsible unit (the district
-- social office of a regency, or the inspectorate); the unit moves up a
-- level (regency, province, nation) each time due_at passes while the case
-- is open, and escalations counts the moves. remind_at is when a reminder
-- is due; reminded_at when it was given.
CREATE TABLE complaint (
    id             BIGINT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('pengaduan', 'wbs')),
    code           TEXT NOT NULL UNIQUE,
    secret_hash    TEXT NOT NULL,
    category       TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    description    TEXT NOT NULL,
    anonymous      BOOLEAN NOT NULL,
    contact_sealed TEXT NOT NULL DEFAULT '',
    unit_kind      TEXT NOT NULL CHECK (unit_kind IN ('dinsos', 'inspektorat')),
    unit_region    TEXT NOT NULL,
    escalations    INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL CHECK (status IN ('diterima', 'diproses', 'selesai', 'ditolak')),
    resolution     TEXT NOT NULL DEFAULT '',
    due_at         BIGINT NOT NULL,
    remind_at      BIGINT NOT NULL,
    reminded_at    BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    closed_at      BIGINT
);
CREATE INDEX complaint_open_due ON complaint (due_at) WHERE status IN ('diterima', 'diproses');
CREATE INDEX complaint_open_remind ON complaint (remind_at) WHERE status IN ('diterima', 'diproses') AND reminded_at IS NULL;
CREATE INDEX complaint_unit ON complaint (unit_kind, unit_region, status);
CREATE INDEX complaint_region ON complaint (region_code, category);
CREATE INDEX complaint_created ON complaint (created_at);

-- A case's history: filed, information from the filer, internal notes,
-- replies to the filer, status changes, reminders and escalations. public
-- marks what the filer sees on the follow page.
CREATE TABLE complaint_event (
    id           BIGINT PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaint (id),
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    public       BOOLEAN NOT NULL,
    status       TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX complaint_event_case ON complaint_event (complaint_id, id);

-- Evidence files, in the database so that both engines and any number of
-- stateless nodes serve them (docs/complaints.md). Images are stored
-- re-encoded (no metadata); PDFs as received.
CREATE TABLE complaint_file (
    id           BIGINT PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaint (id),
    event_id     BIGINT NOT NULL REFERENCES complaint_event (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX complaint_file_case ON complaint_file (complaint_id, id);
