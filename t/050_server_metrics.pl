# 050_server_metrics.pl: the server's own metrics, sampled by `failprobe run`
# beside the load, into LEDGER.server.jsonl.
#  - through a failover (primary + synchronous standby, the primary stopped
#    immediately mid-run and the standby promoted): about one sample a
#    second, the standby's replication row before the fault, failed samples
#    during the outage, then good samples from the promoted node (not in
#    recovery, timeline 2); the server's commits per second agree with the
#    client's acknowledgements per second in steady state (over the good
#    samples before and after the fault);
#  - a role with no more than the ledger grants gets its samples, with the
#    privileged fields null, not errors;
#  - --no-server-metrics, and an existing samples file refused without --force;
#  - failprobe report of the failover, rendered in headless Chromium: the
#    server's chart has a marker per sample (a cross per failed one), the
#    server's commits line, and the standby's lag before the failover and
#    not after the promotion, on the client's time axis; the run without
#    samples says "No server metrics"; a damaged line is skipped and counted.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP qw(decode_json);
use List::Util qw(sum);
use File::Copy qw(copy);
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
make_synchronous($primary, 'standby050');
my $dsn = node_dsn([ $primary, $standby ]);

my ($h, undef, $run_err) = start_load($dsn, "$dir/run", '-R', '1000', '-c', '4', '-j', '2', '-T', '9');
fail_over($primary, $standby, 4000);
$h->finish;
note $$run_err;
is($? >> 8, 0, 'the run completes through the failover');
my ($out, $err) = ('', '');

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

