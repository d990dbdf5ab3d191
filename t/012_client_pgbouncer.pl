# 012_client_pgbouncer.pl: failprobe run through a real PgBouncer (1.18,
# transaction mode), as on a managed service's port 6432.  Half-way through
# a 2000 TPS run the primary is stopped immediately, the synchronous standby
# promoted, and PgBouncer repointed at it (ini rewritten, RELOAD), which is
# what the managed endpoint does at failover.  The run completes with exit 0,
# sent = acked + failed + in_doubt, every acknowledged write is on the
# promoted node, writes resume there, an RTO is reported, and the client
# knows the timeline each write committed on even though the pooler kept
# its connections.  Then a failover behind a PAUSEd PgBouncer, which fails
# no write at all: the stall must still be reported as an outage.  Also:
# what the client says about commit LSNs and named prepared statements
# through a pooler, and a pooler whose server is down.
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
pgbouncer_or_skip();
my $dir = PostgreSQL::Test::Utils::tempdir;

my $primary = init_primary('primary', interval => 100);
my $standby = init_standby($primary, 'standby');
make_synchronous($primary, 'standby');

my $pgb = start_pgbouncer('bouncer', $primary);
my $dsn = "host=127.0.0.1 port=$pgb->{port} dbname=postgres";
like(pgbouncer_admin($pgb, 'SHOW VERSION'), qr/PgBouncer/, 'admin console answers');

sub run_client
{
	my (@args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'run', @args ], '>', \$out, '2>', \$err, '<', \undef);
	return ($? >> 8, $out, $err);
}

# --- what PgBouncer does with the commit LSN parameter ------------------------
# One libpq client alone behind the pooler: it gets the same server session
# back each time, so the ParameterStatus the extension sends does come
# through (PgBouncer forwards it).  The SET that turns reporting on is still
# state of one pooled server session, which is why failprobe does not use
# it through a pooler (checked below).
my ($pout, $perr) = ('', '');
IPC::Run::run([ "$FindBin::Bin/pq_commit_probe", $dsn, 2 ], '>', \$pout, '2>', \$perr);
like($pout, qr{^exec [0-9A-F]+/[0-9A-F]+ }m,
	'finding: PgBouncer 1.18 forwards pg_failprobe.commit_lsn to a lone client');
$primary->safe_psql('postgres', 'DELETE FROM failprobe.ledger WHERE run_id = 42');

# --- named prepared statements: refused before anything is written -----------
# PgBouncer 1.18 passes a client's statement names to the server session as
# they are (the client's probe finds its own name in pg_prepared_statements);
# in transaction mode the next transaction may run in another session.
# t/015 has the newer PgBouncer that keeps them per client.
my ($rc, $out, $err) = run_client('-d', $dsn, '-l', "$dir/prep.ledger", '-M', 'prepared',
	'-R', '100', '-T', '2');
is($rc, 2, '-M prepared through PgBouncer: exit 2');
like($err, qr/^failprobe: --protocol prepared does not work through this connection pooler.*pg_prepared_statements.*use --protocol extended.*max_prepared_statements > 0/m,
	'-M prepared: the error names the pooler and the way out');
is(scalar(grep { /\S/ } split /\n/, $err), 1, '-M prepared: one line');
ok(!-e "$dir/prep.ledger", '-M prepared: no ledger file left behind');

# --- the failover run through the pooler ---------------------------------------
my ($h, $routr, $rerrr) = start_load($dsn, "$dir/run", '-R', '2000', '-c', '4', '-j', '2', '-T', '10');
fail_over($primary, $standby, 4000, $rerrr);
pgbouncer_point($pgb, $standby);
$h->finish;
$rc = $? >> 8;
my ($rout, $rerr) = ($$routr, $$rerrr);
note $rerr;
note $rout;
is($rc, 0, 'run through PgBouncer completes with exit 0 through the failover');
like($rerr, qr/connected through a connection pooler.*commit LSNs are not available through this connection/,
	'the client says commit LSNs are not available through the pooler');

