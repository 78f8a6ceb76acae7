-- Columns derived by code, and a fingerprint of the rules that derived
-- them: person.name_key holds registry.NameKey(name), built by the rules
-- fingerprinted as registry.NameKeyRules. `jaring migrate` recomputes the
-- column when the program's rules differ from the stored ones (or none are
-- stored yet).
CREATE TABLE derived_rules (
    name       TEXT PRIMARY KEY,
    rules      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
