# 014_client_signals.pl: the ledger when the client is stopped or killed.
#  - SIGINT (and SIGTERM) end the run cleanly: exit 0, the summary and the
#    JSON are written, the ledger ends cleanly and holds every write due
#    (sent + missed);
#  - a server that stops answering just before the end: the drain gives up,
#    in flight becomes in doubt, what could not go out is missed;
#  - SIGKILL leaves a readable ledger: `failprobe inspect` reads it (a
#    truncated tail at worst), every write it says was acknowledged is in
#    the table, and at most about a flush interval of writes is missing;
#  - a ledger that cannot grow (a file size limit, as a full disk) stops
#    the run at once, in one line, with the same guarantees.
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

my $node = init_primary('primary', interval => 100);
my $dsn = node_dsn($node);
my $rate = 1000;

# start a 60 s run, wait until it has written some rows, send the signal
sub signalled_run
{
	my ($name, $signal) = @_;
	my ($h, $out, $err) = start_load($dsn, "$dir/$name", '-R', $rate, '-c', '4', '-T', '60', '-q');
	$node->poll_query_until('postgres', 'SELECT count(*) > 1500 FROM failprobe.ledger')
	  or die 'the load did not start';
	$h->signal($signal);
	$h->finish;
	my $rc = $? >> 8;
	my $sig = $? & 127;
	note "$name: exit $rc, signal $sig\n$$out$$err";
	return ($rc, $sig, $$out, $$err);
}

sub inspect
{
	my ($path) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'inspect', '-l', $path, '--json' ], '>', \$out, '2>', \$err);
	my $rc = $? >> 8;
	note "inspect $path: exit $rc $err";
	return ($rc, $out ne '' ? decode_json($out) : {});
}

for my $signal ('INT', 'TERM')
{
	$node->safe_psql('postgres', 'TRUNCATE failprobe.ledger');
	my ($rc, $sig, $out) = signalled_run("stop_$signal", $signal);
	is($rc, 0, "SIG$signal: the run ends with exit 0");
	like($out, qr/ledger: \d+ records read back/, "SIG$signal: the summary is printed");
	my $j = decode_json(slurp_file("$dir/stop_$signal.json"));
	cmp_ok($j->{duration_s}, '<', 30, "SIG$signal: the run stopped early ($j->{duration_s} s)");
	my ($irc, $in) = inspect("$dir/stop_$signal.ledger");
	is($irc, 0, "SIG$signal: the ledger ends cleanly");
	is($in->{end}, 'clean', "SIG$signal: inspect agrees");
	is($in->{records}, $j->{sent} + $j->{missed}, "SIG$signal: every write due is in the ledger ($in->{records})");
	is($in->{acked}, $j->{acked}, "SIG$signal: the same acknowledgements as the summary");
	my $rows = $node->safe_psql('postgres',
		"SELECT count(*) FROM failprobe.ledger WHERE run_id = $j->{run_id}");
	cmp_ok($rows, '>=', $j->{acked}, "SIG$signal: every acknowledged write is in the table");
}

# --- SIGKILL ----------------------------------------------------------------
$node->safe_psql('postgres', 'TRUNCATE failprobe.ledger');
my ($rc, $sig) = signalled_run('killed', 'KILL');
is($sig, 9, 'the client was killed');
ok(!-e "$dir/killed.json", 'no JSON from a killed client');
my ($irc, $in) = inspect("$dir/killed.ledger");
is($irc, 1, "the killed client's ledger is readable, its tail reported (inspect exit $irc)");
is($in->{end}, 'truncated', 'a killed run has no end mark: inspect says truncated, never clean');
cmp_ok($in->{records}, '>', 1000, "it holds the writes made before the kill ($in->{records})");

# every acknowledgement the ledger recorded is true: each such row exists
my $run_id = $in->{run_id};
my $rows = $node->safe_psql('postgres', "SELECT count(*) FROM failprobe.ledger WHERE run_id = $run_id");
cmp_ok($rows, '>=', $in->{acked}, "the table holds at least the $in->{acked} acknowledged writes ($rows rows)");
# and little is missing: the writer syncs every 100 ms, but a starved VM has
# held an fdatasync for 1.5 s (the full-disk case below); allow two seconds
cmp_ok($rows - $in->{acked}, '<=', $rate * 2,
	'at most about a flush interval of acknowledged writes is missing from the ledger');

