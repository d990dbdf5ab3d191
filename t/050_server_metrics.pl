# 050_server_metrics.pl: the server's own metrics, sampled by `failprobe run`
# beside the load, into LEDGER.server.jsonl.
#  - through a failover (primary + synchronous standby, the primary stopped
#    immediately mid-run and the standby promoted): about one sample a
#    second, the standby's replication row before the fault, failed samples
#    during the outage, then good samples from the promoted node (not in
#    recovery, timeline 2); the server's commits per second agree with the
#    client's acknowledgements per second in steady state;
#  - a role with no more than the ledger grants gets its samples, with the
#    privileged fields null, not errors;
#  - --no-server-metrics, and an existing samples file refused without --force.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP qw(decode_json);
use List::Util qw(sum);
use FailprobeTest;

my $failprobe = "$FindBin::Bin/../client/failprobe";
-x $failprobe or BAIL_OUT("$failprobe is not built: run make first");
my $dir = PostgreSQL::Test::Utils::tempdir;

sub samples_of
{
	my ($path) = @_;
	return map { decode_json($_) } grep { /\S/ } split /\n/, slurp_file($path);
}

sub median
{
	my @v = sort { $a <=> $b } @_;
	return @v ? $v[ int(@v / 2) ] : undef;
}

# --- a failover under load ----------------------------------------------------
my $primary = init_primary('primary050', interval => 100);
my $standby = init_standby($primary, 'standby050');
$primary->safe_psql('postgres',
	"ALTER SYSTEM SET synchronous_standby_names = 'standby050'; SELECT pg_reload_conf()");
$primary->poll_query_until('postgres', "SELECT sync_state = 'sync' FROM pg_stat_replication")
  or die 'standby never became synchronous';
my $dsn = sprintf("host=%s,%s port=%d,%d dbname=postgres target_session_attrs=read-write",
	$primary->host, $standby->host, $primary->port, $standby->port);

my ($out, $err) = ('', '');
my $h = IPC::Run::start([ $failprobe, 'run', '-d', $dsn, '-l', "$dir/run.ledger",
		'-R', '1000', '-c', '4', '-j', '2', '-T', '9', '--json', "$dir/run.json" ],
	'>', \$out, '2>', \$err);
$primary->poll_query_until('postgres', "SELECT count(*) > 4000 FROM failprobe.ledger")
  or die 'load did not start';
$primary->stop('immediate');
$standby->safe_psql('postgres', 'SELECT pg_promote()');
$h->finish;
note $err;
is($? >> 8, 0, 'the run completes through the failover');

my $j = decode_json(slurp_file("$dir/run.json"));
my $sm = $j->{server_metrics};
is($sm->{path}, "$dir/run.ledger.server.jsonl", 'run JSON names the samples file');
my @s = samples_of($sm->{path});
is(scalar(@s), $sm->{ok} + $sm->{failed}, 'run JSON counts every sample in the file');
is(scalar(grep { $_->{ok} } @s), $sm->{ok}, 'run JSON ok count matches the file');
my $mode = (stat $sm->{path})[2] & 07777;
is(sprintf('%o', $mode), '600', 'samples file has mode 0600');

# about once a second: the count follows the duration, the gaps are ~1 s
my $dur = $j->{duration_s};
ok(@s >= 0.6 * $dur && @s <= $dur + 3, scalar(@s) . " samples over $dur s");
my @gaps = map { ($s[$_]{t_us} - $s[ $_ - 1 ]{t_us}) / 1e6 } 1 .. $#s;
my $gap = median(@gaps);
ok($gap > 0.8 && $gap < 1.3, "median gap between samples ${gap} s");

# before the fault: the primary, timeline 1, its synchronous standby
my @before = grep { $_->{ok} && $_->{port} == $primary->port } @s;
ok(@before >= 2, scalar(@before) . ' good samples from the old primary');
ok(!$before[-1]{in_recovery} && $before[-1]{tli} == 1, 'old primary: not in recovery, timeline 1');
my ($rep) = grep { $_->{application_name} eq 'standby050' } @{ $before[-1]{replication} };
ok($rep, 'replication row of standby050 before the fault');
is($rep->{sync_state}, 'sync', 'standby050 is synchronous');
is($rep->{state}, 'streaming', 'standby050 is streaming');
ok(defined $rep->{lag_bytes} && $rep->{lag_bytes} >= 0, 'replication lag in bytes given');
like($before[-1]{wal_lsn}, qr{^[0-9A-F]+/[0-9A-F]+$}, 'WAL position as X/Y');
is($before[-1]{failprobe}{role}, 'primary', 'failprobe.status() row in the sample');

