--
-- privileges: PUBLIC may not write the worker's tables nor read the status;
-- pg_monitor may read; the ledger is written only by roles granted it
--
CREATE ROLE fp_nobody;
CREATE ROLE fp_monitor IN ROLE pg_monitor;
CREATE ROLE fp_writer;
GRANT INSERT, SELECT ON failprobe.ledger TO fp_writer;

SET ROLE fp_nobody;
INSERT INTO failprobe.heartbeat VALUES (999999, 1, now(), '0/0', 'x');
INSERT INTO failprobe.events (kind) VALUES ('forged');
DELETE FROM failprobe.heartbeat;
SELECT count(*) FROM failprobe.heartbeat;
SELECT role FROM failprobe.status();
SELECT * FROM failprobe.timeline_history();
INSERT INTO failprobe.ledger VALUES (2, 1, 1, '\x01', now());
-- anyone may ask about their own session
SELECT lsn IS NOT NULL AS own_commit FROM failprobe.last_commit();
RESET ROLE;

SET ROLE fp_monitor;
SELECT count(*) > 0 AS can_read FROM failprobe.heartbeat;
SELECT role FROM failprobe.status();
INSERT INTO failprobe.events (kind) VALUES ('forged');
RESET ROLE;

SET ROLE fp_writer;
INSERT INTO failprobe.ledger VALUES (2, 1, 1, '\x01', now());
SELECT lsn IS NOT NULL AS writer_sees_commit FROM failprobe.last_commit();
UPDATE failprobe.ledger SET digest = '\x00';
RESET ROLE;

-- no function runs with its owner's rights, so none needs a search_path
SELECT p.proname, p.prosecdef
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'failprobe' ORDER BY 1;

-- what PUBLIC holds on the tables: nothing
SELECT c.relname, has_table_privilege('fp_nobody', c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE') AS public_access
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'failprobe' AND c.relkind = 'r' ORDER BY 1;

REVOKE ALL ON failprobe.ledger FROM fp_writer;
DROP ROLE fp_nobody, fp_monitor, fp_writer;

-- a schema named failprobe that someone else owns or may write is refused
BEGIN;
DROP EXTENSION pg_failprobe;
CREATE ROLE fp_squatter;
-- DROP EXTENSION leaves the schema, as CREATE EXTENSION may have found it
ALTER SCHEMA failprobe OWNER TO fp_squatter;
SAVEPOINT owned;
CREATE EXTENSION pg_failprobe;
ROLLBACK TO owned;
ALTER SCHEMA failprobe OWNER TO CURRENT_USER;
GRANT CREATE ON SCHEMA failprobe TO fp_squatter;
SAVEPOINT granted;
CREATE EXTENSION pg_failprobe;
ROLLBACK TO granted;
-- a superuser's schema, with no CREATE for others, is taken
REVOKE CREATE ON SCHEMA failprobe FROM fp_squatter;
CREATE EXTENSION pg_failprobe;
SELECT extname FROM pg_extension WHERE extname = 'pg_failprobe';
ROLLBACK;
SELECT count(*) > 0 AS extension_back FROM failprobe.heartbeat;
