# 031_drill_control.pl: the drill under control - stopped with Ctrl-C it
# leaves nothing behind; --keep keeps its directory and servers; a
# switchover ends with the old primary streaming from the new one; --dsn
# with --fault-cmd drills a cluster the drill did not make; bad input is a
# one-line error with exit 2 and nothing made.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use File::Path qw(rmtree);
use Time::HiRes qw(usleep);
use FailprobeTest;

my $failprobe = "$FindBin::Bin/../client/failprobe";
-x $failprobe or BAIL_OUT("$failprobe is not built: run make first");

sub drill_processes
{
	my ($dir) = @_;
	my $ps = `ps -eo args`;
	BAIL_OUT('ps lists no processes: install procps (scripts/install-deps)') unless $ps =~ /perl/;
	return grep { /postgres.*\Q$dir\E/ } split /\n/, $ps;
}

# --- Ctrl-C in the middle of the load ---------------------------------------------
{
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start([ $failprobe, 'drill', '--rate', '1000', '--duration', '30',
			'--clients', '4' ], '>', \$out, '2>', \$err, IPC::Run::timeout(120));
	$h->pump until $err =~ /drill: loading/;
	my ($dir) = $err =~ /cluster ready: .* in (\S+)/;
	ok(-d $dir, "the drill works in $dir");
	ok(scalar(drill_processes($dir)) > 0, 'its servers run');
	usleep(1_500_000);
	$h->signal('INT');
	$h->finish;
	my $rc = $? >> 8;
	note $err =~ s/^progress:.*\n//mgr;
	is($rc, 2, 'SIGINT: exit 2 (no verdict)');
	like($err, qr/interrupted \(signal 2\)/, 'says it was interrupted');
	ok(!-e $dir, 'SIGINT: the directory is gone');
	my @left = drill_processes($dir);
	is(scalar @left, 0, 'SIGINT: no server left') or diag explain \@left;
	my @run = grep { /failprobe run .*\Q$dir\E/ } split /\n/, `ps -eo args`;
	is(scalar @run, 0, 'SIGINT: the load child is gone');
}

# --- a switchover, kept ---------------------------------------------------------------
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'drill', '--rate', '1000', '--duration', '6', '--clients', '4',
			'--fault', 'switchover', '--keep' ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(180));
	my $rc = $? >> 8;
	note $err =~ s/^progress:.*\n//mgr;
	note $out;
	is($rc, 0, 'switchover: exit 0, nothing lost');
	like($err, qr/fault injected: switchover/, 'switchover injected');
	like($err, qr/rejoined: the old primary streams from the new one/, 'the old primary rejoined');
	my ($dir) = $err =~ /cluster ready: .* in (\S+)/;
	my ($p1, $p2) = $out =~ /cluster\s+primary 127\.0\.0\.1:(\d+), synchronous standby 127\.0\.0\.1:(\d+)/;
	like($err, qr/kept \Q$dir\E/, '--keep says where');
	like($err, qr/still running: standby on 127\.0\.0\.1 port $p2; stop it with: pg_ctl -D \Q$dir\E\/standby stop/,
		'--keep says which servers run and how to stop them');
	ok(-f "$dir/run.json" && -f "$dir/run.ledger" && -d "$dir/primary", '--keep keeps the files');

	like($err, qr/connect as user postgres with PGPASSFILE=\Q$dir\E\/pgpass/, '--keep says how to connect');
	ok(!-e "$dir/pwfile", "initdb's password file is gone");
	is((stat "$dir/pgpass")[2] & 07777, 0600, 'the password file is private');
	my $psql = sub {
		my ($port, $sql, $passfile) = @_;
		my ($o, $e) = ('', '');
		local $ENV{PGPASSFILE} = $passfile // "$dir/pgpass";
		local $ENV{PGPASSWORD};
		delete $ENV{PGPASSWORD};
		IPC::Run::run([ 'psql', '-X', '-w', '-At', '-h', '127.0.0.1', '-p', $port, '-U', 'postgres',
				'-d', 'postgres', '-c', $sql ], '>', \$o, '2>', \$e);
		chomp $o;
		return $o ne '' ? $o : $e;
	};
	like($psql->($p2, 'SELECT 1', '/nonexistent'), qr/password/,
		'the drill cluster does not let a local user in without its password');
	is($psql->($p2, "SELECT application_name || ' ' || state FROM pg_stat_replication"),
		'primary streaming', 'the new primary streams to the old one');
	is($psql->($p1, 'SELECT pg_is_in_recovery()'), 't', 'the old primary is a standby now');
	is($psql->($p2, 'SELECT pg_is_in_recovery()'), 'f', 'the old standby is the primary');

	for my $n ('primary', 'standby')
	{
		system('pg_ctl', '-D', "$dir/$n", '-m', 'immediate', '-s', 'stop');
	}
	rmtree($dir);
}

