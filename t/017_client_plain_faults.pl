# 017_client_plain_faults.pl: the client without the extension, and the
# faults that are not a failover.
#  - plain mode (pg_failprobe not created in the database, as on a managed
#    service): --init makes failprobe_client.ledger, the run rides through an
#    immediate stop and promotion, verify finds nothing lost in the plain
#    table, the servers before and after are told apart by timeline and
#    carry their system identifier, and CREATE EXTENSION pg_failprobe
#    afterwards does not collide with the plain table;
#  - the primary turned read-only (default_transaction_read_only) for a
#    second: writes fail with 25006, the client drops those connections and
#    looks for a read-write server (missing writes meanwhile) and resumes
#    when there is one again; the RTO spans that second;
#  - the run's backends terminated (pg_terminate_backend): in-flight writes
#    in doubt with the server's 57P01 or 08006, reconnect, resume.
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

sub start_run
{
	my ($name, $dsn, @extra) = @_;
	return start_load($dsn, "$dir/$name", '-R', '1000', '-c', '4', '-j', '2', '-P', '0', @extra);
}

# Rows of run $run_id in $node's ledger table sent after $when (a timestamp
# the server gave).
sub rows_sent_after
{
	my ($node, $run_id, $when) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM failprobe.ledger WHERE run_id = $run_id AND sent_at > '$when'");
}

# Turn $node read-only for $secs seconds (default_transaction_read_only, a
# reload), then writable again; returns the server's time at that moment.
sub read_only_for
{
	my ($node, $secs) = @_;
	$node->safe_psql('postgres', 'ALTER SYSTEM SET default_transaction_read_only = on; SELECT pg_reload_conf()');
	usleep($secs * 1_000_000);
	$node->safe_psql('postgres',
		'SET default_transaction_read_only = off; ALTER SYSTEM RESET default_transaction_read_only; SELECT pg_reload_conf()');
	return $node->safe_psql('postgres', 'SELECT now()');
}

sub finish_run
{
	my ($name, $h, $out, $err) = @_;
	$h->finish;
	my $rc = $? >> 8;
	note "$name: exit $rc\n$$err$$out";
	return ($rc, decode_json(slurp_file("$dir/$name.json")));
}

# --- plain mode through a failover ----------------------------------------------
my $primary = init_primary('plainprimary', no_extension => 1);
my $standby = init_standby($primary, 'plainstandby');
make_synchronous($primary, 'plainstandby');
my $dsn = node_dsn([ $primary, $standby ]);

my ($h, $out, $err) = start_run('plain', $dsn, '-T', '8', '--init');
$primary->poll_query_until('postgres', 'SELECT count(*) > 2500 FROM failprobe_client.ledger')
  or die 'the load did not start';
