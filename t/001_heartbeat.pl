# 001_heartbeat.pl: beats arrive on the primary at the configured rate and
# replay on a standby, whose worker reports a sane replay lag.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Sys::Hostname ();
use FailprobeTest;

# --- before CREATE EXTENSION the worker waits, and says so once ----------
my $primary = init_primary('primary', interval => 100, no_extension => 1);
my $waiting = qr/LOG:  pg_failprobe: extension is not installed/;
ok($primary->wait_for_log($waiting), 'worker says it waits for the extension');
$primary->safe_psql('postgres', 'CREATE EXTENSION pg_failprobe');
wait_for_beats($primary, 5);
is(log_count($primary, $waiting), 1,
	'the wait was logged once, not once per poll');

# --- rate: 100 ms interval gives 10 beats a second (+-20 %) --------------
# Count beats whose beat_at falls in a 3 s window, once the window is over.
sub beats_in_3s
{
	my $t0 = $primary->safe_psql('postgres', 'SELECT max(beat_at) FROM failprobe.heartbeat');
	$primary->poll_query_until('postgres',
		"SELECT max(beat_at) > '$t0'::timestamptz + interval '3.2 s' FROM failprobe.heartbeat")
	  or die 'beats stopped';
	return $primary->safe_psql('postgres',
		"SELECT count(*) FROM failprobe.heartbeat
		  WHERE beat_at > '$t0' AND beat_at <= '$t0'::timestamptz + interval '3 s'");
}
my $in_window = beats_in_3s();
# a stall of a starved VM makes the worker skip beats (it never bursts):
# one more window before calling the pace wrong
$in_window = beats_in_3s() if $in_window < 24;
cmp_ok($in_window, '>=', 24, "at least 24 beats in 3 s ($in_window)");
cmp_ok($in_window, '<=', 36, "at most 36 beats in 3 s ($in_window)");

my $dense = $primary->safe_psql('postgres',
	'SELECT max(seq) - min(seq) + 1 = count(*) FROM failprobe.heartbeat');
is($dense, 't', 'seq rises by one per beat');

my $st = status_of($primary);
is($st->{role}, 'primary', 'status: role primary');
is($st->{tli}, '1', 'status: timeline 1');
is($st->{replay_lag_ms}, '', 'status: no replay lag on a primary');
is($st->{node}, 'primary', 'status: node name is cluster_name');

# --- standby: beats replay, the worker there writes nothing --------------
my $standby = init_standby($primary, 'standby');
my $seq_now = status_of($primary)->{last_seq};
ok( $standby->poll_query_until('postgres',
		"SELECT last_seq > $seq_now FROM failprobe.status()"),
	'standby worker sees newer beats replayed');

$st = status_of($standby);
is($st->{role}, 'standby', 'standby: role standby');
isnt($st->{worker_pid}, '', 'standby: worker runs');
is($st->{beats_written}, '0', 'standby: worker writes no beats');
cmp_ok($st->{replay_lag_ms}, '>=', 0, "standby: replay lag >= 0 ($st->{replay_lag_ms} ms)");
# polled: one look can land in a stall of a starved VM
ok($standby->poll_query_until('postgres', 'SELECT replay_lag_ms < 2000 FROM failprobe.status()'),
	'standby: replay lag under 2 s on loopback');
ok($standby->poll_query_until('postgres',
		"SELECT now() - upstream_last_heard < interval '5 s' FROM failprobe.status()"),
	'standby: upstream heard within the last 5 s');

# the standby's rows are the primary's rows
$primary->wait_for_catchup($standby);
my $q = 'SELECT md5(string_agg(seq || lsn::text || beat_at::text, \',\' ORDER BY seq))
	FROM failprobe.heartbeat WHERE seq <= ' . $seq_now;
is($standby->safe_psql('postgres', $q), $primary->safe_psql('postgres', $q),
	'standby holds the same beats');

# a standby cannot be written to, and the worker there did not try
is(log_count($standby, qr/read-only transaction|worker step failed/), 0,
	'no write attempts or failures logged on the standby');

$standby->stop;
$primary->stop;

# --- the defaults: a 100 ms beat, and host:port without cluster_name ----------
my $plain = PostgreSQL::Test::Cluster->new('defaults');
$plain->init;
$plain->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_failprobe'\n");
# started by hand: the test framework's start() names the cluster on the
# command line, and the fallback is for clusters without a name
PostgreSQL::Test::Utils::system_or_bail('pg_ctl', '-w', '-D', $plain->data_dir, '-l', $plain->logfile, 'start');
$plain->_update_pid(1);
$plain->safe_psql('postgres', 'CREATE EXTENSION pg_failprobe');
$plain->poll_query_until('postgres', 'SELECT count(*) >= 2 FROM failprobe.heartbeat') or die 'no beats';
my $d = status_of($plain);
is($d->{heartbeat_interval_ms}, '100', 'default heartbeat_interval: 100 ms');
my $hostname = Sys::Hostname::hostname();
is($d->{node}, "$hostname:" . $plain->port, "default node name without cluster_name: host:port ($d->{node})");
my ($first, $n) = split /\|/, $plain->safe_psql('postgres',
	'SELECT max(seq), max(beat_at) FROM failprobe.heartbeat');
$plain->safe_psql('postgres', 'SELECT pg_sleep(2)');
my $beats = $plain->safe_psql('postgres',
	"SELECT count(*) FROM failprobe.heartbeat WHERE seq > $first AND beat_at <= '$n'::timestamptz + interval '2 s'");
cmp_ok($beats, '>=', 16, "about 20 beats in 2 s at the default interval ($beats)");
cmp_ok($beats, '<=', 24, 'and not more');
$plain->stop;
done_testing();
