# 021_verify_async_loss.pl: failprobe verify finds real loss after a failover
# to an asynchronous standby.
#
# Under load, the primary's walsender is paused (SIGSTOP on the pid in
# pg_stat_replication), so the primary acknowledges commits the standby never
# receives; then the primary is stopped immediately (in the background: it
# waits on the stopped walsender, which SIGCONT releases) and the standby
# promoted.  The ground truth comes from outside verify: the old primary is
# started again on its own (a primary of nothing, connected to no one), its
# rows of the run are copied into the new primary and compared there in SQL.
# verify must report acked_lost consistent with it (every write it calls
# lost is truly lost; the truly lost not explained by in-doubt writes are
# all in acked_lost), exit 1, rpo_ms > 0, and find no contradiction with the
# server's switch point; with --old-primary its lost tail must be exactly
# the truly lost rows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP qw(decode_json);
use Time::HiRes qw(usleep);
use FailprobeTest;

my $failprobe = "$FindBin::Bin/../client/failprobe";
-x $failprobe or BAIL_OUT("$failprobe is not built: run make first");
my $dir = PostgreSQL::Test::Utils::tempdir;

my $primary = init_primary('primary', interval => 100);
my $standby = init_standby($primary, 'standby');
my $dsn = node_dsn([ $primary, $standby ]);

# --- load; pause replication under it; stop the primary; promote ------------------
my ($h) = start_load($dsn, "$dir/run", '-R', '1500', '-c', '4', '-j', '2', '-T', '8');
$primary->poll_query_until('postgres', "SELECT count(*) > 2000 FROM failprobe.ledger")
  or die 'load did not start';
my $walsender = $primary->safe_psql('postgres', 'SELECT pid FROM pg_stat_replication');
ok($walsender =~ /^\d+$/, "the walsender ($walsender)");
my $before = $primary->safe_psql('postgres', 'SELECT count(*) FROM failprobe.ledger');
kill 'STOP', $walsender;
# commits the standby will never see
$primary->poll_query_until('postgres',
	"SELECT count(*) > $before + 1000 FROM failprobe.ledger") or die 'load stalled';
# SIGQUIT is queued for the stopped walsender first, so that it dies the moment
# it continues: if pg_ctl's own came later than the SIGCONT (a slow VM), the
# walsender would ship its backlog and nothing would be lost (as in the drill).
kill 'QUIT', $walsender;
my ($so, $se) = ('', '');
my $stop = IPC::Run::start([ 'pg_ctl', '-D', $primary->data_dir, '-m', 'immediate', 'stop' ],
	'>', \$so, '2>', \$se);
usleep(300_000);
kill 'CONT', $walsender;
$stop->finish;
$primary->_update_pid(0);
$standby->safe_psql('postgres', 'SELECT pg_promote()');
$h->finish;
is($? >> 8, 0, 'run completes through the failover');
my $run = decode_json(slurp_file("$dir/run.json"));
my $rid = $run->{run_id};

# --- verify against the promoted node ----------------------------------------------
my $vdsn = node_dsn($standby);
sub verify
{
	my ($json, @extra) = @_;
	my ($vout, $verr) = ('', '');
	IPC::Run::run([ $failprobe, 'verify', '-d', $vdsn, '-l', "$dir/run.ledger",
			'--json', "$dir/$json", @extra ], '>', \$vout, '2>', \$verr);
	my $rc = $? >> 8;
	note $vout;
	note $verr if $verr;
	return ($rc, decode_json(slurp_file("$dir/$json")), $vout);
}
my ($rc, $v, $text) = verify('verify.json');
is($rc, 1, 'verify exits 1: acknowledged writes were lost');
cmp_ok($v->{acked_lost}, '>', 0, "acked_lost = $v->{acked_lost}");
cmp_ok($v->{rpo_ms}, '>', 0, "rpo_ms = $v->{rpo_ms}");
like($text, qr/verdict\s+FAIL: \d+ acknowledged writes lost/, 'the verdict names the loss');
ok($v->{lost_ranges}{complete}, 'every lost range is listed');
cmp_ok($v->{lsn_check}{checked}, '>', 1000, "writes checked against the switch point ($v->{lsn_check}{checked})");
is($v->{lsn_check}{lost_before_switch}, 0, 'no lost write committed at or before the switch point');
is($v->{lsn_check}{kept_after_switch}, 0, 'no surviving write committed beyond it');
is($v->{split_brain}{acks}, 0, 'no split brain');
is($v->{rpo}{lsn_known}, $v->{acked_lost}, 'a commit LSN for every lost write');
my ($p) = grep { $_->{tli} == 2 } @{ $v->{server}{promotions} };
is($p->{switchpoint}, history_switchpoint($standby, 2), 'switch point as in the history file');

