# 051_export.pl: `failprobe export` of a real run to CSV.
#  - a short staged run against a primary that is restarted (immediate) in
#    the middle, so that every outcome appears: the per-second columns of
#    client_seconds.csv add up exactly to the run JSON's counts;
#  - server_seconds.csv has a row per sample, stages.csv a row per stage,
#    writes.csv (--writes) a row per ledger record, each with its header;
#  - a ledger with a truncated tail is reported and the rest exported;
#  - bad input: no ledger, not a ledger, missing --csv, files already there
#    without --force (left untouched), all exit 2 with a one-line error.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP qw(decode_json);
use Text::CSV;
use File::Copy qw(copy);
use FailprobeTest;

my $failprobe = "$FindBin::Bin/../client/failprobe";
-x $failprobe or BAIL_OUT("$failprobe is not built: run make first");
my $dir = PostgreSQL::Test::Utils::tempdir;

# rows of a CSV file as hashes, and its header
sub read_csv
{
	my ($path) = @_;
	my $csv = Text::CSV->new({ binary => 1, auto_diag => 2 });
	open my $fh, '<', $path or die "$path: $!";
	my $header = $csv->getline($fh);
	my @rows;
	while (my $r = $csv->getline($fh))
	{
		my %h;
		@h{@$header} = @$r;
		push @rows, \%h;
	}
	close $fh;
	return ($header, \@rows);
}

