-- SQLite compares text byte by byte (BINARY) already; the PostgreSQL
-- migration of this number gives the register's key columns the same
-- collation there.
SELECT 1;