# --- --dsn and --fault-cmd: a cluster the drill did not make ---------------------------
# The DSN holds the password of a role that must give one (scram-sha-256).  The
# drill passes it to its run and verify children as PGPASSWORD, not on their
# command lines: the fault command snapshots every process's command line
# during the load (the drill's own included) and its own environment.
{
	my $password = 'Sekrit42drill';
	my $primary = init_primary('dsn_primary');
	my $standby = init_standby($primary, 'dsn_standby');
	make_synchronous($primary, 'dsn_standby');
	$primary->safe_psql('postgres', "CREATE ROLE drill_pw LOGIN SUPERUSER PASSWORD '$password'");
	for my $node ($primary, $standby)
	{
		my $hba = $node->data_dir . '/pg_hba.conf';
		my $rest = slurp_file($hba);
		open my $fh, '>', $hba or die "cannot write $hba: $!";
		print $fh "local all drill_pw scram-sha-256\nhost all drill_pw 127.0.0.1/32 scram-sha-256\n$rest";
		close $fh;
		$node->reload;
	}
	$primary->wait_for_catchup($standby);

	# no password from anywhere but the DSN
	local $ENV{PGPASSFILE} = '/nonexistent';
	delete local $ENV{PGPASSWORD};
	my ($o, $e) = ('', '');
	my $ok = IPC::Run::run([ 'psql', '-X', '-w', '-At', '-h', $primary->host, '-p', $primary->port,
			'-U', 'drill_pw', '-d', 'postgres', '-c', 'SELECT 1' ], '>', \$o, '2>', \$e);
	ok(!$ok && $e =~ /password/, 'drill_pw cannot log in without its password') or diag $e;

	my $snap = PostgreSQL::Test::Utils::tempdir;
	my $bindir = $primary->config_data('--bindir');
	my $cmd = sprintf("ps -eww -o args > '%s/ps.txt'; "
		  . "for f in /proc/[0-9]*/cmdline; do tr '\\000' ' ' < \$f; echo; done > '%s/cmdline.txt' 2>/dev/null; "
		  . "env > '%s/env.txt'; "
		  . "'%s/pg_ctl' -D '%s' -m immediate -s stop && '%s/pg_ctl' -D '%s' -w -s promote",
		$snap, $snap, $snap, $bindir, $primary->data_dir, $bindir, $standby->data_dir);
	my $enc = sub { my ($v) = @_; $v =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge; $v };
	my $dsn = sprintf('postgresql://drill_pw:%s@/postgres?host=%s,%s&port=%d,%d'
		  . '&target_session_attrs=read-write&fallback_application_name=drill%%20pw',
		$password, $enc->($primary->host), $enc->($standby->host), $primary->port, $standby->port);
	my $json = "$snap/drill.json";
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'drill', '--dsn', $dsn, '--fault-cmd', $cmd, '--at', '2',
			'--rate', '1000', '--duration', '6', '--clients', '4', '--json', $json ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(180));
	my $rc = $? >> 8;
	note $err =~ s/^progress:.*\n//mgr;
	note $out;
	is($rc, 0, '--dsn: exit 0, nothing lost (the password reached run and verify)');
	like($err, qr/fault command exited 0/, 'the fault command ran');
	like($out, qr/verified\s+lost 0 of \d+/, '--dsn: verified against the same dsn');
	like($out, qr/first ack after on timeline 2/, '--dsn: writes came back on the promoted node');
	like($out, qr/cluster\s+user='drill_pw' .*fallback_application_name='drill pw'/,
		'--dsn: the report shows the DSN without its password');

	my $ps = slurp_file("$snap/ps.txt");
	my $cmdlines = slurp_file("$snap/cmdline.txt");
	like($ps, qr{failprobe drill --dsn user='drill_pw'}, 'ps shows the drill with --dsn, rewritten');
	like($ps, qr{ run --dsn user='drill_pw' dbname='postgres' host='[^']*,[^']*' port='\d+,\d+'},
		'ps shows the load child with --dsn, a multi-host conninfo');
	unlike($ps, qr/\Q$password\E/, 'the password is on no command line (ps)');
	like($cmdlines, qr/ run --dsn /, '/proc/*/cmdline holds the load child');
	unlike($cmdlines, qr/\Q$password\E/, 'the password is on no command line (/proc/*/cmdline)');
	my $env = slurp_file("$snap/env.txt");
	like($env, qr/^PATH=/m, 'the fault command\'s environment was captured');
	unlike($env, qr/^PGPASSWORD=/m, 'the fault command gets no PGPASSWORD');
	unlike($env, qr/\Q$password\E/, 'nor the password any other way');
	unlike($out . $err, qr/\Q$password\E/, 'the password is not in the output');
	my $drill_json = slurp_file($json);
	like($drill_json, qr/"verdict": "none_lost"/, '--json written');
	unlike($drill_json, qr/\Q$password\E/, 'the password is not in --json');
	$primary->_update_pid(0);	# the fault command stopped it
	$standby->stop;
}