# the outage: failed samples, then the promoted node
my ($first_failed) = grep { !$s[$_]{ok} && $_ > 0 } 0 .. $#s;
ok(defined $first_failed, 'failed samples during the outage');
ok($s[$first_failed]{error} =~ /\S/ && $s[$first_failed]{error} !~ /\n/, "one-line reason: $s[$first_failed]{error}");
my @after = grep { $_->{ok} && $_->{port} == $standby->port } @s[ $first_failed .. $#s ];
ok(@after >= 1, scalar(@after) . ' good samples from the promoted node');
ok(!$after[-1]{in_recovery}, 'promoted node: not in recovery');
is($after[-1]{tli}, 2, 'promoted node: timeline 2');
ok(!(grep { $_->{ok} && $_->{port} == $primary->port } @s[ $first_failed .. $#s ]),
	'no good sample from the old primary after the fault');

# steady state before the fault: server commits/s against client acks/s
my @steady = @before[ 1 .. $#before ];
my $server_rate = ($steady[-1]{xact_commit} - $steady[0]{xact_commit})
  / (($steady[-1]{t_us} - $steady[0]{t_us}) / 1e6);
my @series = @{ $j->{series} };
my ($first_down) = grep { $series[$_]{down} > 0 || $series[$_]{in_doubt} > 0 } 0 .. $#series;
my $client_rate = median(map { $_->{acked} } @series[ 1 .. ($first_down // @series) - 1 ]);
note "server commits/s $server_rate, client acks/s $client_rate";
ok($server_rate > 0.7 * $client_rate && $server_rate < 1.3 * $client_rate,
	"server commits/s ($server_rate) within 30 % of client acks/s ($client_rate)");

# --- an unprivileged role ---------------------------------------------------------
$standby->safe_psql('postgres',
	'CREATE ROLE loader LOGIN; GRANT INSERT, SELECT ON failprobe.ledger TO loader');
my $udsn = sprintf("host=%s port=%d dbname=postgres user=loader", $standby->host, $standby->port);
IPC::Run::run([ $failprobe, 'run', '-d', $udsn, '-l', "$dir/user.ledger", '-R', '200',
		'-c', '2', '-T', '3', '-q', '--json', "$dir/user.json" ], '>', \$out, '2>', \$err);
is($? >> 8, 0, 'unprivileged run completes');
my $uj = decode_json(slurp_file("$dir/user.json"));
my @u = samples_of("$dir/user.ledger.server.jsonl");
is($uj->{server_metrics}{failed}, 0, 'no failed samples for the unprivileged role');
ok(@u >= 2, scalar(@u) . ' samples taken');
my $last = $u[-1];
ok($last->{ok} && defined $last->{xact_commit} && defined $last->{backends}, 'unprivileged: counters read');
is($last->{tli}, 2, 'unprivileged: timeline from the WAL file name');
ok(!defined $last->{failprobe}, 'unprivileged: failprobe.status() null (no EXECUTE)');
ok(!defined $last->{active}, 'unprivileged: other sessions\' states null');

# --- switched off; an existing file -----------------------------------------------
IPC::Run::run([ $failprobe, 'run', '-d', $udsn, '-l', "$dir/off.ledger", '-R', '100',
		'-c', '1', '-T', '1', '-q', '--no-server-metrics', '--json', "$dir/off.json" ], '>', \$out, '2>', \$err);
is($? >> 8, 0, '--no-server-metrics run completes');
ok(!-e "$dir/off.ledger.server.jsonl", '--no-server-metrics: no samples file');
ok(!defined decode_json(slurp_file("$dir/off.json"))->{server_metrics}, '--no-server-metrics: server_metrics null');
append_to_file("$dir/old.ledger.server.jsonl", "keep me\n");
IPC::Run::run([ $failprobe, 'run', '-d', $udsn, '-l', "$dir/old.ledger", '-T', '1', '-q' ],
	'>', \$out, '2>', \$err);
is($? >> 8, 2, 'existing samples file: exit 2');
like($err, qr/old\.ledger\.server\.jsonl already exists; use --force/, 'existing samples file: says what to do');
is(slurp_file("$dir/old.ledger.server.jsonl"), "keep me\n", 'existing samples file untouched');
ok(!-e "$dir/old.ledger", 'and no ledger created');

$standby->stop;
done_testing();
