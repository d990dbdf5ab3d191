--
-- setup: the objects CREATE EXTENSION made, and the settings
--
SELECT extname, extversion FROM pg_extension WHERE extname = 'pg_failprobe';

SELECT c.relname, c.relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'failprobe' AND c.relkind IN ('r', 'i')
 ORDER BY c.relname;

SELECT p.proname, pg_get_function_result(p.oid) AS result
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'failprobe'
 ORDER BY p.proname;

-- settings are namespaced, typed and documented
SELECT name, setting, unit, context, vartype
  FROM pg_settings WHERE name LIKE 'pg_failprobe.%' ORDER BY name;

-- the prefix is reserved: a typo is an error, not a silent placeholder
SET pg_failprobe.heartbeat_intervall = 10;

-- nonsense values are refused
SET pg_failprobe.heartbeat_interval = -1;
ALTER SYSTEM SET pg_failprobe.heartbeat_interval = -1;
