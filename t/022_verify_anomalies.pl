# 022_verify_anomalies.pl: what failprobe verify finds besides loss, and how
# it treats bad input.
#
# One primary; a run with a restart of the server in the middle (an outage
# on one timeline, so there is an RTO to gate on).  Then, step by step, the
# table is damaged by hand and verify must say exactly what was done:
#   - three acknowledged rows deleted: acked_lost = 3, --max-lost moves the
#     verdict, --max-rto too;
#   - a digest changed by UPDATE (not self-consistent) and a row rewritten
#     consistently with another payload (digest not the write's): corrupt;
#   - a row inserted by hand for the run: unexpected;
#   - the ledger cut mid-record: the tail is reported, the rest verified;
#   - the ledger of another run (in another database) finds no row and says
#     why; two ledgers of different runs together are refused, and so is
#     one ledger given twice;
#   - a missing file, a file that is not a ledger, a connection string that
#     does not parse: one-line errors, exit 2, no password shown.
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

my $node = init_primary('primary', interval => 100);
my $dsn = node_dsn($node);

# failprobe verify with @args; returns (exit status, stdout, stderr, JSON or undef)
sub verify
{
	my (@args) = @_;
	my ($out, $err) = ('', '');
	unlink "$dir/v.json";
	IPC::Run::run([ $failprobe, 'verify', @args, '--json', "$dir/v.json" ],
		'>', \$out, '2>', \$err);
	my $rc = $? >> 8;
	note $out if $out;
	note "stderr: $err" if $err;
	my $j = -f "$dir/v.json" ? decode_json(slurp_file("$dir/v.json")) : undef;
	return ($rc, $out, $err, $j);
}

# --- a run with an outage: the server restarted under load ---------------------------
my ($out, $err) = ('', '');
my $h = IPC::Run::start([ $failprobe, 'run', '-d', $dsn, '-l', "$dir/a.ledger",
		'-R', '500', '-c', '2', '-j', '1', '-T', '5', '--payload-bytes', '24',
		'--json', "$dir/a.json" ], '>', \$out, '2>', \$err);
$node->poll_query_until('postgres', 'SELECT count(*) > 600 FROM failprobe.ledger')
  or die 'load did not start';
$node->restart(mode => 'immediate');
$h->finish;
is($? >> 8, 0, 'run A completes through a restart');
my $run = decode_json(slurp_file("$dir/a.json"));
my $rid = $run->{run_id};
my $tbl = 'failprobe.ledger';

my ($rc, $o, $e, $j) = verify('-d', $dsn, '-l', "$dir/a.ledger");
is($rc, 0, 'untouched: exit 0');
is($j->{$_}, 0, "untouched: $_ = 0") for qw(acked_lost corrupt unexpected);
ok(defined $j->{rto_ms} && $j->{rto_ms} > 0, "the restart is an outage with an RTO ($j->{rto_ms} ms)");

# --- a read-only standby can be checked too -----------------------------------------------
my $replica = init_standby($node, 'replica');
($rc, $o, $e, $j) = verify('-d', node_dsn($replica),
	'-l', "$dir/a.ledger");
is($rc, 0, 'verify against a hot standby: exit 0');
ok($j->{server}{in_recovery}, 'and it knows it read a standby');
is($j->{acked_present}, $run->{acked}, 'every acknowledged write is on the standby');
$replica->stop;

# --- gates ---------------------------------------------------------------------------
($rc, $o) = verify('-d', $dsn, '-l', "$dir/a.ledger", '--max-rto', '0.000001');
is($rc, 1, '--max-rto below the RTO: exit 1');
like($o, qr/over the gate --max-rto/, 'and the report names the gate');
($rc) = verify('-d', $dsn, '-l', "$dir/a.ledger", '--max-rto', '600');
is($rc, 0, '--max-rto above it: exit 0');

# three acknowledged writes of the first second (long before the restart)
$node->safe_psql('postgres',
	"DELETE FROM $tbl WHERE run_id = $rid AND worker = 0 AND seq BETWEEN 10 AND 12");
($rc, $o, $e, $j) = verify('-d', $dsn, '-l', "$dir/a.ledger");
is($rc, 1, 'three rows deleted: exit 1');
is($j->{acked_lost}, 3, 'acked_lost = 3');
is_deeply([ map { "$_->{worker}:$_->{from}-$_->{to}" } @{ $j->{lost_ranges}{list} } ], ['0:10-12'],
	'reported as the range 0:10-12');
