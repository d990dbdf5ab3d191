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

$node->stop;
done_testing();
