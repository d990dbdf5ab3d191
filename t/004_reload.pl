# 004_reload.pl: heartbeat_interval and retention change on reload.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FailprobeTest;

my $node = init_primary('primary', interval => 100);
wait_for_beats($node, 5);
my $pid = status_of($node)->{worker_pid};

# Beats whose beat_at lies in a window of $secs seconds starting after now.
sub beats_in_window
{
	my ($secs) = @_;
	my $t0 = $node->safe_psql('postgres', 'SELECT max(beat_at) FROM failprobe.heartbeat');
	$node->poll_query_until('postgres',
		"SELECT max(beat_at) > '$t0'::timestamptz + interval '$secs s' + interval '0.5 s'
		   FROM failprobe.heartbeat")
	  or die 'beats stopped';
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM failprobe.heartbeat
		  WHERE beat_at > '$t0' AND beat_at <= '$t0'::timestamptz + interval '$secs s'");
}

# --- 100 ms -> 250 ms ---------------------------------------------------
$node->safe_psql('postgres',
	"ALTER SYSTEM SET pg_failprobe.heartbeat_interval = '250ms'; SELECT pg_reload_conf()");
ok($node->poll_query_until('postgres', 'SELECT heartbeat_interval_ms = 250 FROM failprobe.status()'),
	'status shows the new interval');
my $n = beats_in_window(3);
# a stall of a starved VM makes the worker skip beats (it never bursts):
# one more window before calling the pace wrong
$n = beats_in_window(3) if $n < 10;
cmp_ok($n, '>=', 10, "at least 10 beats in 3 s at 250 ms ($n)");
cmp_ok($n, '<=', 14, "at most 14 beats in 3 s at 250 ms ($n)");
is(status_of($node)->{worker_pid}, $pid, 'same worker: reloaded, not restarted');

# --- 0 turns beats off ------------------------------------------------------
$node->safe_psql('postgres',
	"ALTER SYSTEM SET pg_failprobe.heartbeat_interval = 0; SELECT pg_reload_conf()");
$node->poll_query_until('postgres', 'SELECT heartbeat_interval_ms = 0 FROM failprobe.status()');
my $before = status_of($node)->{beats_written};
# a negative check needs a span of time: one second is ten missed beats
$node->safe_psql('postgres', 'SELECT pg_sleep(1)');
is(status_of($node)->{beats_written}, $before, 'no beats while the interval is 0');

# --- retention prunes old rows in batches --------------------------------
# At 20 ms and 2 s retention, pruned once a second, no row may be older
# than about 3 s and the table holds at most ~150 rows, while 4 s of beats
# (200) were written.
$node->safe_psql('postgres',
	"ALTER SYSTEM SET pg_failprobe.heartbeat_interval = '20ms';
	 ALTER SYSTEM SET pg_failprobe.retention = '2s'; SELECT pg_reload_conf()");
$node->poll_query_until('postgres', 'SELECT heartbeat_interval_ms = 20 FROM failprobe.status()');
my $seq0 = $node->safe_psql('postgres', 'SELECT max(seq) FROM failprobe.heartbeat');
$node->poll_query_until('postgres', "SELECT max(seq) >= $seq0 + 200 FROM failprobe.heartbeat")
  or die 'beats stopped';
my ($rows, $oldest_ok) = split /\|/, $node->safe_psql('postgres',
	"SELECT count(*), min(beat_at) > now() - interval '3.5 s' FROM failprobe.heartbeat");
cmp_ok($rows, '<=', 175, "table stays small ($rows rows after 200 beats)");
cmp_ok($rows, '>=', 80, "recent rows are kept ($rows)");
is($oldest_ok, 't', 'no row older than retention plus one prune period');

# --- pruning looks at the oldest batch only -----------------------------------
# 200,000 recent rows below the worker's seq, none old enough to go: a prune
# that filtered on beat_at first would read them all every second.
$node->safe_psql('postgres',
	"ALTER SYSTEM SET pg_failprobe.retention = '1h'; SELECT pg_reload_conf()");
$node->safe_psql('postgres',
	"INSERT INTO failprobe.heartbeat SELECT -g, 1, now(), '0/0', 'filler' FROM generate_series(1, 200000) g;
	 ANALYZE failprobe.heartbeat");
$node->safe_psql('postgres', 'SELECT pg_sleep(1.5)');
my $read = q{SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables
	WHERE relid = 'failprobe.heartbeat'::regclass};
my $read0 = $node->safe_psql('postgres', $read);
my $beats0 = status_of($node)->{beats_written};
$node->safe_psql('postgres', 'SELECT pg_sleep(3.5)');
my $tuples = $node->safe_psql('postgres', $read) - $read0;
my $beats = status_of($node)->{beats_written} - $beats0;
cmp_ok($tuples, '<', 20000, "3.5 s of pruning (3 or 4 prunes) read $tuples rows of the 200,000");
cmp_ok($beats, '>=', 150, "the beat kept its pace at 20 ms ($beats beats in 3.5 s)");
$node->safe_psql('postgres', 'DELETE FROM failprobe.heartbeat WHERE seq < 0');

# --- a read-only primary: retried with a growing backoff ------------------------
# Every beat fails (25006), while the step that re-reads the tables works:
# the waits must still grow (1 s, 2 s, 4 s, ...), not stay at one second.
my $log_at = -s $node->logfile;
$node->safe_psql('postgres',
	"ALTER SYSTEM SET default_transaction_read_only = on; SELECT pg_reload_conf()");
ok($node->wait_for_log(qr/retrying in 4000 ms/, $log_at),
	'read-only: the backoff grows to 4 s after three failed beats');
my $log = slurp_file($node->logfile, $log_at);
like($log, qr/cannot execute INSERT in a read-only transaction/, 'read-only: the error is logged');
my $fails = () = $log =~ /worker step failed/g;
cmp_ok($fails, '<=', 4, "read-only: $fails failures logged by then, not one a second");
$node->safe_psql('postgres',
	"SET default_transaction_read_only = off; ALTER SYSTEM RESET default_transaction_read_only; SELECT pg_reload_conf()");
$beats0 = status_of($node)->{beats_written};
ok($node->poll_query_until('postgres', "SELECT beats_written > $beats0 FROM failprobe.status()"),
	'read-only: beats resume once the primary takes writes again');

$node->stop;
done_testing();