like($o, qr/^\s+0:10-12\s/m, 'the text lists the range');
cmp_ok($j->{rpo_ms}, '>', 0, 'rpo_ms spans their acknowledgements');
($rc) = verify('-d', $dsn, '-l', "$dir/a.ledger", '--max-lost', '3');
is($rc, 0, '--max-lost 3: exit 0');
($rc, $o) = verify('-d', $dsn, '-l', "$dir/a.ledger", '--max-lost', '2');
is($rc, 1, '--max-lost 2: exit 1');
like($o, qr/3 acknowledged writes lost \(gate --max-lost 2\)/, 'the report names the gate');

# --- corrupt rows --------------------------------------------------------------------
$node->safe_psql('postgres', qq{
	UPDATE $tbl SET digest = sha256('not this'::bytea) WHERE run_id = $rid AND worker = 1 AND seq = 20;
	UPDATE $tbl SET payload = 'another payload'::bytea,
	       digest = sha256(int8send(run_id) || int4send(worker) || int8send(seq) || 'another payload'::bytea)
	 WHERE run_id = $rid AND worker = 1 AND seq = 21});
($rc, $o, $e, $j) = verify('-d', $dsn, '-l', "$dir/a.ledger", '--max-lost', '3');
is($rc, 1, 'corrupt rows fail the verdict even within --max-lost');
is($j->{corrupt}, 2, 'corrupt = 2');
is($j->{corrupt_inconsistent}, 1, 'one not self-consistent (digest changed)');
is($j->{corrupt_digest}, 1, 'one self-consistent but not the write the client sent');
is_deeply([ map { "$_->{worker}:$_->{from}-$_->{to}" } @{ $j->{corrupt_ranges}{list} } ], ['1:20-21'],
	'reported as 1:20-21');
is($j->{corrupt_acked}, 2, 'both were acknowledged writes');
is($j->{acked_present}, $j->{acked} - $j->{acked_lost} - $j->{corrupt_acked},
	'acked_present counts only rows with the right digest, as the text does');
like($o, qr/acked\s+present $j->{acked_present}, LOST $j->{acked_lost}, corrupt 2/, 'the text says the same');

# --- a row no one sent ----------------------------------------------------------------
$node->safe_psql('postgres',
	"INSERT INTO $tbl VALUES ($rid, 0, 1000000, '\\x00', now(), NULL)");
($rc, $o, $e, $j) = verify('-d', $dsn, '-l', "$dir/a.ledger", '--max-lost', '3');
is($j->{unexpected}, 1, 'the hand-made row is unexpected');
is_deeply([ map { "$_->{worker}:$_->{from}" } @{ $j->{unexpected_ranges}{list} } ], ['0:1000000'],
	'and named');

# --- a ledger cut mid-record -------------------------------------------------------------
my $size = -s "$dir/a.ledger";
system('cp', "$dir/a.ledger", "$dir/cut.ledger") == 0 or die 'cp failed';
truncate("$dir/cut.ledger", $size - 1000) or die "truncate: $!";
($rc, $o, $e, $j) = verify('-d', $dsn, '-l', "$dir/cut.ledger");
like($o, qr/TRUNCATED TAIL/, 'the cut tail is reported');
ok($j->{truncated} && $j->{ledgers}[0]{truncated}, 'and flagged in the JSON');
cmp_ok($j->{records}, '>', 1000, "the records before it are verified ($j->{records})");
cmp_ok($j->{records}, '<', $j->{rows} + 1000, 'fewer than the rows');
is($j->{acked_lost}, 3, 'the three lost writes are still found');
cmp_ok($j->{beyond_ledger}, '>', 0, "rows past the cut are reported apart ($j->{beyond_ledger})");
is($j->{unexpected}, 0, 'not as unexpected');

# --- another run's ledger ---------------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', 'CREATE EXTENSION pg_failprobe');
my $other = sprintf('host=%s port=%d dbname=other', $node->host, $node->port);
IPC::Run::run([ $failprobe, 'run', '-d', $other, '-l', "$dir/b.ledger", '-R', '200', '-c', '1',
		'-T', '1', '-q', '--json', "$dir/b.json" ], '>', \$out, '2>', \$err);
is($? >> 8, 0, 'run B in another database');
my $runb = decode_json(slurp_file("$dir/b.json"));
($rc, $o, $e, $j) = verify('-d', $dsn, '-l', "$dir/b.ledger");
is($rc, 1, "run B's ledger against the first database: exit 1");
like($e, qr/no rows of run_id $runb->{run_id} in table failprobe\.ledger.*wrong database/,
	'says why: no rows of that run, wrong database?');