sub export
{
	my (@args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'export', @args ], '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# --- a run with an outage in it ------------------------------------------------
my $node = init_primary('primary051', interval => 100);
my $dsn = node_dsn($node);
my ($h, $run_out) = start_load($dsn, "$dir/run",
	'--stages', '3s@400,3s@400-800', '-c', '4', '-j', '2', '-q', '--commit-time');
$node->poll_query_until('postgres', "SELECT count(*) > 800 FROM failprobe.ledger")
  or die 'load did not start';
$node->stop('immediate');
$node->start;
$h->finish;
is($? >> 8, 0, 'run completes through the restart');
my $j = decode_json(slurp_file("$dir/run.json"));
note "sent $j->{sent} acked $j->{acked} failed $j->{failed} in_doubt $j->{in_doubt} missed $j->{missed}";
ok($j->{in_doubt} + $j->{missed} + $j->{failed} > 0, 'the restart left writes that were not acknowledged');
# the summary's stage table counts as the JSON does: failed, missed and in doubt apart
my %table;
$table{$1} = "$2 $3 $4" while $$run_out =~ /^ +(\d+) +[\d-]+ +[\d-]+ +\d+ +[\d.]+ +[\d.]+ +[\d.]+ +(\d+) +(\d+) +(\d+) +(?:yes|NO)/mg;
is_deeply(\%table, { map { $_->{stage} => "$_->{failed} $_->{missed} $_->{in_doubt}" } @{ $j->{stages} } },
	'stage table: failed, missed and in doubt, as in the JSON') or diag($$run_out);

my ($rc, $eout, $eerr) = export('--ledger', "$dir/run.ledger", '--csv', "$dir/csv", '--writes');
is($rc, 0, 'export exits 0') or diag $eerr;
like($eout, qr/exported \d+ writes/, 'export says what it wrote');

# --- client_seconds.csv -----------------------------------------------------------
my ($hdr, $rows) = read_csv("$dir/csv/client_seconds.csv");
is(join(',', @$hdr), 'second,t,sent,acked,failed,in_doubt,missed,p50_ms,p90_ms,p99_ms,p999_ms,max_ms',
	'client_seconds.csv header');
is_deeply([ map { $_->{second} } @$rows ], [ 0 .. $#$rows ], 'one row per second, none skipped');
like($rows->[0]{t}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 't is ISO 8601 UTC');
for my $k (qw(sent acked failed in_doubt missed))
{
	my $total = 0;
	$total += $_->{$k} for @$rows;
	is($total, $j->{$k}, "per-second $k adds up to the run's $k ($j->{$k})");
}
my @lat = grep { $_->{acked} > 0 } @$rows;
ok(@lat && !(grep { !($_->{p50_ms} <= $_->{p99_ms} && $_->{p99_ms} <= $_->{max_ms}) } @lat),
	'latency percentiles ordered in every second with acks');
ok(!(grep { $_->{acked} == 0 && $_->{p50_ms} ne '' } @$rows), 'no latency in seconds without acks');

# --- writes.csv ------------------------------------------------------------------
my ($whdr, $writes) = read_csv("$dir/csv/writes.csv");
is(join(',', @$whdr), 'worker,seq,outcome,scheduled_at,scheduled_us,sent_at,sent_us,done_at,done_us,'
	  . 'latency_ms,commit_lsn,tli,server,sqlstate,commit_at,commit_us', 'writes.csv header');
is(scalar(@$writes), $j->{ledger}{records}, 'writes.csv: one row per ledger record');
is(scalar(grep { $_->{outcome} eq 'acked' } @$writes), $j->{acked}, 'writes.csv: acked rows');
is(scalar(grep { $_->{outcome} eq 'missed' && $_->{sent_us} eq '' } @$writes), $j->{missed},
	'writes.csv: missed rows, never sent');
ok(!(grep { $_->{outcome} eq 'acked' && $_->{commit_lsn} !~ m{^[0-9A-F]+/[0-9A-F]+$} } @$writes),
	'writes.csv: every ack has its commit LSN as X/Y');

# --commit-time: the server's commit time of each ack, between sending and the
# answer (one machine, one clock); the server's clock ticks with its own
# rounding, so allow 1 ms either side
ok($j->{commit_time}{available}, '--commit-time: commit times available');
is($j->{commit_time}{known}, $j->{acked}, 'a commit time for every acknowledged write');
my @acked = grep { $_->{outcome} eq 'acked' } @$writes;
my @outside = grep { $_->{commit_us} eq '' || $_->{commit_us} < $_->{sent_us} - 1000
	  || $_->{commit_us} > $_->{done_us} + 1000 } @acked;
is(scalar @outside, 0, 'every commit time lies between the send and the answer')
  or diag explain [ @outside[ 0 .. 2 ] ];
ok(!(grep { $_->{outcome} ne 'acked' && $_->{commit_us} ne '' } @$writes), 'no commit time without an ack');

# --- server_seconds.csv, stages.csv ----------------------------------------------------
my ($shdr, $srows) = read_csv("$dir/csv/server_seconds.csv");
is(join(',', @$shdr[ 0 .. 10 ]), 't,ok,host,port,in_recovery,tli,commits_per_s,rollbacks_per_s,active,backends,wal_bytes_per_s',
	'server_seconds.csv header');
my @samples = grep { /\S/ } split /\n/, slurp_file("$dir/run.ledger.server.jsonl");
is(scalar(@$srows), scalar(@samples), 'server_seconds.csv: one row per sample');
ok((grep { $_->{commits_per_s} ne '' && $_->{commits_per_s} > 100 } @$srows), 'server commit rates derived');
ok((grep { $_->{ok} eq 'false' } @$srows), 'the restart shows as failed samples');

my ($thdr, $stages) = read_csv("$dir/csv/stages.csv");
is(join(',', @$thdr[ 0 .. 5 ]), 'stage,start_us,end_us,rate_from,rate_to,achieved', 'stages.csv header');
is(scalar(@$stages), 2, 'stages.csv: a row per stage');
is($stages->[1]{rate_to}, 800, 'stages.csv: the ramp\'s target');

# --- a truncated ledger ----------------------------------------------------------------
copy("$dir/run.ledger", "$dir/cut.ledger") or die;
truncate("$dir/cut.ledger", (-s "$dir/cut.ledger") - 100) or die;
($rc, $eout, $eerr) = export('-l', "$dir/cut.ledger", '--csv', "$dir/cut", '--writes');
is($rc, 0, 'truncated ledger: exported');
like($eerr, qr/records before it are good; those \d+ are exported/, 'truncated ledger: reported on stderr');
my (undef, $cut) = read_csv("$dir/cut/writes.csv");
ok(@$cut > 0 && @$cut < @$writes, 'truncated ledger: the records before the tail exported');

# --- the schedule: threads take turns --------------------------------------------------
# 3 connections on 2 threads, in groups of 2 at 300/s: the group that is
# g-th in the round robin is due at g * 2 / 300 s.  Thread 0 holds workers
# 0 and 1, thread 1 worker 2; the threads take turns (worker 0, 2, 1, 0 ...)
# so that each thread's groups come due evenly spread, not its connections'
# all in one stretch.
my ($tout, $terr) = ('', '');
IPC::Run::run([ $failprobe, 'run', '-d', $dsn, '-l', "$dir/turns.ledger", '-c', '3', '-j', '2',
		'-R', '300', '-T', '1', '--pipeline', '2', '-q', '--no-server-metrics' ],
	'>', \$tout, '2>', \$terr);
is($? >> 8, 0, 'turns: the run completed') or diag($terr);
($rc) = export('-l', "$dir/turns.ledger", '--csv', "$dir/turns", '--writes');
is($rc, 0, 'turns: exported');
my (undef, $tw) = read_csv("$dir/turns/writes.csv");
my %group_worker;	# due time => worker
my $shared = 0;
for my $w (@$tw)
{
	my $prev = $group_worker{ $w->{scheduled_us} };
	$shared++ if defined $prev && $prev != $w->{worker};
	$group_worker{ $w->{scheduled_us} } = $w->{worker};
}
is($shared, 0, 'turns: no two connections share a due time');
my @due = sort { $a <=> $b } keys %group_worker;
ok(@due >= 100, 'turns: groups of two, 300 writes a second') or diag(scalar @due);
my @steps = grep { abs($due[$_] - $due[ $_ - 1 ] - 2e6 / 300) > 2 } 1 .. $#due;
is(scalar(@steps), 0, 'turns: a group every 2/300 s, none skipped or doubled')
  or diag("after group $steps[0]: " . ($due[ $steps[0] ] - $due[ $steps[0] - 1 ]) . ' us');
is(join(',', map { $group_worker{$_} } @due[ 0 .. 5 ]), '0,2,1,0,2,1',
	'turns: the threads take turns (workers 0, 2, 1)');

# --- bad input ---------------------------------------------------------------------------
my $before = slurp_file("$dir/csv/client_seconds.csv");
($rc, $eout, $eerr) = export('-l', "$dir/run.ledger", '--csv', "$dir/csv");
is($rc, 2, 'existing files: exit 2');
like($eerr, qr/client_seconds\.csv already exists; use --force/, 'existing files: says what to do');
is(slurp_file("$dir/csv/client_seconds.csv"), $before, 'existing files: untouched');
($rc) = export('-l', "$dir/run.ledger", '--csv', "$dir/csv", '--force');
is($rc, 0, '--force overwrites');

($rc, $eout, $eerr) = export('-l', "$dir/nothing.ledger", '--csv', "$dir/x");
is($rc, 2, 'missing ledger: exit 2');
like($eerr, qr/^failprobe export: .*nothing\.ledger.*\n$/, 'missing ledger: one line naming it');
ok(!-e "$dir/x", 'missing ledger: no directory created');
($rc, $eout, $eerr) = export('-l', "$dir/run.json", '--csv', "$dir/x");
is($rc, 2, 'not a ledger: exit 2');
like($eerr, qr/^failprobe export: [^\n]+\n$/, 'not a ledger: one line');
($rc, $eout, $eerr) = export('-l', "$dir/run.ledger");
is($rc, 2, 'no --csv: exit 2');
like($eerr, qr/--csv DIR is required/, 'no --csv: says so');
($rc, $eout, $eerr) = export('-l', "$dir/run.ledger", '--csv', "$dir/run.json");
is($rc, 2, '--csv naming a file: exit 2');
like($eerr, qr/not a directory/, '--csv naming a file: says so');

$node->stop;
done_testing();
