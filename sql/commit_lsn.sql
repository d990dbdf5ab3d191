--
-- commit_lsn: this session's latest commit, in SQL and as a reported setting
--
-- nothing committed yet in this session
SELECT * FROM failprobe.last_commit();
SHOW pg_failprobe.commit_lsn;

INSERT INTO failprobe.ledger VALUES (1, 1, 1, '\x01', now());

SELECT lsn > '0/0' AS has_lsn,
       lsn <= pg_current_wal_lsn() AS not_beyond_wal,
       now() - committed_at < interval '10 s' AS recent
  FROM failprobe.last_commit();

-- SHOW gives the same LSN the client was sent
SELECT current_setting('pg_failprobe.commit_lsn')::pg_lsn = lsn AS show_matches
  FROM failprobe.last_commit();
SELECT current_setting('pg_failprobe.commit_time')::timestamptz = committed_at AS time_matches
  FROM failprobe.last_commit();

-- one fixed format for clients to parse: UTC with microseconds
SELECT current_setting('pg_failprobe.commit_time') ~
       '^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00$' AS utc_format;

SELECT lsn AS seen_lsn FROM failprobe.last_commit() \gset

-- read-only work and rolled back writes do not move it
SELECT count(*) >= 0 AS read_only FROM failprobe.ledger;
BEGIN;
INSERT INTO failprobe.ledger VALUES (1, 1, 2, '\x02', now());
ROLLBACK;
SELECT lsn = :'seen_lsn' AS unchanged FROM failprobe.last_commit();

-- a later write moves it forward
INSERT INTO failprobe.ledger VALUES (1, 1, 3, '\x03', now());
SELECT lsn > :'seen_lsn' AS advanced FROM failprobe.last_commit();
SELECT lsn AS seen_lsn FROM failprobe.last_commit() \gset

-- a NOTIFY alone gets its XID after pre-commit, and commits a record too
NOTIFY fp_channel;
SELECT lsn > :'seen_lsn' AS notify_counted FROM failprobe.last_commit();
SELECT lsn AS seen_lsn FROM failprobe.last_commit() \gset

-- only the server sets these
SET pg_failprobe.commit_lsn = '0/1';
SET pg_failprobe.report_commits = off;
INSERT INTO failprobe.ledger VALUES (1, 1, 4, '\x04', now());
SELECT lsn > :'seen_lsn' AS still_tracked FROM failprobe.last_commit();
RESET pg_failprobe.report_commits;

-- what is reported: off (default), lsn, lsn_time
SHOW pg_failprobe.report_commits;
SET pg_failprobe.report_commits = lsn;
SET pg_failprobe.report_commits = lsn_time;
SET pg_failprobe.report_commits = everything;
RESET pg_failprobe.report_commits;
