-- The files of a complaint filing that was refused, or of a step of the
-- form without script, kept for the filer's next try so that they need not
-- choose them again: the form carries the hold's token, and only the
-- token's hash is stored. A hold lasts an hour (complaint.HoldTTL); the
-- complaints' sweep deletes it after that, and a filing deletes the hold
-- it used. The sizes bound the table (complaint.Service.HoldCap).
CREATE TABLE complaint_upload_hold (
    token_hash TEXT NOT NULL,
    n          INTEGER NOT NULL,
    size       BIGINT NOT NULL,
    data       BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (token_hash, n)
);
CREATE INDEX complaint_upload_hold_created ON complaint_upload_hold (created_at);
