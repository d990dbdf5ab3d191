# 002_promotion.pl: stop the primary immediately under writes, promote the
# standby.  The promoted node records the switch point exactly as its
# history file has it, on timeline 2, with the last heartbeat of timeline 1
# it replayed; then it beats on, continuing the sequence.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();
use FailprobeTest;

my $primary = init_primary('primary', interval => 50);
my $standby = init_standby($primary, 'standby');
wait_for_beats($primary, 10);

# --- writes in flight, then an immediate stop ---------------------------
$primary->safe_psql('postgres',
	"INSERT INTO failprobe.ledger
	 SELECT 1, 0, g, '\\x00', now() FROM generate_series(1, 1000) g");
# read before the catchup, so every beat up to it has reached the standby
my $old_last_seq = $primary->safe_psql('postgres', 'SELECT max(seq) FROM failprobe.heartbeat');
$primary->wait_for_catchup($standby);
$primary->stop('immediate');

# the standby notices its upstream is gone only by no longer hearing it;
# what it received is replayed before the newest beat is read
$standby->poll_query_until('postgres',
	'SELECT pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn()')
  or die 'the standby did not replay what it received';
my $replayed_seq = $standby->safe_psql('postgres',
	'SELECT max(seq) FROM failprobe.heartbeat');
cmp_ok($replayed_seq, '>=', $old_last_seq,
	"standby replayed every beat the primary had before the catchup ($replayed_seq >= $old_last_seq)");

$standby->safe_psql('postgres', 'SELECT pg_promote()');

# --- the promoted event ---------------------------------------------------
ok( $standby->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM failprobe.events WHERE kind = 'promoted'"),
	'promoted event recorded');

my $switchpoint = history_switchpoint($standby, 2);
my ($tli, $lsn, $prev_tli, $last_hb_seq, $last_hb_tli, $hb_before_switch,
	$heard_before, $promoted_at_set, $seen)
  = split /\|/, $standby->safe_psql('postgres', q{
	SELECT tli, lsn, detail->>'previous_tli',
	       detail->'last_heartbeat'->>'seq', detail->'last_heartbeat'->>'tli',
	       (detail->'last_heartbeat'->>'lsn')::pg_lsn < lsn,
	       (detail->>'upstream_last_heard')::timestamptz <= (detail->>'promoted_at')::timestamptz,
	       detail->>'promoted_at' IS NOT NULL,
	       detail->>'seen'
	  FROM failprobe.events WHERE kind = 'promoted'});

is($tli, '2', 'event on timeline 2');
is($lsn, $switchpoint, "event LSN is the history file's switch point ($switchpoint)");
is($prev_tli, '1', 'previous timeline 1');
is($last_hb_seq, $replayed_seq, 'last heartbeat is the newest one replayed from timeline 1');
is($last_hb_tli, '1', 'last heartbeat came from timeline 1');
is($hb_before_switch, 't', 'last heartbeat lies before the switch point');
is($heard_before, 't', 'upstream last heard before the promotion');
is($promoted_at_set, 't', 'promotion time recorded');
is($seen, 'live', 'the worker saw the promotion happen');

# the promotion time is when the node wrote its new history file; the worker
# saw it within one interval (50 ms) plus the scheduling of this machine
my ($promoted_epoch, $seen_after) = split /\|/, $standby->safe_psql('postgres', q{
	SELECT extract(epoch FROM (detail->>'promoted_at')::timestamptz),
	       extract(epoch FROM (detail->>'seen_at')::timestamptz - (detail->>'promoted_at')::timestamptz)
	  FROM failprobe.events WHERE kind = 'promoted'});
my $mtime = (Time::HiRes::stat($standby->data_dir . '/pg_wal/00000002.history'))[9];
cmp_ok(abs($promoted_epoch - $mtime), '<', 0.002,
	"promoted_at is when the history file was written ($promoted_epoch vs $mtime)");
cmp_ok($seen_after, '>=', 0, 'seen after the promotion');
cmp_ok($seen_after, '<', 1, "seen within an interval plus scheduling ($seen_after s after)");

# --- timeline_history() says the same as the file -----------------------
is( $standby->safe_psql('postgres', 'SELECT tli, switchpoint FROM failprobe.timeline_history()'),
	"1|$switchpoint", 'timeline_history() matches the history file');

# --- beats resume on timeline 2, continuing the sequence -----------------
ok( $standby->poll_query_until('postgres',
		'SELECT count(*) >= 5 FROM failprobe.heartbeat WHERE tli = 2'),
	'beats resume on the promoted node');
my ($first_new, $last_old) = split /\|/, $standby->safe_psql('postgres',
	'SELECT (SELECT min(seq) FROM failprobe.heartbeat WHERE tli = 2),
	        (SELECT max(seq) FROM failprobe.heartbeat WHERE tli = 1)');
is($first_new, $last_old + 1, "seq continues: $last_old then $first_new");
my $st = status_of($standby);
is($st->{role}, 'primary', 'status: now primary');
is($st->{tli}, '2', 'status: timeline 2');
isnt($st->{last_promotion_at}, '', 'status: last promotion time set');
is($st->{replay_lag_ms}, '', 'status: no replay lag any more');

# --- the writes acknowledged before the stop survived -------------------
is($standby->safe_psql('postgres', 'SELECT count(*) FROM failprobe.ledger'),
	'1000', 'caught-up writes survived the failover');

# --- a restart does not record the promotion twice -----------------------
my $pid = $st->{worker_pid};
$standby->restart;
wait_for_worker($standby, $pid);
wait_for_beats($standby, 3, $standby->safe_psql('postgres', 'SELECT max(seq) FROM failprobe.heartbeat'));
is($standby->safe_psql('postgres', "SELECT count(*) FROM failprobe.events WHERE kind = 'promoted'"),
	'1', 'one promoted event after a restart');
isnt(status_of($standby)->{last_promotion_at}, '', 'promotion time read back after restart');

# --- a standby of the promoted node replays its promoted event -----------
# That promotion is not this node's: its status says it was never promoted.
my $standby2 = init_standby($standby, 'standby2');
wait_for_worker($standby2);
$standby2->poll_query_until('postgres',
	"SELECT role = 'standby' AND last_seq IS NOT NULL FROM failprobe.status()")
  or die 'the new standby never watched replay';
is($standby2->safe_psql('postgres', "SELECT count(*) FROM failprobe.events WHERE kind = 'promoted'"),
	'1', "the new standby has the promoted node's event");
is(status_of($standby2)->{last_promotion_at}, '', 'but reports no promotion of its own');
$standby2->stop;

$standby->stop;
done_testing();
