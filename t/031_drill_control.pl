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
	return grep { /postgres.*\Q$dir\E/ } split /\n/, `ps -eo args`;
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

	my $psql = sub {
		my ($port, $sql) = @_;
		my ($o, $e) = ('', '');
		IPC::Run::run([ 'psql', '-X', '-At', '-h', '127.0.0.1', '-p', $port, '-U', 'postgres',
				'-d', 'postgres', '-c', $sql ], '>', \$o, '2>', \$e);
		chomp $o;
		return $o;
	};
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
{
	my $primary = init_primary('dsn_primary');
	my $standby = init_standby($primary, 'dsn_standby');
	$primary->safe_psql('postgres',
		"ALTER SYSTEM SET synchronous_standby_names = 'dsn_standby'; SELECT pg_reload_conf()");
	$primary->poll_query_until('postgres', "SELECT sync_state = 'sync' FROM pg_stat_replication")
	  or die 'standby never became synchronous';
	my $bindir = $primary->config_data('--bindir');
	my $cmd = sprintf("'%s/pg_ctl' -D '%s' -m immediate -s stop && '%s/pg_ctl' -D '%s' -w -s promote",
		$bindir, $primary->data_dir, $bindir, $standby->data_dir);
	my $dsn = sprintf('host=%s,%s port=%d,%d dbname=postgres target_session_attrs=read-write password=sekrit42',
		$primary->host, $standby->host, $primary->port, $standby->port);
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'drill', '--dsn', $dsn, '--fault-cmd', $cmd, '--at', '2',
			'--rate', '1000', '--duration', '6', '--clients', '4' ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(180));
	my $rc = $? >> 8;
	note $err =~ s/^progress:.*\n//mgr;
	note $out;
	is($rc, 0, '--dsn: exit 0, nothing lost');
	like($err, qr/fault command exited 0/, 'the fault command ran');
	like($out, qr/verified\s+lost 0 of \d+/, '--dsn: verified against the same dsn');
	like($out, qr/first ack after on timeline 2/, '--dsn: writes came back on the promoted node');
	unlike($out . $err, qr/sekrit42/, 'the password never appears');
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
