# 003_worker_restart.pl: the worker comes back after it is terminated and
# after a crash of the server, and a missing database is retried with a
# growing delay instead of a crash loop that floods the log.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FailprobeTest;

# PostgreSQL::Test::Cluster turns crash restarts off; this test needs one
my $node = init_primary('primary', interval => 100,
	conf => "restart_after_crash = on\n");
my $pid = wait_for_worker($node);
wait_for_beats($node, 3);

# --- terminated: restarted by the postmaster, beats continue --------------
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
my $new_pid = wait_for_worker($node, $pid);
isnt($new_pid, $pid, "worker restarted after termination ($pid -> $new_pid)");
my $seq = $node->safe_psql('postgres', 'SELECT max(seq) FROM failprobe.heartbeat');
wait_for_beats($node, 3, $seq);
pass('beats continue after the restart');
is($node->safe_psql('postgres', 'SELECT max(seq) - min(seq) + 1 = count(*) FROM failprobe.heartbeat'),
	't', 'no seq reused or skipped across the restart');

# --- a crash (SIGKILL of the worker) restarts the server and the worker ---
kill 'KILL', $new_pid;
my $crash_pid = wait_for_worker($node, $new_pid);
$seq = $node->safe_psql('postgres', 'SELECT max(seq) FROM failprobe.heartbeat');
wait_for_beats($node, 3, $seq);
pass("worker back after a crash restart (pid $crash_pid)");
cmp_ok(log_count($node, qr/terminating any other active server processes/), '>=', 1,
	'the server did go through a crash restart');

# --- one row per start in events ------------------------------------------
cmp_ok($node->safe_psql('postgres', "SELECT count(*) FROM failprobe.events WHERE kind = 'worker_started'"),
	'==', 3, 'three worker_started events for three starts');

# --- a hostile search_path: the worker resolves names in pg_catalog only --
# A function in another schema matching worker_started's argument types
# exactly would win over pg_catalog's VARIADIC "any" one, and a database's
# search_path applies to background workers too.
$node->safe_psql('postgres', q{
	CREATE SCHEMA evil;
	CREATE TABLE evil.hijacked (by text);
	CREATE FUNCTION evil.jsonb_build_object(text, int, text, int) RETURNS jsonb
		LANGUAGE sql AS $$ INSERT INTO evil.hijacked VALUES (current_user) RETURNING '{}'::jsonb $$;
	ALTER DATABASE postgres SET search_path = evil, pg_catalog, public;
});
my $evil_pid = wait_for_worker($node);
$node->safe_psql('postgres', "SELECT pg_terminate_backend($evil_pid)");
my $clean_pid = wait_for_worker($node, $evil_pid);
$node->poll_query_until('postgres',
	"SELECT count(*) = 4 FROM failprobe.events WHERE kind = 'worker_started'")
	or die 'no fourth worker_started event';
is($node->safe_psql('postgres', 'SELECT count(*) FROM evil.hijacked'), '0',
	'a function on the database\'s search_path is not called by the worker');
is($node->safe_psql('postgres', "SELECT detail ? 'pid' FROM failprobe.events "
		. "WHERE kind = 'worker_started' ORDER BY at DESC LIMIT 1"),
	't', 'its event was built by pg_catalog.jsonb_build_object');
$node->safe_psql('postgres', 'ALTER DATABASE postgres RESET search_path');
$node->stop;

# --- missing database: retried with backoff, said clearly ------------------
my $lost = init_primary('nodb', interval => 100, no_extension => 1,
	conf => "pg_failprobe.database = 'no_such_db'\n");
my $retry = qr/could not connect to database "no_such_db" \(2 attempts\); retrying in 4 s/;
ok($lost->wait_for_log($retry), 'the retry delay grows and is logged');
like(slurp_file($lost->logfile), qr/HINT:  Create the database, or set pg_failprobe.database/,
	'the log says what to do');
cmp_ok(log_count($lost, qr/FATAL:  database "no_such_db" does not exist/), '<=', 2,
	'two failed attempts by the time the second delay starts, not one a second');

# creating the database lets the worker in at its next attempt
$lost->safe_psql('postgres', 'CREATE DATABASE no_such_db');
$lost->safe_psql('no_such_db', 'CREATE EXTENSION pg_failprobe');
ok( $lost->poll_query_until('no_such_db', 'SELECT count(*) > 0 FROM failprobe.heartbeat'),
	'worker beats once the database exists');
$lost->stop;
done_testing();
