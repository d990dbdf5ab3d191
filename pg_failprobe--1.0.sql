/* pg_failprobe--1.0.sql: the SQL surface of pg_failprobe 1.0 */

\echo Use "CREATE EXTENSION pg_failprobe" to load this file. \quit

-- The control file's "schema = failprobe" reuses a schema that already
-- exists.  One that a non-superuser owns, or may create objects in, could
-- later be renamed or filled with look-alike tables whose triggers the
-- worker would run as a superuser: refuse it.
DO $$
DECLARE
    untrusted text;
BEGIN
    SELECT pg_catalog.string_agg(CASE WHEN a.grantee = 0::pg_catalog.oid THEN 'PUBLIC' ELSE r.rolname END, ', ')
      INTO untrusted
      FROM pg_catalog.pg_namespace n
      CROSS JOIN LATERAL pg_catalog.aclexplode(
          COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
      LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
     WHERE n.nspname = 'failprobe'
       AND a.privilege_type = 'CREATE'
       AND (a.grantee = 0::pg_catalog.oid OR NOT r.rolsuper);
    IF untrusted IS NULL THEN
        SELECT r.rolname INTO untrusted
          FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid = n.nspowner
         WHERE n.nspname = 'failprobe' AND NOT r.rolsuper;
    END IF;
    IF untrusted IS NOT NULL THEN
        RAISE EXCEPTION 'schema "failprobe" already exists and is not a superuser''s alone'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = pg_catalog.format('%s may create objects in it or owns it; the '
                      'extension''s background worker runs as a superuser and uses this schema.',
                      untrusted),
                  HINT = 'Drop the schema, or make a superuser its owner and revoke CREATE from '
                      'everyone else, then run CREATE EXTENSION again.';
    END IF;
END
$$;

-- One row per beat of the background worker on the primary.  seq rises by
-- one per beat and continues from the highest seq a promoted node holds, so
-- a gap or a reused seq after a failover marks beats that were lost.
CREATE TABLE failprobe.heartbeat (
    seq     bigint      PRIMARY KEY,
    tli     integer     NOT NULL,
    beat_at timestamptz NOT NULL,
    lsn     pg_lsn      NOT NULL,
    node    text        NOT NULL
);

-- What happened to this cluster, as the worker saw it: worker_started,
-- promoted.  A promoted row carries the switch point of the new timeline and
-- the last heartbeat of the old one that survived.
CREATE TABLE failprobe.events (
    id     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    kind   text        NOT NULL,
    tli    integer,
    lsn    pg_lsn,
    node   text,
    detail jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX events_kind_tli_idx ON failprobe.events (kind, tli);

-- The load client's writes (failprobe run).  No triggers, one index: an
-- insert here costs what a plain insert costs.
CREATE TABLE failprobe.ledger (
    run_id  bigint      NOT NULL,
    worker  integer     NOT NULL,
    seq     bigint      NOT NULL,
    digest  bytea       NOT NULL,
    sent_at timestamptz NOT NULL,
    payload bytea,              -- failprobe run --payload-bytes; NULL when none
    PRIMARY KEY (run_id, worker, seq)
);

CREATE FUNCTION failprobe.status(
    OUT role                  text,
    OUT tli                   integer,
    OUT worker_pid            integer,
    OUT heartbeat_interval_ms integer,
    OUT beats_written         bigint,
    OUT last_seq              bigint,
    OUT last_beat_at          timestamptz,
    OUT replay_lag_ms         double precision,
    OUT last_promotion_at     timestamptz,
    OUT node                  text,
    OUT upstream_last_heard   timestamptz)
RETURNS record
AS 'MODULE_PATHNAME', 'failprobe_status'
LANGUAGE C VOLATILE;

CREATE FUNCTION failprobe.last_commit(
    OUT lsn          pg_lsn,
    OUT committed_at timestamptz)
RETURNS record
AS 'MODULE_PATHNAME', 'failprobe_last_commit'
LANGUAGE C VOLATILE;

CREATE FUNCTION failprobe.timeline_history()
RETURNS TABLE (tli integer, switchpoint pg_lsn, reason text)
AS 'MODULE_PATHNAME', 'failprobe_timeline_history'
LANGUAGE C VOLATILE;

-- Privileges.  Only the worker (a superuser connection) writes heartbeat and
-- events; pg_monitor may read them and the status.  The ledger is written by
-- whoever the DBA grants INSERT, SELECT on it (see docs/privileges.md).
-- last_commit() only shows the caller's own session, so it stays public.
GRANT USAGE ON SCHEMA failprobe TO PUBLIC;
REVOKE ALL ON failprobe.heartbeat, failprobe.events, failprobe.ledger FROM PUBLIC;
GRANT SELECT ON failprobe.heartbeat, failprobe.events TO pg_monitor;
REVOKE ALL ON FUNCTION failprobe.status(), failprobe.timeline_history() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION failprobe.status(), failprobe.timeline_history() TO pg_monitor;
