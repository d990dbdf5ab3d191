--
-- heartbeat: the worker beats on the primary and says so in status()
--
-- The worker connects to this database once pg_regress has created it, so
-- wait (up to 60 s) until a few beats have arrived.
DO $$
BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN (SELECT count(*) FROM failprobe.heartbeat) >= 5;
    PERFORM pg_sleep(0.1);
  END LOOP;
END $$;

SELECT count(*) >= 5 AS beats_arrived FROM failprobe.heartbeat;

-- seq rises by one per beat, without gaps
SELECT max(seq) - min(seq) + 1 = count(*) AS seq_dense,
       bool_and(tli = 1) AS all_tli_1,
       bool_and(lsn > '0/0') AS lsn_set,
       count(DISTINCT node) = 1 AS one_node
  FROM failprobe.heartbeat;

-- beats are written in order of time and WAL position
SELECT bool_and(beat_at >= prev_at AND lsn >= prev_lsn) AS ordered
  FROM (SELECT beat_at, lsn,
               lag(beat_at) OVER w AS prev_at, lag(lsn) OVER w AS prev_lsn
          FROM failprobe.heartbeat WINDOW w AS (ORDER BY seq)) s
 WHERE prev_at IS NOT NULL;

-- the worker recorded its start
SELECT kind, tli, lsn IS NOT NULL AS has_lsn, detail ? 'pid' AS has_pid
  FROM failprobe.events WHERE kind = 'worker_started';

-- status() on a primary
SELECT role, tli, worker_pid > 0 AS has_worker, heartbeat_interval_ms,
       beats_written >= 5 AS beating, last_seq >= 5 AS has_seq,
       now() - last_beat_at < interval '10 s' AS recent,
       replay_lag_ms IS NULL AS no_lag_on_primary,
       last_promotion_at IS NULL AS never_promoted,
       node <> '' AS named
  FROM failprobe.status();

-- the worker shows up in pg_stat_activity, connected to this database
SELECT a.backend_type, a.datname = current_database() AS here
  FROM pg_stat_activity a JOIN failprobe.status() s ON a.pid = s.worker_pid;

-- status() agrees with the table
SELECT s.last_seq <= (SELECT max(seq) FROM failprobe.heartbeat) AS consistent
  FROM failprobe.status() s;
