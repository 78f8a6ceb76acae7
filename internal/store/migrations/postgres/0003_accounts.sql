-- Accounts: second factor, idle sessions, API tokens and sign-in throttling.
-- Timestamps are integer microseconds since the Unix epoch, UTC.

-- totp_secret is the TOTP secret sealed with the server's secret key
-- (AES-256-GCM, see internal/auth/secret.go); '' = not enrolled.
-- totp_last_step is the last 30-second step a code was accepted for: a
-- code is never accepted twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN disabled_at BIGINT;

-- Idle timeout: last_seen_at is touched at most once a minute.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_user ON sessions (user_id);

-- API tokens for machine clients and scripts. Only the SHA-256 of a token
-- is kept; prefix is its first characters, to recognise a leaked token.
CREATE TABLE api_tokens (
    id           BIGINT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    revoked_by   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed sign-ins per user name ('u:' + name, whether or not the account
-- exists) and per client address ('a:' + address), kept in the database so
-- every application node sees the same counts.
CREATE TABLE signin_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    lockouts     INTEGER NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL
);
