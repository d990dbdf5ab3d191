# 016_client_pgbouncer_restart.pl: the pooler itself goes away under load.
# failprobe run writes through a real PgBouncer (transaction mode) to one
# primary; in the middle PgBouncer is shut down at once (SIGTERM: immediate
# shutdown, every client connection cut) and started again on the same port,
# once after a crash-like SIGKILL too.  The client must ride through it: exit
# 0, sent = acked + failed + in_doubt, the cut writes in doubt, writes
# acknowledged again after the restart, an RTO reported on the same
# timeline, and every acknowledged write in the table.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);
use JSON::PP qw(decode_json);
use FailprobeTest;

my $failprobe = "$FindBin::Bin/../client/failprobe";
-x $failprobe or BAIL_OUT("$failprobe is not built: run make first");
my $bouncer_bin = pgbouncer_or_skip();
my $dir = PostgreSQL::Test::Utils::tempdir;

my $primary = init_primary('primary', interval => 100);
my $pgb = start_pgbouncer('bouncer', $primary);
my $dsn = "host=127.0.0.1 port=$pgb->{port} dbname=postgres";

sub bouncer_pid
{
	chomp(my $pid = slurp_file($pgb->{pidfile}));
	return $pid;
}

# Take PgBouncer away with $signal, wait until it is gone, start it again
# with the same configuration on the same port, wait until it answers.
sub restart_bouncer
{
	my ($signal) = @_;
	my $pid = bouncer_pid();
	kill $signal, $pid or die "cannot signal pgbouncer $pid: $!";
	my $waited = 0;
	while (kill 0, $pid)
	{
		die "pgbouncer $pid did not go within 30 s of SIG$signal" if ($waited += 0.02) > 30;
		usleep(20_000);
	}
	unlink $pgb->{pidfile};    # SIGKILL leaves it behind
	usleep(300_000);           # a visible gap: connections refused meanwhile
	system_or_bail($bouncer_bin, '-d', $pgb->{ini});
	for (1 .. 100)
	{
		return if defined pgbouncer_admin($pgb, 'SHOW VERSION');
		usleep(100_000);
	}
	die 'pgbouncer did not come back: ' . slurp_file($pgb->{log});
}

sub ledger_rows
{
	my ($run_id, $extra) = @_;
	return $primary->safe_psql('postgres',
		"SELECT count(*) FROM failprobe.ledger WHERE run_id = $run_id $extra");
}

my %run_id = (TERM => 1601, KILL => 1602);
foreach my $signal ('TERM', 'KILL')
{
	my $tag = "pgbouncer $signal";
	my ($out, $err) = ('', '');
	my $json = "$dir/$signal.json";
	my $h = IPC::Run::start([ $failprobe, 'run', '-d', $dsn, '-l', "$dir/$signal.ledger",
			'-R', '1000', '-c', '4', '-j', '2', '-T', '8', '-P', '0', '--json', $json,
			'--no-server-metrics', '--run-id', $run_id{$signal} ],
		'>', \$out, '2>', \$err, '<', \undef);
	# let the load settle on the pooler first
	$primary->poll_query_until('postgres',
		"SELECT count(*) > 1500 FROM failprobe.ledger WHERE run_id = $run_id{$signal}")
	  or die "$tag: load did not start: $err";
	my $restart_at = $primary->safe_psql('postgres', 'SELECT now()');
	my $t0 = time;
	restart_bouncer($signal);
	my $away_ms = 1000 * (time - $t0);
	note sprintf('%s: pgbouncer away and back in %.0f ms', $tag, $away_ms);
	$h->finish;
	my $rc = $? >> 8;
	note $out;
	note $err;
	is($rc, 0, "$tag: the run rides through and exits 0");

	my $j = decode_json(slurp_file($json));
	note explain $j->{outage};
	is($j->{sent}, $j->{acked} + $j->{failed} + $j->{in_doubt},
		"$tag: sent = acked + failed + in_doubt ($j->{sent})");
	cmp_ok($j->{in_doubt} + $j->{failed} + $j->{missed}, '>', 0,
		"$tag: the cut is seen (in doubt $j->{in_doubt}, failed $j->{failed}, missed $j->{missed})");
	# 8000 due; a starved VM has acknowledged 4688 of them
	my $due = $j->{sent} + $j->{missed};
	cmp_ok($j->{acked}, '>', 0.4 * $due, "$tag: most writes acknowledged ($j->{acked} of $due)");
	# the reconnect backoff is capped at 1 s: the client is back within
	# about that of the pooler, and a starved VM's pauses (seconds) on top
	ok(defined $j->{rto_ms} && $j->{rto_ms} > 0 && $j->{rto_ms} < $away_ms + 3000,
		sprintf('%s: an RTO within 3 s of the pooler\'s absence is reported (%s ms; away %.0f ms)',
			$tag, $j->{rto_ms} // 'null', $away_ms));
	is($j->{outage}{tli_before}, 1, "$tag: last ack before on timeline 1");
	is($j->{outage}{tli_after}, 1, "$tag: first ack after on the same timeline (no failover)");

	my $rows = ledger_rows($j->{run_id}, '');
	cmp_ok($rows, '>=', $j->{acked}, "$tag: every acknowledged write is in the table ($rows rows)");
	cmp_ok($rows, '<=', $j->{acked} + $j->{in_doubt}, "$tag: no row neither acked nor in doubt");
	my $after = ledger_rows($j->{run_id}, "AND sent_at > '$restart_at'::timestamptz + interval '1 s'");
	cmp_ok($after, '>', 1000, "$tag: writes went on through the restarted pooler ($after)");
}

stop_pgbouncer($pgb);
done_testing();