# --- the ground truth: the old primary, on its own ------------------------------------
$primary->start;
is($primary->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 'f',
	'the old primary runs on its own');
is($primary->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_wal_receiver'), '0',
	'and follows no one');
$primary->safe_psql('postgres',
	"COPY (SELECT worker, seq FROM failprobe.ledger WHERE run_id = $rid) TO '$dir/old_rows.txt'");
my $truth = $standby->safe_psql('postgres', qq{
	CREATE TABLE old_rows (worker int, seq bigint);
	COPY old_rows FROM '$dir/old_rows.txt';
	SELECT worker || ':' || seq FROM old_rows o
	 WHERE NOT EXISTS (SELECT 1 FROM failprobe.ledger l
	                    WHERE l.run_id = $rid AND l.worker = o.worker AND l.seq = o.seq)
	 ORDER BY o.worker, o.seq});
my %truly_lost = map { $_ => 1 } grep { length } split /\n/, $truth;
my $n_truth = scalar keys %truly_lost;
note "truly lost (on the old primary, not on the new): $n_truth";
cmp_ok($n_truth, '>', 0, 'the fault really lost rows');

sub expand
{
	my ($ranges) = @_;
	my @ids;
	for my $r (@{ $ranges->{list} })
	{
		push @ids, "$r->{worker}:$_" for $r->{from} .. $r->{to};
	}
	return @ids;
}
my @lost = expand($v->{lost_ranges});
is(scalar @lost, $v->{acked_lost}, 'the ranges cover acked_lost writes');
is(scalar(grep { !$truly_lost{$_} } @lost), 0, 'every write verify calls lost is truly lost');
cmp_ok($n_truth - $v->{in_doubt}, '<=', $v->{acked_lost},
	"truly lost ($n_truth) - in doubt ($v->{in_doubt}) <= acked_lost");
cmp_ok($v->{acked_lost}, '<=', $n_truth, 'acked_lost <= truly lost');

# --- --old-primary: the lost tail, seen from both sides --------------------------------
my $odsn = node_dsn($primary);
my ($rc2, $v2, $text2) = verify('verify_old.json', '--old-primary', $odsn);
is($rc2, 1, 'with --old-primary: still exit 1');
my $o = $v2->{old_primary};
is($o->{lost_tail}, $n_truth, "the lost tail is the truly lost rows ($o->{lost_tail})");
ok($o->{lost_tail_ranges}{complete}, 'every range of the tail is listed');
my @tail = expand($o->{lost_tail_ranges});
is_deeply([ sort @tail ], [ sort keys %truly_lost ], 'the same writes, one by one');
is($o->{unknown_rows}, 0, 'no row on the old primary the ledger does not know');
is($o->{lost_tail_acked}, $v2->{acked_lost}, 'every lost acknowledged write is in the tail');
is($o->{acked_on_neither}, 0, 'no acknowledged write is on neither node');
like($text2, qr/old primary .*lost tail/, 'the text reports the lost tail');

# --- an old primary without a row of the run: the lost writes are on neither --------
$primary->safe_psql('postgres', "DELETE FROM failprobe.ledger WHERE run_id = $rid");
my ($rc3, $v3, $text3) = verify('verify_empty_old.json', '--old-primary', $odsn);
is($v3->{old_primary}{acked_on_neither}, $v3->{acked_lost},
	"old primary without the run's rows: all $v3->{acked_lost} lost acknowledged writes are on neither node");
like($text3, qr/WARNING\s+$v3->{acked_lost} acked writes are on neither node/, 'and the text warns of it');

$primary->stop;
$standby->stop;
done_testing();
