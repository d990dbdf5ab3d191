# 010_client_input.pl: failprobe run refuses bad input with one clear line
# and exit status 2, never shows a password, and runs in plain mode (no
# extension) after --init.
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

# A server without the extension, with a password-protected role.
my $node = PostgreSQL::Test::Cluster->new('plain');
$node->init;
$node->start;
$node->safe_psql('postgres',
	"SET password_encryption = 'scram-sha-256'; CREATE ROLE pwuser LOGIN PASSWORD 'S3cretPw'");
my $hba = slurp_file($node->data_dir . '/pg_hba.conf');
open my $fh, '>', $node->data_dir . '/pg_hba.conf' or die;
print $fh "local all pwuser scram-sha-256\n$hba";
close $fh;
$node->reload;

my $dsn = $node->connstr('postgres');

# run failprobe; returns (exit status, stdout, stderr)
sub fp
{
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run([ $failprobe, @_ ], '>', \$stdout, '2>', \$stderr);
	return ($? >> 8, $stdout, $stderr);
}

sub refuses
{
	my ($args, $re, $name) = @_;
	my ($rc, $out, $err) = fp(@$args);
	is($rc, 2, "$name: exit status 2");
	like($err, $re, "$name: says why");
	is(scalar(split /\n/, $err), 1, "$name: one line");
	return $err;
}

# --- the command line -------------------------------------------------------
refuses([ 'run', '-d', $dsn ], qr/--ledger FILE is required/, 'no ledger');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '--rate', '-5' ], qr/invalid value '-5' for --rate/, 'negative rate');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '-c', '0' ], qr/--clients/, 'zero clients');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '-c', '2', '-j', '4' ], qr/--threads cannot exceed --clients/, 'more threads than clients');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '--json', "$dir/./a" ],
	qr/--json .*a names the ledger or a file written beside it/, 'JSON over the ledger');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '--json', "$dir/a.server.jsonl" ],
	qr/names the ledger or a file written beside it/, 'JSON over the server metrics');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '--json', "$dir/a.stages.jsonl" ],
	qr/names the ledger or a file written beside it/, 'JSON over the stages file');
refuses([ 'verify', '-d', $dsn, '-l', "$dir/a", '-l', "$dir/b", '--json', "$dir/b" ],
	qr/--json .*b is a --ledger file/, 'verify: JSON over a ledger');
# files an earlier run left beside a ledger of that name would be taken for this run's
append_to_file("$dir/orphan.stages.jsonl", "{}\n");
refuses([ 'run', '-d', $dsn, '-l', "$dir/orphan", '--no-server-metrics' ],
	qr/stages file .*orphan\.stages\.jsonl already exists; use --force/, 'a stages file left by another run');
unlink "$dir/orphan.stages.jsonl";
append_to_file("$dir/orphan.server.jsonl", "{}\n");
refuses([ 'run', '-d', $dsn, '-l', "$dir/orphan", '--no-server-metrics' ],
	qr/server metrics file .*orphan\.server\.jsonl already exists; use --force/,
	'a server metrics file left by another run, even without metrics this time');
unlink "$dir/orphan.server.jsonl";
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '--first-worker', '2000000' ],
	qr/invalid value '2000000' for --first-worker \(0 to 1048575\)/, 'first worker beyond what verify reads');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '--first-worker', '1048570', '-c', '16' ],
	qr/--first-worker \+ --clients must stay at or below 1048576/, 'last worker beyond what verify reads');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '-M', 'telepathy' ], qr/invalid protocol 'telepathy'/, 'bad protocol');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '-M', 'simple', '--pipeline', '8' ], qr/--pipeline needs/, 'pipeline with simple');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '--bogus' ], qr/unknown option '--bogus'/, 'unknown flag');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '--json', "$dir/no/such/dir/run.json" ],
	qr/cannot write --json .*run\.json: directory .*no\/such\/dir: No such file or directory/,
	'--json in a missing directory: refused before the run, not after it');
ok(!-e "$dir/a", 'no ledger file left behind by it');
refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '--json', $dir ], qr/--json .* is a directory/, '--json naming a directory');
refuses([ 'verify', '-d', $dsn, '-l', "$dir/a", '--json', "$dir/no/such/dir/v.json" ], qr/^failprobe: cannot write --json/,
	'verify --json in a missing directory: refused before the work');
refuses([ 'drill', '--html', "$dir/no/such/dir/r.html" ], qr/^failprobe drill: cannot write --html/,
	'drill --html in a missing directory: refused before the drill');

