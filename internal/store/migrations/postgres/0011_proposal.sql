-- Proposals (internal/proposal, docs/proposals.md): a citizen's or a
-- village's usul, a change request on a register record, an objection
-- (sanggah) or a resignation, each an item that moves through ordered
-- steps: village check, Musdes/Muskel, district check, ratification.
--
-- status: diajukan (waiting for the village; a sanggah waits for the
-- district), diperiksa_desa (village checked, waiting for the meeting),
-- disetujui_musdes (the meeting agreed, waiting for the district),
-- diperiksa_dinsos (district checked, in a batch waiting for ratification),
-- disahkan (ratified; applied_at when applied to the register), ditolak,
-- diterima (an upheld sanggah), kedaluwarsa (a sanggah the district did not
-- decide within its deadline). Two open items of one kind on one subject
-- are impossible (proposal_open_subject).
CREATE TABLE proposal (
    id              BIGINT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('usul_register', 'usul_program', 'mundur', 'kelahiran',
                        'kematian', 'pindah', 'kk_baru', 'koreksi', 'sanggah')),
    village_code    TEXT NOT NULL,
    subject_key     TEXT NOT NULL,
    family_id       BIGINT,
    person_id       BIGINT,
    program         TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL,
    payload         TEXT NOT NULL DEFAULT '{}',
    source          TEXT NOT NULL CHECK (source IN ('warga', 'operator')),
    citizen_id      BIGINT,
    maker_user_id   BIGINT,
    maker           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('diajukan', 'diperiksa_desa', 'disetujui_musdes',
                        'diperiksa_dinsos', 'disahkan', 'ditolak', 'diterima', 'kedaluwarsa')),
    created_at      BIGINT NOT NULL,
    step_at         BIGINT NOT NULL,
    deadline        BIGINT,
    latitude        DOUBLE PRECISION,
    longitude       DOUBLE PRECISION,
    session_id      BIGINT,
    batch_id        BIGINT,
    village_by      TEXT NOT NULL DEFAULT '',
    district_by     TEXT NOT NULL DEFAULT '',
    ratified_by     TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    applied_at      BIGINT,
    apply_error     TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX proposal_open_subject ON proposal (kind, subject_key)
    WHERE status IN ('diajukan', 'diperiksa_desa', 'disetujui_musdes', 'diperiksa_dinsos');
CREATE INDEX proposal_village_status ON proposal (village_code, status);
CREATE INDEX proposal_status_step ON proposal (status, step_at);
CREATE INDEX proposal_citizen ON proposal (citizen_id) WHERE citizen_id IS NOT NULL;
CREATE INDEX proposal_in_batch ON proposal (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX proposal_deadline ON proposal (deadline) WHERE status = 'diajukan' AND deadline IS NOT NULL;

-- Every step an item took: who, when, what, why.
CREATE TABLE proposal_step (
    proposal_id BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    step        TEXT NOT NULL,
    status      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX proposal_step_item ON proposal_step (proposal_id, at);

-- Files: evidence of an item, the photo of a house (sanggah), a meeting's
-- signed minutes. The type is checked by content before it is stored.
CREATE TABLE proposal_file (
    id           BIGINT PRIMARY KEY,
    proposal_id  BIGINT,
    session_id   BIGINT,
    purpose      TEXT NOT NULL CHECK (purpose IN ('bukti', 'foto_rumah', 'berita_acara')),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BYTEA NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  BIGINT NOT NULL
);
CREATE INDEX proposal_file_item ON proposal_file (proposal_id);
CREATE INDEX proposal_file_session ON proposal_file (session_id);

-- Field verification (verivali) with the household questionnaire,
-- recorded against an item. An upheld sanggah opens one (status terbuka).
CREATE TABLE verivali (
    id           BIGINT PRIMARY KEY,
    proposal_id  BIGINT NOT NULL,
    family_id    BIGINT,
    village_code TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('terbuka', 'selesai')),
    opened_by    TEXT NOT NULL,
    opened_at    BIGINT NOT NULL,
    answers      TEXT NOT NULL DEFAULT '{}',
    result       TEXT NOT NULL DEFAULT '' CHECK (result IN ('', 'sesuai', 'tidak_sesuai')),
    note         TEXT NOT NULL DEFAULT '',
    verified_by  TEXT NOT NULL DEFAULT '',
    verified_at  BIGINT
);
CREATE INDEX verivali_item ON verivali (proposal_id);
CREATE INDEX verivali_village ON verivali (village_code, status);

-- Village meetings: Musdes (desa) or Muskel (kelurahan).
CREATE TABLE musdes_session (
    id            BIGINT PRIMARY KEY,
    village_code  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('musdes', 'muskel')),
    held_on       TEXT NOT NULL,
    place         TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('terbuka', 'selesai')),
    attendance    TEXT NOT NULL DEFAULT '[]',
    attendees     INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    closed_by     TEXT NOT NULL DEFAULT '',
    closed_at     BIGINT,
    scan_file_id  BIGINT
);
CREATE INDEX musdes_session_village ON musdes_session (village_code, held_on);

CREATE TABLE musdes_item (
    session_id  BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    decision    TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'setuju', 'tolak', 'tunda')),
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, proposal_id)
);

-- A district's batch of checked items sent for ratification.
CREATE TABLE proposal_batch (
    id            BIGINT PRIMARY KEY,
    district_code TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('dikirim', 'disahkan')),
    items         BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    ratified_by   TEXT NOT NULL DEFAULT '',
    ratified_at   BIGINT
);
CREATE INDEX proposal_batch_district ON proposal_batch (district_code, created_at);

-- Scratch selection for a set-based decision: rows live only inside the
-- transaction that writes and deletes them.
CREATE TABLE proposal_pick (
    pick        BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    PRIMARY KEY (pick, proposal_id)
);

-- Ratified program proposals and resignations, effective from the next
-- determination of the program.
CREATE TABLE program_request (
    proposal_id    BIGINT PRIMARY KEY,
    family_id      BIGINT NOT NULL,
    program        TEXT NOT NULL,
    request        TEXT NOT NULL CHECK (request IN ('masuk', 'mundur')),
    effective_from BIGINT NOT NULL
);
CREATE INDEX program_request_family ON program_request (family_id, program);