# steady state: server commits/s against client acks/s.  Each backend adds
# its commits to pg_stat_database at most once a second, later while the
# statistics are busy, and a crash loses what was not added: one window of
# the 3 s before the fault can be a third short.  So the server's rate is
# taken over every pair of consecutive good samples of one server, before
# and after the fault (6 s or more), the run's first second left out.
my ($commits, $secs) = (0, 0);
for my $i (2 .. $#s)
{
	my ($p, $q) = @s[ $i - 1, $i ];
	next unless $p->{ok} && $q->{ok} && $p->{port} == $q->{port};
	$commits += $q->{xact_commit} - $p->{xact_commit};
	$secs += ($q->{t_us} - $p->{t_us}) / 1e6;
}
my $server_rate = $secs > 0 ? $commits / $secs : 0;
my @series = @{ $j->{series} };
my ($first_down) = grep { $series[$_]{down} > 0 || $series[$_]{in_doubt} > 0 } 0 .. $#series;
my $client_rate = median(map { $_->{acked} } @series[ 1 .. ($first_down // @series) - 1 ]);
note "server commits/s $server_rate, client acks/s $client_rate";
# the server's counters are flushed to the statistics at most once a second,
# so a few samples before the fault can be a third off either way
ok($server_rate > 0.6 * $client_rate && $server_rate < 1.4 * $client_rate,
	"server commits/s ($server_rate) within 40 % of client acks/s ($client_rate)");

# --- the report page: the server's view against the client's ----------------------
my $html = "$dir/report.html";
my ($rout, $rerr) = ('', '');
IPC::Run::run([ $failprobe, 'report', '--ledger', "$dir/run.ledger", '--run-json', "$dir/run.json",
		'--html', $html ], '>', \$rout, '2>', \$rerr);
is($? >> 8, 0, 'report exits 0') or diag $rerr;
my $page = slurp_file($html);
like($page, qr/id="server-chart"/, 'the page has the server chart');
unlike($page, qr/id="server-none"/, 'and does not say "no server metrics"');
unlike($page, qr/<(?:script|link|img)[^>]*\bsrc=|<link[^>]*href=|https?:\/\//i,
	'still self-contained');

SKIP:
{
	my ($dom, $cerr) = chromium($html, '--dump-dom');
	skip 'chromium is not installed (scripts/install-deps installs it)', 14 unless defined $dom;
	like($dom, qr/<html[^>]*data-script="ready"/, 'chromium renders the page and its script runs')
	  or diag $cerr;

	# the server chart as the browser has it: a marker per sample
	my ($chart) = $dom =~ m{<figure class="chart" id="server-chart">(.*?)</figure>}s;
	ok(defined $chart, 'the server chart is in the rendered page');
	$chart //= '';
	my $markers = () = $chart =~ /class="sample /g;
	my $crosses = () = $chart =~ /class="sample failed"/g;
	is($markers, scalar(@s), 'a marker per sample in the server chart (' . scalar(@s) . ')');
	is($crosses, $sm->{failed}, "a cross per failed sample ($sm->{failed})");
	like($chart, qr/<path class="series-commits" d="M[\d.]+ [\d.]+L/, "the server's commits line is drawn");
	like($chart, qr/<path class="series-client-acks" d="M/, "over the client's acknowledgements");
	like($chart, qr/class="outage-band"/, 'with the outage band');

	# the numbers behind it (#fp-data): the same samples, on the client's axis
	my ($json) = $dom =~ m{<script type="application/json" id="fp-data">(.*?)</script>}s;
	my $d = decode_json($json // '{}');
	my $sv = $d->{server} // {};
	is($sv->{points}, scalar(@s), '#fp-data: a point per sample');
	my @t = @{ $sv->{t} // [] };
	ok(@t && $t[0] >= 0 && $t[0] < 2 && $t[-1] <= $d->{span_s},
		"sample times from the run's start, within the charts' span ($t[0] .. $t[-1] of $d->{span_s} s)");
	my ($outage_from, $outage_to) = @{ $d->{outage} // [] };
	my ($ff) = grep { !$sv->{ok}[$_] } 0 .. $#t;
	# a sample's time is when it started: a slow one may start before the outage
	ok(defined $ff && defined $outage_from && $t[$ff] > $outage_from - 1 && $t[$ff] < $outage_from + 3,
		'the first failed sample is where the client\'s outage begins ('
		  . ($ff // -1) . ': ' . ($t[$ff // 0] // '?') . " s, outage from " . ($outage_from // '?') . ' s)');

	# the commit rates are the samples' differences (the same server, both good)
	my @rates = map {
		my ($p, $q) = @s[ $_ - 1, $_ ];
		$p->{ok} && $q->{ok} && $p->{port} == $q->{port} && $q->{xact_commit} >= $p->{xact_commit}
		  ? ($q->{xact_commit} - $p->{xact_commit}) / (($q->{t_us} - $p->{t_us}) / 1e6) : undef
	} 1 .. $#s;
	unshift @rates, undef;
	my @differ = grep { defined $rates[$_] != defined $sv->{commits}[$_]
		  || (defined $rates[$_] && abs($rates[$_] - $sv->{commits}[$_]) > 0.1) } 0 .. $#s;
	ok(!@differ && (grep { defined } @rates) >= 4,
		"server commits/s on the page are the samples' rates (" . join(' ', map { $_ // '-' } @{ $sv->{commits} }) . ')');

	# the standby's lag before the failover, none after the promotion
	my ($lag) = grep { $_->{name} eq 'standby050' } @{ $sv->{standbys} // [] };
	my @with = grep { $lag && (defined $lag->{lag_ms}[$_] || defined $lag->{lag_bytes}[$_]) } 0 .. $#t;
	ok(@with >= 2 && $t[ $with[-1] ] < $outage_from + 1, scalar(@with)
		  . ' lag values of standby050, the last at ' . ($t[ $with[-1] // 0 ] // '?') . ' s, before the failover');
	ok(defined $d->{promotion} && !(grep { $t[$_] > $d->{promotion} } @with), 'no lag after the promotion');
	my ($k, $dots) = $dom =~ m{<path class="series-lag lag-(\d)" data-standby="standby050" d="M[^"]+"(?:/>|></path>)\s*<g class="lag-points lag-\d">(.*?)</g>}s;
	my $ndots = () = ($dots // '') =~ /<circle /g;
	ok(defined $k && $ndots >= 2, "the lag of standby050 is drawn ($ndots points)");

	my $png = "$PostgreSQL::Test::Utils::log_path/050_server_metrics.png";
	chromium($html, '--hide-scrollbars', '--window-size=1280,2600', "--screenshot=$png");
	ok(-s $png && slurp_file($png) =~ /^\x89PNG/, "a screenshot ($png)");
	copy($html, "$PostgreSQL::Test::Utils::log_path/050_server_metrics.html");
}

# a damaged line in the samples is skipped and counted; a missing named file is an error
my @lines = split /(?<=\n)/, slurp_file($sm->{path});
splice @lines, 2, 0, "{\"t_us\": 1, \"ok\": tru\n";
append_to_file("$dir/damaged.jsonl", join('', @lines));
IPC::Run::run([ $failprobe, 'report', '--ledger', "$dir/run.ledger", '--server-metrics', "$dir/damaged.jsonl",
		'--html', "$dir/damaged.html" ], '>', \$rout, '2>', \$rerr);
is($? >> 8, 0, 'a damaged samples file still makes a page');
my $damaged = slurp_file("$dir/damaged.html");
like($damaged, qr/id="server-skipped">1 damaged line skipped/, 'the damaged line is counted on the page');
like($damaged, qr/"server":\{"samples":${\ scalar(@s)},/, 'and every good sample is used');
IPC::Run::run([ $failprobe, 'report', '--ledger', "$dir/run.ledger", '--server-metrics', "$dir/nope.jsonl",
		'--html', "$dir/nope.html" ], '>', \$rout, '2>', \$rerr);
is($? >> 8, 2, '--server-metrics naming a missing file: exit 2');
like($rerr, qr/^failprobe: cannot read \S*nope\.jsonl[^\n]*\n\z/, 'one line naming it');

# --- an unprivileged role ---------------------------------------------------------
$standby->safe_psql('postgres',
	'CREATE ROLE loader LOGIN; GRANT INSERT, SELECT ON failprobe.ledger TO loader');
my $udsn = node_dsn($standby, 'user=loader');
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
IPC::Run::run([ $failprobe, 'report', '--ledger', "$dir/off.ledger", '--html', "$dir/off.html" ],
	'>', \$out, '2>', \$err);
is($? >> 8, 0, 'report of a run without samples exits 0');
like(slurp_file("$dir/off.html"), qr/id="server-none"><b>No server metrics<\/b>: <code>[^<]*off\.ledger\.server\.jsonl<\/code> is not there/,
	'and the page says "No server metrics"');
append_to_file("$dir/old.ledger.server.jsonl", "keep me\n");
IPC::Run::run([ $failprobe, 'run', '-d', $udsn, '-l', "$dir/old.ledger", '-T', '1', '-q' ],
	'>', \$out, '2>', \$err);
is($? >> 8, 2, 'existing samples file: exit 2');
like($err, qr/old\.ledger\.server\.jsonl already exists; use --force/, 'existing samples file: says what to do');
is(slurp_file("$dir/old.ledger.server.jsonl"), "keep me\n", 'existing samples file untouched');
ok(!-e "$dir/old.ledger", 'and no ledger created');

$standby->stop;
done_testing();