is($j->{acked_lost}, $runb->{acked}, 'every acknowledged write counts as lost from here');
($rc) = verify('-d', $other, '-l', "$dir/b.ledger");
is($rc, 0, 'against its own database: exit 0');
($rc, $o, $e) = verify('-d', $dsn, '-l', "$dir/a.ledger", '-l', "$dir/b.ledger");
is($rc, 2, 'ledgers of two runs together: exit 2');
like($e, qr/^failprobe: ledgers of different runs: .*\n\z/, 'one line saying so');
($rc, $o, $e) = verify('-d', $other, '-l', "$dir/b.ledger", '-l', "$dir/./b.ledger");
is($rc, 2, 'one ledger given twice: exit 2');
like($e, qr/^failprobe: ledger .*b\.ledger is given twice .*\n\z/, 'one line saying so, not a worker clash');

# --- one run, two clients (shared --run-id, disjoint workers) -------------------------------
my @h;
for my $k (0, 1)
{
	push @h, IPC::Run::start([ $failprobe, 'run', '-d', $other, '-l', "$dir/c$k.ledger", '-R', '200',
			'-c', '2', '-T', '1', '-q', '--run-id', '777', '--first-worker', 2 * $k,
			'--json', "$dir/c$k.json" ], '>', \my $co, '2>', \my $ce);
}
$_->finish for @h;
my @c = map { decode_json(slurp_file("$dir/c$_.json")) } (0, 1);
($rc, $o, $e, $j) = verify('-d', $other, '-l', "$dir/c0.ledger", '-l', "$dir/c1.ledger");
is($rc, 0, 'two ledgers of one run verified together: exit 0');
is($j->{sent}, $c[0]{sent} + $c[1]{sent}, "sent is both clients' ($j->{sent})");
is($j->{acked_lost} + $j->{unexpected}, 0, 'nothing lost, nothing unexpected');
($rc, $o, $e, $j) = verify('-d', $other, '-l', "$dir/c0.ledger");
is($j->{unexpected}, $c[1]{acked}, "one ledger alone: the other client's rows are unexpected ($j->{unexpected})");
is($j->{unexpected_other_worker}, $j->{unexpected}, 'one ledger alone: all of them of workers no ledger numbers');
like($o, qr/\Q$c[1]{acked}\E of them from workers no given ledger numbers: did another client share this run id\? give its ledger too/,
	'one ledger alone: the report says what the unexpected rows probably are');
IPC::Run::run([ $failprobe, 'run', '-d', $other, '-l', "$dir/c2.ledger", '-R', '100', '-c', '1',
		'-T', '1', '-q', '--run-id', '777', '--first-worker', '0' ], '>', \$out, '2>', \$err);
($rc, $o, $e) = verify('-d', $other, '-l', "$dir/c0.ledger", '-l', "$dir/c2.ledger");
is($rc, 2, 'two ledgers numbering the same worker: exit 2');
like($e, qr/worker 0 appears in two ledgers.*--first-worker/, 'says which and what to do');

# --- bad input: one line, exit 2 ------------------------------------------------------------
($rc, $o, $e) = verify('-d', $dsn, '-l', "$dir/missing.ledger");
is($rc, 2, 'missing ledger: exit 2');
like($e, qr/^failprobe: cannot open ledger .*missing\.ledger: No such file or directory\n\z/,
	'one line naming the file');
($rc, $o, $e) = verify('-d', $dsn, '-l', "$dir/a.json");
is($rc, 2, 'not a ledger: exit 2');
like($e, qr/^failprobe: .*a\.json is not a failprobe ledger.*\n\z/, 'one line saying so');
($rc, $o, $e) = verify('-d', "host=127.0.0.1 password=sekrit dbname='unterminated", '-l', "$dir/a.ledger");
is($rc, 2, 'unparsable conninfo: exit 2');
like($e, qr/^failprobe: --dsn is not a valid connection string.*\n\z/, 'one line saying so');
unlike($o . $e, qr/sekrit/, 'the password is not shown');
($rc, $o, $e) = verify('-d', "host=127.0.0.1 port=1 password=sekrit connect_timeout=2", '-l', "$dir/a.ledger");
is($rc, 2, 'unreachable server: exit 2');
like($e, qr/^failprobe: cannot connect \(--dsn\): .*\n\z/, 'one line saying so');
unlike($o . $e, qr/sekrit/, 'the password is not shown');
($rc, $o, $e) = verify('-d', $dsn, '-l', "$dir/a.ledger", '--max-lost', 'many');
is($rc, 2, 'a bad --max-lost: exit 2');
like($e, qr/invalid value 'many' for --max-lost/, 'named');

$node->stop;
done_testing();