my $j = decode_json(slurp_file("$dir/run.json"));
note explain $j->{servers};
my %j = check_failover_json($j);
is($j->{commit_lsn}{known}, 0, 'no commit LSN recorded as if known');
ok($j->{pooled}, 'the JSON says a pooler stood in between');
ok(!$j->{commit_lsn}{available}, 'and that commit LSNs were not available');
is($j{tli_before}, 1, 'last ack before the outage on timeline 1');
is($j{tli_after}, 2, 'first ack after on timeline 2, learnt from the write itself');
my @ports = map { $_->{port} } @{ $j->{servers} };
is_deeply([ sort { $a <=> $b } map { $_->{tli} } @{ $j->{servers} } ], [ 1, 2 ],
	'servers: the PgBouncer endpoint on timeline 1, then on timeline 2');
is_deeply([ grep { $_ ne $pgb->{port} } @ports ], [], 'servers are named by the endpoint used');
like($rout, qr/outage: detection .* RTO .*timeline 1.*timeline 2/, 'summary states the outage and both timelines');

# --- independent check on the promoted node ---------------------------------
check_survivors($standby, $j);

# The pooled server sessions that carried the run must not have been left
# reporting commits: others share them.
my ($show, $serr) = ('', '');
IPC::Run::run([ 'psql', '-X', '-A', '-t', '-d', $dsn, '-c', 'SHOW pg_failprobe.report_commits' ],
	'>', \$show, '2>', \$serr);
chomp $show;
is($show, 'off', 'no SET left behind in the pooled server sessions');

# --- a failover the client cannot see ------------------------------------------
# PAUSE lets the transactions under way finish and holds new ones in
# PgBouncer; the old primary then goes, the standby is promoted and the pool
# repointed before RESUME.  No write fails or is in doubt: the outage is
# only a stall, and must still be reported with its RTO and both timelines.
# Simple protocol this time, so the timeline comes back from a plain query.
my $standby2 = init_standby($standby, 'standby2');
make_synchronous($standby, 'standby2');

($rout, $rerr) = ('', '');
$h = IPC::Run::start([ $failprobe, 'run', '-d', $dsn, '-l', "$dir/stall.ledger", '-M', 'simple',
		'-R', '1000', '-c', '2', '-T', '5', '--json', "$dir/stall.json",
		# held writes wait out the choreography below, however slow the VM
		'--reply-timeout', '60' ],
	'>', \$rout, '2>', \$rerr);
$standby->poll_query_until('postgres',
	"SELECT count(*) > 1000 FROM failprobe.ledger WHERE run_id <> $j{run_id}")
  or die 'second load did not start';
defined pgbouncer_admin($pgb, 'PAUSE') or die 'PAUSE failed';
$standby->stop('immediate');
$standby2->safe_psql('postgres', 'SELECT pg_promote()');
pgbouncer_point($pgb, $standby2);
defined pgbouncer_admin($pgb, 'RESUME') or die 'RESUME failed';
$h->finish;
$rc = $? >> 8;
note $rout;
is($rc, 0, 'paused failover: exit 0');
my $s = decode_json(slurp_file("$dir/stall.json"));
note explain $s->{outage};
is($s->{failed} + $s->{in_doubt}, 0, 'paused failover: no write failed or in doubt');
is($s->{sent}, $s->{acked}, 'paused failover: every write sent was acknowledged');
ok(defined $s->{rto_ms} && $s->{rto_ms} > 0, 'paused failover: the stall is reported as an outage with an RTO ('
	  . ($s->{rto_ms} // 'null') . ' ms)');
is($s->{outage}{tli_before}, 2, 'paused failover: last ack before on timeline 2');
is($s->{outage}{tli_after}, 3, 'paused failover: first ack after on timeline 3');
my $rows = $standby2->safe_psql('postgres',
	"SELECT count(*) FROM failprobe.ledger WHERE run_id = $s->{run_id}");
is($rows, $s->{acked}, "paused failover: all $s->{acked} acknowledged writes on the new primary");

# --- a pooler whose server is down ----------------------------------------------
$standby2->stop('immediate');
($rc, $out, $err) = run_client('-d', $dsn, '-l', "$dir/down.ledger", '-R', '100', '-T', '2');
note $err;
is($rc, 2, 'server behind PgBouncer down: exit 2');
like($err, qr/^failprobe: cannot connect: /m, 'server behind PgBouncer down: says it cannot connect');
is(scalar(grep { /\S/ } split /\n/, $err), 1, 'server behind PgBouncer down: one line');
ok(!-e "$dir/down.ledger", 'server behind PgBouncer down: no ledger file');

stop_pgbouncer($pgb);
done_testing();