$primary->stop('immediate');
$standby->safe_psql('postgres', 'SELECT pg_promote()');
my ($rc, $j) = finish_run('plain', $h, $out, $err);
is($rc, 0, 'plain: the run rides through the failover');
like($$err, qr/plain mode/, 'plain: announced, with what it lacks');
is($j->{mode}, 'plain', 'plain: JSON mode');
is($j->{table}, 'failprobe_client.ledger', 'plain: JSON table');
is($j->{outage}{tli_before}, 1, 'plain: last ack before on timeline 1');
is($j->{outage}{tli_after}, 2, 'plain: first ack after on timeline 2, without the extension');
my $sysid = $standby->safe_psql('postgres', 'SELECT system_identifier FROM pg_control_system()');
my @servers = @{ $j->{servers} };
cmp_ok(scalar @servers, '>=', 2, 'plain: the old and the new primary are both listed');
is(scalar(grep { ($_->{system_identifier} // '') eq $sysid } @servers), scalar @servers,
	"plain: each server carries the cluster's system identifier ($sysid)");
is(join(',', sort map { $_->{tli} } @servers), '1,2', 'plain: one on timeline 1, one on timeline 2');
for my $k (qw(p50 p90 p99 p999 max mean))
{
	ok(defined $j->{latency_ms}{$k} && $j->{latency_ms}{$k} >= 0, "plain: JSON latency_ms.$k");
}
ok(defined $j->{schedule_lag_ms}{p99}, 'plain: JSON schedule_lag_ms');
cmp_ok(abs($j->{tps} - $j->{acked} / $j->{duration_s}), '<', 1, 'plain: JSON tps is acked over the duration');

my ($vout, $verr) = ('', '');
IPC::Run::run([ $failprobe, 'verify', '-d', $standby->connstr('postgres'), '-l', "$dir/plain.ledger",
		'--json', "$dir/plain.verify.json" ], '>', \$vout, '2>', \$verr);
is($? >> 8, 0, 'plain: verify exits 0') or diag "$vout$verr";
my $v = decode_json(slurp_file("$dir/plain.verify.json"));
is($v->{acked_lost}, 0, 'plain: nothing acknowledged lost (synchronous standby)');
is($v->{table}, 'failprobe_client.ledger', 'plain: verify read the plain table');
is($v->{acked_present}, $j->{acked}, 'plain: every acknowledged write found');

$standby->safe_psql('postgres', 'CREATE EXTENSION pg_failprobe');
is($standby->safe_psql('postgres',
		"SELECT count(*) FROM pg_tables WHERE (schemaname, tablename) IN
		   (('failprobe', 'ledger'), ('failprobe_client', 'ledger'))"),
	'2', 'CREATE EXTENSION afterwards: failprobe.ledger beside failprobe_client.ledger, no collision');
$standby->stop;

# --- a primary turned read-only, then writable again --------------------------------
my $node = init_primary('faults');
my $one = node_dsn($node, 'target_session_attrs=read-write');
# 8 s: on a starved VM the test's own psql calls have taken seconds, and a
# 6 s run was over before the server was writable again
($h, $out, $err) = start_run('readonly', $one, '-T', '8');
$node->poll_query_until('postgres', 'SELECT count(*) > 1500 FROM failprobe.ledger') or die 'no load';
my $writable_at = read_only_for($node, 1);
($rc, $j) = finish_run('readonly', $h, $out, $err);
is($rc, 0, 'read-only: the run completes');
cmp_ok($j->{failed}, '>', 0, "read-only: writes failed ($j->{failed})");
cmp_ok($j->{errors_by_class}{25} // 0, '>', 0, 'read-only: with SQLSTATE class 25 (25006)');
# counted from the moment it was writable again, not over the last second:
# a starved VM has taken 1.8 s to get back and left 40 writes in that second
my $after = rows_sent_after($node, $j->{run_id}, $writable_at);
cmp_ok($after, '>', 20, "read-only: writes resumed once the server took them again ($after)");
is($j->{sent}, $j->{acked} + $j->{failed} + $j->{in_doubt}, 'read-only: sent = acked + failed + in doubt');
cmp_ok($j->{missed}, '>', 300, "read-only: the client looked for a read-write server meanwhile ($j->{missed} missed)");
cmp_ok($j->{connections}{failed}, '>', 0,
	"read-only: its attempts were refused meanwhile ($j->{connections}{failed} of $j->{connections}{attempts})");
like($$out, qr/connection attempts: \d+, of which \d+ failed/, 'read-only: the summary counts the attempts');
cmp_ok($j->{failed}, '<', 100, 'read-only: rather than failing every write on the read-only one');
cmp_ok($j->{rto_ms} // 0, '>', 800,
	"read-only: the RTO spans the read-only second ($j->{rto_ms} ms), not a connection that had not noticed yet");

# --- the same as fast as possible, pipelined -----------------------------------------
# At --rate 0 the pipeline refills before the rejected writes are all
# answered, so a connection that only left once none was in flight never
# left: every write failed until the server was writable again.
($h, $out, $err) = start_run('readonly_max', $one, '-T', '8', '-R', '0', '--pipeline', '8');
my $before = $node->safe_psql('postgres', 'SELECT count(*) FROM failprobe.ledger');
$node->poll_query_until('postgres', 'SELECT count(*) > ' . ($before + 3000) . ' FROM failprobe.ledger')
  or die 'no load';
$writable_at = read_only_for($node, 1);
($rc, $j) = finish_run('readonly_max', $h, $out, $err);
is($rc, 0, 'read-only, pipelined: the run completes');
cmp_ok($j->{errors_by_class}{25} // 0, '>', 0, 'read-only, pipelined: writes failed with 25006');
cmp_ok($j->{connections}{failed}, '>', 0,
	"read-only, pipelined: the client left and looked for a read-write server ($j->{connections}{failed} refused)");
# one pipeline per connection (4 x 8), and room for one connection that
# got in just before the reload took effect; before the fix: 64 and more
cmp_ok($j->{failed}, '<=', 4 * 8 + 8,
	"read-only, pipelined: about one pipeline per connection failed ($j->{failed}), not every write of the second");
$after = rows_sent_after($node, $j->{run_id}, $writable_at);
cmp_ok($after, '>', 100, "read-only, pipelined: writes resumed once the server took them again ($after)");
is($j->{sent}, $j->{acked} + $j->{failed} + $j->{in_doubt}, 'read-only, pipelined: sent = acked + failed + in doubt');

# --- read-only without target_session_attrs: let in, every write refused ----------
# Each connection gets in, has its writes refused and leaves; its backoff must
# grow as for refused connections, not start again at ~10 ms each time (a few
# hundred new backends a second against a server in trouble).
($h, $out, $err) = start_run('readonly_open', node_dsn($node), '-T', '8');
$before = $node->safe_psql('postgres', 'SELECT count(*) FROM failprobe.ledger');
$node->poll_query_until('postgres', 'SELECT count(*) > ' . ($before + 1500) . ' FROM failprobe.ledger')
  or die 'no load';
$writable_at = read_only_for($node, 2);
($rc, $j) = finish_run('readonly_open', $h, $out, $err);
is($rc, 0, 'read-only, no target_session_attrs: the run completes');
# 2 s of doubling from 10 ms is about 8 tries per connection; restarting the
# backoff at each one made it about 150
cmp_ok($j->{connections}{attempts}, '<', 4 * 20,
	"read-only, no target_session_attrs: the backoff grew ($j->{connections}{attempts} connection attempts)");
$after = rows_sent_after($node, $j->{run_id}, $writable_at);
cmp_ok($after, '>', 20, "read-only, no target_session_attrs: writes resumed afterwards ($after)");
is($j->{sent}, $j->{acked} + $j->{failed} + $j->{in_doubt},
	'read-only, no target_session_attrs: sent = acked + failed + in doubt');

# --- the run's backends terminated ------------------------------------------------------
# As fast as possible, so that every connection has writes in flight when
# its backend goes: at 1000/s in groups of 4, a connection sends every 16 ms
# and a .ci/run once terminated four backends that had answered everything
# (no write carried an error, nothing to classify).
# The earlier runs' rows are in the table: wait for 1000 of this one's.
my $rows_before = $node->safe_psql('postgres', 'SELECT count(*) FROM failprobe.ledger');
($h, $out, $err) = start_run('terminated', $one, '-T', '5', '--pipeline', '4', '-M', 'prepared',
	'-R', '0');
$node->poll_query_until('postgres', "SELECT count(*) > $rows_before + 1000 FROM failprobe.ledger")
  or die 'no load';
usleep(500_000);
my $killed = $node->safe_psql('postgres',
	"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	  WHERE application_name = 'failprobe' AND backend_type = 'client backend'");
my $killed_at = $node->safe_psql('postgres', 'SELECT now()');
is($killed, 4, 'terminated: the run\'s four backends');
($rc, $j) = finish_run('terminated', $h, $out, $err);
is($rc, 0, 'terminated: the run completes');
my %classes = %{ $j->{errors_by_class} };
note explain \%classes;
# 'none': the run ended before an answer came, which a starved VM has done
# (p50 4 s) to the writes in flight at the end
is(scalar(grep { !/^(08|57|none)$/ } keys %classes), 0,
	'terminated: what was in flight carries 57 (admin shutdown) or 08 (connection lost)');
ok($classes{57} || $classes{'08'}, 'terminated: the termination is seen as 57 or 08');
my $went_on = rows_sent_after($node, $j->{run_id}, $killed_at);
cmp_ok($went_on, '>', 20, "terminated: the run went on after reconnecting ($went_on writes sent after)");
is($j->{sent}, $j->{acked} + $j->{failed} + $j->{in_doubt}, 'terminated: sent = acked + failed + in doubt');

$node->stop;
done_testing();
