-- Welfare ranking (internal/welfare, docs/welfare-model.md).

-- Proxy-means models: versioned configuration. A stored version is never
-- changed; a new model is a new version. effective_from is a date
-- (YYYY-MM-DD): a ranking without --model uses the latest version in effect.
CREATE TABLE welfare_models (
    version        TEXT PRIMARY KEY,
    effective_from TEXT NOT NULL,
    title          TEXT NOT NULL,
    document       TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

-- One ranking: a model applied to the register as it was at data_as_of.
-- Runs are kept (a determination names the run it used); only finished runs
-- (state 'selesai') are read. deciles holds the decile boundaries as JSON.
CREATE TABLE welfare_runs (
    id            BIGINT PRIMARY KEY,
    model_version TEXT NOT NULL REFERENCES welfare_models (version),
    by_province   BOOLEAN NOT NULL,
    state         TEXT NOT NULL,
    data_as_of    BIGINT NOT NULL,
    started_at    BIGINT NOT NULL,
    finished_at   BIGINT,
    started_by    TEXT NOT NULL,
    families      BIGINT NOT NULL DEFAULT 0,
    skipped       BIGINT NOT NULL DEFAULT 0,
    deciles       TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT ''
);

-- A family's score in a run: the sum of the model's base and contributions,
-- contributions a JSON array of points in the order of the model's
-- indicators, and the decile (1 = poorest) nationally or within the province
-- (first two characters of the village code) as the run says.
CREATE TABLE welfare_scores (
    run_id         BIGINT NOT NULL,
    family_id      BIGINT NOT NULL,
    family_version INTEGER NOT NULL,
    province       TEXT NOT NULL,
    score          DOUBLE PRECISION NOT NULL,
    decile         SMALLINT NOT NULL,
    contributions  TEXT NOT NULL,
    PRIMARY KEY (run_id, family_id)
);