# verify: the rows of the last flush interval are beyond the ledger, not unexpected
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'verify', '-d', $dsn, '-l', "$dir/killed.ledger", '--json', "$dir/killed.verify.json" ],
		'>', \$out, '2>', \$err);
	my $vrc = $? >> 8;
	note "verify: exit $vrc\n$out$err";
	my $v = decode_json(slurp_file("$dir/killed.verify.json"));
	like($out . $err, qr/no end mark|truncated/, 'verify reports the missing end of the ledger');
	is($v->{unexpected}, 0, 'verify: no row is called unexpected');
	is($v->{beyond_ledger}, $rows - $in->{acked} - ($v->{in_doubt_committed} // 0),
		"verify: the rows the ledger does not cover are counted beyond it ($v->{beyond_ledger})");
}

# --- a ledger that cannot grow: the run stops instead of writing blind ------------
# ulimit -f 128 (KiB) lets the ledger hold about 1900 writes, 2 s at this
# rate.  Writes made after that could not be recorded, and verify would
# call their rows unknown; before the client stopped, a 30 s run went on to
# the end and left some 28,000 of them.
{
	$node->safe_psql('postgres', 'TRUNCATE failprobe.ledger');
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'bash', '-c', 'ulimit -f 128 && exec "$@"', 'failprobe', $failprobe, 'run', '-d', $dsn,
			'-l', "$dir/full.ledger", '-R', $rate, '-c', '4', '-T', '30', '-q', '--no-server-metrics' ],
		'>', \$out, '2>', \$err);
	my $rc = $? >> 8;
	note "full: exit $rc, signal " . ($? & 127) . "\n$out$err";
	is($rc, 2, 'full: the run ends with exit 2 (not killed by SIGXFSZ)');
	my @lines = grep { !/ started: / } split /\n/, $err;
	is(scalar @lines, 1, 'full: one line says what went wrong');
	like($lines[0] // '', qr/writing ledger .*full\.ledger: File too large; the run stopped at ([\d.]+) s/,
		'full: it names the ledger, the error and when the run stopped');
	my ($stopped) = ($lines[0] // '') =~ /stopped at ([\d.]+) s/;
	cmp_ok($stopped // 99, '<', 10, 'full: the run stopped soon after the ledger filled, not at its end');
	my ($irc, $fin) = inspect("$dir/full.ledger");
	is($fin->{end}, 'truncated', 'full: inspect reads the ledger and reports its tail');
	my $frows = $node->safe_psql('postgres',
		"SELECT count(*) FROM failprobe.ledger WHERE run_id = $fin->{run_id}");
	cmp_ok($frows, '>=', $fin->{acked}, "full: the $fin->{acked} acknowledged writes are in the table");
	# a flush interval is 0.1 s, but a starved VM has held an fdatasync for
	# 1.5 s while writes queued behind it (1477 beyond the ledger)
	cmp_ok($frows - $fin->{acked}, '<=', $rate * 2,
		'full: at most a few flush intervals of writes are beyond the ledger (' . ($frows - $fin->{acked}) . ')');
}

# --- a server that stops answering just before the end ------------------------------
# The backends are stopped (SIGSTOP) some seconds before the end, so their
# connections stay up, the writes in flight get no answer, and the writes
# due after that cannot go out (one in flight per connection).  The drain
# gives up 10 s after the end: in flight becomes in doubt, the writes due
# but never sent are missed, and none is dropped uncounted.
{
	$node->safe_psql('postgres', 'TRUNCATE failprobe.ledger');
	my ($h, $out, $err) = start_load($dsn, "$dir/stalled",
		'-R', 500, '-c', '2', '-T', '6', '--reply-timeout', '60', '-q');
	# 2 s into a 6 s run: a 3 s run was over before a starved VM got here
	$node->poll_query_until('postgres', 'SELECT count(*) > 1000 FROM failprobe.ledger')
	  or die 'the load did not start';
	my @pids = split /\n/, $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE application_name = 'failprobe' AND backend_type = 'client backend'");
	is(scalar @pids, 2, 'stalled: the two backends of the run are found');
	kill 'STOP', @pids;
	$h->finish;
	my $rc = $? >> 8;
	kill 'CONT', @pids;
	note "stalled: exit $rc\n$$out$$err";
	is($rc, 0, 'stalled: the run ends');
	my $j = decode_json(slurp_file("$dir/stalled.json"));
	is($j->{sent} + $j->{missed}, 3000, "stalled: every write due is sent or missed (sent $j->{sent}, missed $j->{missed})");
	cmp_ok($j->{missed}, '>', 0, 'stalled: the writes that could not go out are missed');
	is($j->{in_doubt}, 2, 'stalled: the write in flight on each connection is in doubt');
	my ($irc, $in) = inspect("$dir/stalled.ledger");
	is($in->{records}, 3000, 'stalled: the ledger holds every write due');
}

$node->stop;
done_testing();