# --- bad input ----------------------------------------------------------------------
my @bad = (
	[ [ '--fault', 'explode' ], qr/unknown fault 'explode' \(kill, stop, switchover or partition\)/ ],
	[ [ '--fault-cmd', 'true' ], qr/--fault-cmd needs --dsn/ ],
	[ [ '--dsn', 'host=x password=sekrit42' ], qr/--dsn needs --fault-cmd/ ],
	[ [ '--at', '9', '--duration', '8' ], qr/--at must come before the end of --duration/ ],
	[ [ '--pause-replication', '5', '--at', '2' ], qr/--pause-replication .* cannot be longer than --at/ ],
	[ [ '--rate', 'abc' ], qr/invalid value 'abc' for --rate/ ],
	[ [ '--pg-bindir', '/nonexistent' ], qr/no PostgreSQL server programs .* --pg-bindir DIR/ ],
	[ [ '--bogus' ], qr/unknown option '--bogus'/ ],
	[ [ '--dsn', 'host=x', '--fault-cmd', 'true', '--fault', 'kill' ], qr/not with --dsn/ ],
);
my @before = glob('/tmp/failprobe-drill.*');
for my $case (@bad)
{
	my ($args, $re) = @$case;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'drill', @$args ], '>', \$out, '2>', \$err, IPC::Run::timeout(30));
	my $rc = $? >> 8;
	is($rc, 2, "@$args: exit 2");
	like($err, $re, "@$args: says what is wrong");
	is(scalar(() = $err =~ /\n/g), 1, "@$args: one line");
	unlike($err, qr/sekrit42/, "@$args: no password");
}
my @after = glob('/tmp/failprobe-drill.*');
is(scalar @after, scalar @before, 'bad input makes no directory');

done_testing();
