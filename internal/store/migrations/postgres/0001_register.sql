-- Timestamps are integer microseconds since the Unix epoch, UTC, on both engines.
-- Dates are 'YYYY-MM-DD' text. Money is integer rupiah.

CREATE TABLE id_counters (
    name    TEXT PRIMARY KEY,
    next_id BIGINT NOT NULL
);

-- Kemendagri regions. Codes are never deleted: a code dropped from the
-- official list is marked inactive.
CREATE TABLE regions (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    level      SMALLINT NOT NULL,
    parent     TEXT,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at BIGINT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent, code);

CREATE TABLE users (
    id            BIGINT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Families and people are temporal: every change closes the current row
-- (valid_to) and inserts the next version. The current version has
-- valid_to IS NULL. Nothing is ever deleted.
CREATE TABLE family (
    id              BIGINT NOT NULL,
    version         INTEGER NOT NULL,
    valid_from      BIGINT NOT NULL,
    valid_to        BIGINT,
    kk              TEXT NOT NULL,
    village_code    TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    rt              TEXT NOT NULL DEFAULT '',
    rw              TEXT NOT NULL DEFAULT '',
    latitude        DOUBLE PRECISION,
    longitude       DOUBLE PRECISION,
    floor_material  TEXT NOT NULL DEFAULT '',
    wall_material   TEXT NOT NULL DEFAULT '',
    roof_material   TEXT NOT NULL DEFAULT '',
    water_source    TEXT NOT NULL DEFAULT '',
    sanitation      TEXT NOT NULL DEFAULT '',
    electricity     TEXT NOT NULL DEFAULT '',
    cooking_fuel    TEXT NOT NULL DEFAULT '',
    house_ownership TEXT NOT NULL DEFAULT '',
    land_ownership  TEXT NOT NULL DEFAULT '',
    floor_area      INTEGER,
    assets          TEXT NOT NULL DEFAULT '',
    cattle          INTEGER NOT NULL DEFAULT 0,
    buffalo         INTEGER NOT NULL DEFAULT 0,
    goats           INTEGER NOT NULL DEFAULT 0,
    pigs            INTEGER NOT NULL DEFAULT 0,
    horses          INTEGER NOT NULL DEFAULT 0,
    poultry         INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'aktif',
    status_reason   TEXT NOT NULL DEFAULT '',
    row_hash        BIGINT NOT NULL,
    changed_by      TEXT NOT NULL,
    change_reason   TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE UNIQUE INDEX family_current_kk ON family (kk) WHERE valid_to IS NULL;
CREATE INDEX family_current_village ON family (village_code) WHERE valid_to IS NULL;

CREATE TABLE person (
    id                  BIGINT NOT NULL,
    version             INTEGER NOT NULL,
    valid_from          BIGINT NOT NULL,
    valid_to            BIGINT,
    family_id           BIGINT NOT NULL,
    village_code        TEXT NOT NULL,
    nik                 TEXT NOT NULL,
    name                TEXT NOT NULL,
    name_key            TEXT NOT NULL,
    sex                 TEXT NOT NULL,
    birth_place         TEXT NOT NULL DEFAULT '',
    birth_date          TEXT NOT NULL,
    relation            TEXT NOT NULL,
    marital_status      TEXT NOT NULL DEFAULT '',
    mother_name         TEXT NOT NULL DEFAULT '',
    education           TEXT NOT NULL DEFAULT '',
    school_level        TEXT NOT NULL DEFAULT '',
    school_id           TEXT NOT NULL DEFAULT '',
    occupation          TEXT NOT NULL DEFAULT '',
    disability          TEXT NOT NULL DEFAULT '',
    disability_severity TEXT NOT NULL DEFAULT '',
    pregnant            BOOLEAN NOT NULL DEFAULT FALSE,
    ppks                TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'aktif',
    status_reason       TEXT NOT NULL DEFAULT '',
    row_hash            BIGINT NOT NULL,
    changed_by          TEXT NOT NULL,
    change_reason       TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE UNIQUE INDEX person_current_nik ON person (nik) WHERE valid_to IS NULL;
CREATE INDEX person_current_family ON person (family_id) WHERE valid_to IS NULL;
CREATE INDEX person_current_village_name ON person (village_code, name_key) WHERE valid_to IS NULL;