my $err = refuses([ 'run', '-d', "host='unterminated password=S3cretPw", '-l', "$dir/a" ],
	qr/invalid connection string/, 'unparsable conninfo');
unlike($err, qr/S3cretPw/, 'unparsable conninfo: password not shown');
for my $uri ('postgresql://u:S3cretPw@[::1/db', 'postgresql://u:S3cret%zzPw@h/db')
{
	for my $cmd ('run', 'verify')
	{
		$err = refuses([ $cmd, '-d', $uri, '-l', "$dir/a" ], qr/invalid connection string|not a valid connection string/,
			"$cmd: malformed URI $uri");
		unlike($err, qr/S3cret/, "$cmd: malformed URI: its password is not in libpq's quoted text");
	}
}

# --- the server ----------------------------------------------------------------
$err = refuses([ 'run', '-d', "$dsn user=pwuser password=wrongPw99", '-l', "$dir/a" ],
	qr/cannot connect: .*password authentication failed/, 'wrong password');
unlike($err, qr/wrongPw99/, 'wrong password: not shown');

refuses([ 'run', '-d', 'host=127.0.0.1 port=1 connect_timeout=2', '-l', "$dir/a" ],
	qr/cannot connect: .*127\.0\.0\.1/, 'nothing listening');

refuses([ 'run', '-d', $dsn, '-l', "$dir/a", '-T', '1' ],
	qr/no ledger table in this database: run CREATE EXTENSION pg_failprobe .* or add --init/, 'missing table');
ok(!-e "$dir/a", 'no ledger file left behind by a refused run');

# --- plain mode after --init -----------------------------------------------
my ($rc, $out, $stderr) = fp('run', '-d', $dsn, '-l', "$dir/plain.ledger", '--init',
	'-R', '200', '-c', '2', '-j', '1', '-T', '2', '-P', '0', '--json', "$dir/plain.json");
is($rc, 0, 'plain run completes');
like($stderr, qr/plain mode/, 'plain mode is announced with what it lacks');
like($stderr, qr/ started: 2 connections on 1 thread, /, 'the start line: one thread, not "1 threads"');
my $json = decode_json(slurp_file("$dir/plain.json"));
is($json->{mode}, 'plain', 'JSON says plain mode');
my $acked = $json->{acked};
cmp_ok($acked, '>=', 350, "about 400 writes acknowledged at 200/s for 2 s ($acked)");
my $run_id = $json->{run_id};
is($node->safe_psql('postgres', "SELECT count(*) FROM failprobe_client.ledger WHERE run_id = $run_id"),
	$acked, 'every acknowledged write is in the plain table');
is(sprintf('%04o', (stat "$dir/plain.ledger")[2] & 07777), '0600', 'ledger file is mode 0600');
unlike(slurp_file("$dir/plain.ledger"), qr/S3cretPw|wrongPw99/, 'no password in the ledger');

