# 020_verify_sync.pl: failprobe verify after a failover with a synchronous
# standby.  failprobe run at 2000 TPS, the primary stopped immediately
# under load, the standby promoted; then verify against the promoted node.
# Nothing acknowledged may be lost (synchronous replication), so verify
# must exit 0 with acked_lost = 0, corrupt = 0, unexpected = 0; its counts
# must be the run's; the in-doubt writes split into committed + absent;
# its RTO is the run's own (one definition); and its findings agree with
# independent SQL on the promoted node and with the server's record of the
# promotion (the switch point in the timeline history file).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP qw(decode_json);
use FailprobeTest;

my $failprobe = "$FindBin::Bin/../client/failprobe";
-x $failprobe or BAIL_OUT("$failprobe is not built: run make first");
my $dir = PostgreSQL::Test::Utils::tempdir;

# --- a primary with a synchronous standby ---------------------------------------
my $primary = init_primary('primary', interval => 100);
my $standby = init_standby($primary, 'standby');
make_synchronous($primary, 'standby');
my $dsn = node_dsn([ $primary, $standby ]);

# --- load, and the fault under it -------------------------------------------------
my ($h) = start_load($dsn, "$dir/run", '-R', '2000', '-c', '4', '-j', '2', '-T', '8');
fail_over($primary, $standby, 3000);
$h->finish;
is($? >> 8, 0, 'run completes through the failover');
my $run = decode_json(slurp_file("$dir/run.json"));
note "run: sent $run->{sent} acked $run->{acked} failed $run->{failed} in doubt $run->{in_doubt}";

# --- verify against the promoted node --------------------------------------------
my $vdsn = node_dsn($standby);
my ($vout, $verr) = ('', '');
IPC::Run::run([ $failprobe, 'verify', '--dsn', $vdsn, '--ledger', "$dir/run.ledger",
		'--json', "$dir/verify.json" ], '>', \$vout, '2>', \$verr);
my $rc = $? >> 8;
note $vout;
note $verr if $verr;
is($rc, 0, 'verify exits 0: no acknowledged write lost');
my $v = decode_json(slurp_file("$dir/verify.json"));

is($v->{acked_lost}, 0, 'acked_lost = 0');
is($v->{corrupt}, 0, 'corrupt = 0');
is($v->{unexpected}, 0, 'unexpected = 0');
is($v->{$_}, $run->{$_}, "$_ = the run's ($run->{$_})") for qw(sent acked failed in_doubt);
is($v->{in_doubt_committed} + $v->{in_doubt_absent}, $v->{in_doubt},
	"in doubt: committed $v->{in_doubt_committed} + absent $v->{in_doubt_absent} = $v->{in_doubt}");
is($v->{rpo_ms}, 0, 'rpo_ms = 0');
ok(defined $v->{rto_ms} && $v->{rto_ms} > 0, "an RTO ($v->{rto_ms} ms)");
ok(abs($v->{rto_ms} - $run->{rto_ms}) < 0.01, "the same RTO as the run's summary ($run->{rto_ms} ms)");
is($v->{outage}{tli_before}, 1, 'outage from timeline 1');
is($v->{outage}{tli_after}, 2, 'to timeline 2');
like($vout, qr/verdict\s+PASS/, 'the report says PASS');

# --- independently, in SQL on the promoted node ------------------------------------
my $rows = $standby->safe_psql('postgres',
	"SELECT count(*) FROM failprobe.ledger WHERE run_id = $run->{run_id}");
is($v->{rows}, $rows, "verify saw every row of the run ($rows)");
is($v->{acked_present} + $v->{in_doubt_committed} + $v->{failed_present} + $v->{unexpected},
	$rows, 'acked present + in doubt committed + failed present + unexpected = rows');
my $bad = $standby->safe_psql('postgres',
	"SELECT count(*) FROM failprobe.ledger WHERE run_id = $run->{run_id} AND digest <>
	 sha256(int8send(run_id) || int4send(worker) || int8send(seq) || coalesce(payload, ''::bytea))");
is($bad, 0, 'SQL finds no inconsistent row either');

# --- the server's own record, and the cross-check against it ------------------------
my ($p) = grep { $_->{tli} == 2 } @{ $v->{server}{promotions} };
ok($p, 'the promotion to timeline 2 is in the report');
is($p->{switchpoint}, history_switchpoint($standby, 2), 'its switch point is the history file\'s');
is($p->{previous_tli}, 1, 'from timeline 1');
ok($p->{last_heartbeat} && $p->{last_heartbeat}{tli} == 1, 'the last surviving heartbeat of timeline 1 is shown');
cmp_ok($v->{lsn_check}{checked}, '>', 1000, "acked writes checked against the switch point ($v->{lsn_check}{checked})");
is($v->{lsn_check}{lost_before_switch} + $v->{lsn_check}{kept_after_switch}, 0,
	'no write on the wrong side of the switch point');
is($v->{split_brain}{acks}, 0, 'no split brain');
like($vout, qr/server\s+promoted to timeline 2 from 1/, 'the text shows the server view');

$standby->stop;
done_testing();
