# 011_client_failover.pl: failprobe run at 2000 TPS for 10 s against a
# primary with a synchronous standby; the primary is stopped immediately in
# the middle and the standby promoted.  The run completes with exit 0,
# sent = acked + failed + in_doubt, writes resume on the promoted node
# (timeline 2), an RTO is reported, and every acknowledged write is on the
# promoted node (synchronous replication: nothing acknowledged is lost).
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

# One failover under load; @extra are further options for failprobe run.
sub failover_run
{
	my ($n, @extra) = @_;
	note "--- failover run $n: @extra";
	my $primary = init_primary("primary$n", interval => 100);
	my $standby = init_standby($primary, "standby$n");
	make_synchronous($primary, "standby$n");

	# both nodes in one multi-host connection string, as an operator would
	my $dsn = node_dsn([ $primary, $standby ]);

	my ($h, $outr, $errr) = start_load($dsn, "$dir/run$n",
		'-R', '2000', '-c', '4', '-j', '2', '-T', '10', @extra);
	fail_over($primary, $standby, 4000, $errr);	# half-way
	$h->finish;
	my $rc = $? >> 8;
	my ($out, $err) = ($$outr, $$errr);
	note $err;
	note $out;
	is($rc, 0, 'run completes with exit 0 through the failover');

	my $j = decode_json(slurp_file("$dir/run$n.json"));
	my %j = check_failover_json($j);
	ok($j->{commit_lsn}{available} && !$j->{pooled}, 'direct connections: commit LSNs available');
	is($j->{commit_lsn}{known}, $j{acked}, 'a commit LSN for every acknowledged write');
	is($j{tli_before}, 1, 'last ack before the outage on timeline 1');
	is($j{tli_after}, 2, 'first ack after on timeline 2: writes resumed on the promoted node');
	like($err, qr/progress: .*(OUTAGE|reconnecting|disrupted)/, 'progress shows the outage');
	like($out, qr/outage: detection .* RTO/, 'summary states the outage');
	if (grep { $_ eq '--pipeline' } @extra)
	{
		like($out, qr/pipelined: answers are read in groups, up to 2 ms after they came/,
			'pipelined: the summary says latency includes the gathering of answers');
	}
	else
	{
		unlike($out, qr/answers are read in groups/, 'not pipelined: nothing gathered, nothing said');
	}

	cmp_ok($j->{connections}{attempts}, '>', 4,
		"the connections were made again ($j->{connections}{attempts} attempts for 4 connections)");

	# what ended the connections, as SQLSTATE classes: the server's code, or
	# 08006 for a connection that broke without one; never "none"
	my $classes = $j->{errors_by_class};
	note explain $classes;
	my $total = 0;
	$total += $_ for values %$classes;
	is($total, $j{failed} + $j{in_doubt}, 'errors_by_class counts every failed and in-doubt write');
	is(scalar(grep { !/^(08|57|25)$/ } keys %$classes), 0,
		'every class is a connection exception (08), operator intervention (57) or read-only (25)');
	if ($total > 0)
	{
		like($out, qr/errors by SQLSTATE class \(failed and in doubt\): .*(08 \(connection exception\)|57 \(operator intervention\))/,
			'the summary names the classes');
	}
	else
	{
		unlike($out, qr/errors by SQLSTATE class/, 'no write failed or was in doubt: no classes in the summary');
	}

	# --- independent check on the promoted node ---------------------------------
	check_survivors($standby, $j);
	$standby->stop;
}

failover_run(1);
# pipelined, in groups, with prepared statements: the reconnect path with
# several writes in flight on every connection
failover_run(2, '-M', 'prepared', '--pipeline', '4');

done_testing();