# --- a connection string too long for the ledger header: refused, not cut ------
my $long = 'x' x 4000;
refuses([ 'run', '-d', "$dsn fallback_application_name=$long", '-l', "$dir/long.ledger", '-T', '1' ],
	qr/more than the ledger header's 3899; shorten the connection string/, 'conninfo too long for the header');
ok(!-e "$dir/long.ledger", 'no ledger file left behind by it');

# --- a server notice on every connection: shown once, on one line -------------
my $name = 'n' x 80;	# longer than NAMEDATALEN: the server truncates it with a NOTICE
($rc, $out, $stderr) = fp('run', '-d', "$dsn options='-c application_name=$name'", '-l', "$dir/notice.ledger",
	'-R', '100', '-c', '4', '-T', '1', '-P', '0', '--no-server-metrics', '--init');
is($rc, 0, 'notices: the run completes');
my @notices = $stderr =~ /^(.*identifier .* will be truncated.*)$/mg;
note explain \@notices;
cmp_ok(scalar @notices, '<=', 2, 'notices: the load connections print the truncation once (setup may print its own)');
like($stderr, qr/^failprobe: server notice \(only the first is shown\): .*will be truncated/m,
	'notices: on one line, saying the rest are left out');

# --force over it: the earlier run's side files do not outlive its ledger
# (at --rate 0 a run writes no stages, here no server metrics either)
append_to_file("$dir/notice.ledger.stages.jsonl", "{}\n");
append_to_file("$dir/notice.ledger.server.jsonl", "{}\n");
($rc, $out, $stderr) = fp('run', '-d', $dsn, '-l', "$dir/notice.ledger", '--force',
	'-R', '0', '-c', '2', '-T', '1', '-P', '0', '--no-server-metrics');
is($rc, 0, '--force: the run completes');
ok(!-e "$dir/notice.ledger.stages.jsonl" && !-e "$dir/notice.ledger.server.jsonl",
	"--force: the earlier run's stages and server metrics files are gone") or note $stderr;

# --- -P 2: a line every 2 s, the series and stage checks still by the second -----
($rc, $out, $stderr) = fp('run', '-d', $dsn, '-l', "$dir/p2.ledger", '-R', '200', '-c', '2', '-T', '4',
	'-P', '2', '--json', "$dir/p2.json", '--no-server-metrics');
is($rc, 0, '-P 2: the run completes');
my @progress = $stderr =~ /^progress: ([\d.]+) s/mg;
is_deeply(\@progress, [ '2.0', '4.0' ], '-P 2: a progress line every 2 s') or note $stderr;
my $p2 = decode_json(slurp_file("$dir/p2.json"));
my @seconds = grep { $_->{t} <= 4.05 } @{ $p2->{series} };
is(scalar @seconds, 4, '-P 2: the series keeps a point per second');

# --- a run that cannot start leaves no files, so the fixed command just works ---
my $maxconn = $node->safe_psql('postgres', 'SHOW max_connections');
refuses([ 'run', '-d', $dsn, '-l', "$dir/many.ledger", '-c', $maxconn + 5, '-j', '2', '-T', '1' ],
	qr/cannot open \d+ connections: .*too many clients/, "more connections than max_connections ($maxconn)");
ok(!-e "$dir/many.ledger", 'no ledger file left behind by a run that could not start');
ok(!-e "$dir/many.ledger.server.jsonl", 'nor its server metrics file');
($rc) = fp('run', '-d', $dsn, '-l', "$dir/many.ledger", '-c', '2', '-R', '50', '-T', '1', '-q');
is($rc, 0, 'the same ledger name then runs without --force');
append_to_file("$dir/kept.ledger.server.jsonl", "{}\n");
refuses([ 'run', '-d', $dsn, '-l', "$dir/kept.ledger", '-c', '2', '-T', '1' ],
	qr/kept\.ledger\.server\.jsonl already exists; use --force/, 'an existing server metrics file');
ok(!-e "$dir/kept.ledger", 'the ledger made before that refusal is removed');
is(slurp_file("$dir/kept.ledger.server.jsonl"), "{}\n", 'and the existing metrics file is left as it was');

# --- an existing ledger is not overwritten without --force ------------------
refuses([ 'run', '-d', $dsn, '-l', "$dir/plain.ledger", '-T', '1' ],
	qr/already exists; use --force/, 'existing ledger');

# --- a password given on the command line never shows -------------------------
($rc, $out, $stderr) = fp('run', '-d', "$dsn user=pwuser password=S3cretPw", '-l', "$dir/pw.ledger",
	'-R', '50', '-c', '1', '-T', '1', '--json', "$dir/pw.json");
is($rc, 2, 'a role without privileges is refused');
unlike($out . $stderr, qr/S3cretPw/, 'password not in the output');
unlike(slurp_file("$dir/pw.json"), qr/S3cretPw/, 'password not in the JSON') if -e "$dir/pw.json";
unlike(slurp_file("$dir/pw.ledger"), qr/S3cretPw/, 'password not in the ledger') if -e "$dir/pw.ledger";
like($stderr, qr/role "pwuser" may not use the ledger table .*GRANT USAGE/, 'missing privilege explained');

# --- nor in ps while the run goes on (its own command line is cleared) ------
{
	my $pid = fork // die "fork: $!";
	if ($pid == 0)
	{
		open STDOUT, '>', '/dev/null';
		open STDERR, '>', '/dev/null';
		exec $failprobe, 'run', '-d', "$dsn password=S3cretPw", '-l', "$dir/ps.ledger",
		  '-R', '50', '-c', '1', '-T', '3', '-q';
		exit 127;
	}
	# the ledger exists once the options are read
	for (my $i = 0; $i < 100 && !-e "$dir/ps.ledger"; $i++) { select(undef, undef, undef, 0.05); }
	my $cmdline = slurp_file("/proc/$pid/cmdline");
	waitpid($pid, 0);
	is($? >> 8, 0, 'ps check: the run completed');
	unlike($cmdline, qr/S3cretPw/, 'password not in the command line that ps shows');
	like($cmdline, qr/host='/, 'ps shows the conninfo without it');
}

$node->stop;
done_testing();
