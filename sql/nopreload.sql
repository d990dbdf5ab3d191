--
-- nopreload: without shared_preload_libraries, functions that need the
-- worker's shared state refuse clearly and say how to fix it
--
\set VERBOSITY default
SELECT * FROM failprobe.status();
-- what needs no shared state still works
SELECT * FROM failprobe.timeline_history();
INSERT INTO failprobe.ledger VALUES (1, 1, 1, '\x01', now());
SELECT lsn IS NOT NULL AS tracked FROM failprobe.last_commit();
-- and nothing beats
SELECT count(*) AS beats FROM failprobe.heartbeat;
