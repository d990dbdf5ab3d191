# 015_client_pgbouncer_prepared.pl: named prepared statements through a
# PgBouncer that keeps them per client.  PgBouncer 1.21 added
# max_prepared_statements: it then gives each client's statement a name of
# its own (PGBOUNCER_n) and prepares it on whichever server session runs the
# transaction.  Debian 12 has 1.18 (t/012 checks that -M prepared is refused
# through it); here Debian 13's 1.24, built by scripts/build-pgbouncer-new.
#
# With max_prepared_statements = 100, in transaction mode: failprobe run -M
# prepared goes through a failover (primary stopped at once, synchronous
# standby promoted, PgBouncer repointed) with exit 0, no write failed for a
# missing statement (26000), and verify finds no acknowledged write lost;
# the server sessions hold PgBouncer's names, not ours; pipelined prepared
# writes work too.  With max_prepared_statements = 0 the same binary passes
# names through, and -M prepared is refused in one line before anything is
# written.
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

# The newer PgBouncer, where scripts/build-pgbouncer-new puts it.
my $bin = $ENV{FAILPROBE_PGBOUNCER_NEW}
  // `"$FindBin::Bin/../scripts/build-pgbouncer-new" --path`;
chomp $bin;
my $version = -x $bin ? `"$bin" --version 2>/dev/null` : '';
plan skip_all => "no PgBouncer 1.21 or later at $bin: run scripts/build-pgbouncer-new "
  . '(builds Debian 13\'s 1.24 from source; needs deb.debian.org)'
  unless $version =~ /^PgBouncer 1\.(\d+)/ && $1 >= 21;
note "using $bin: $version";
my $dir = PostgreSQL::Test::Utils::tempdir;

my $primary = init_primary('primary', interval => 100);
my $standby = init_standby($primary, 'standby');
make_synchronous($primary, 'standby');

my $pgb = start_pgbouncer('bouncer', $primary, bin => $bin,
	conf => 'max_prepared_statements = 100');
my $dsn = "host=127.0.0.1 port=$pgb->{port} dbname=postgres";

sub run_client
{
	my (@args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'run', @args ], '>', \$out, '2>', \$err, '<', \undef);
	return ($? >> 8, $out, $err);
}

# --- a failover run with named prepared statements ------------------------------
my ($h, $routr, $rerrr) = start_load($dsn, "$dir/run",
	'-M', 'prepared', '-R', '2000', '-c', '4', '-j', '2', '-T', '10');
fail_over($primary, $standby, 4000, $rerrr);
pgbouncer_point($pgb, $standby);
$h->finish;
my $rc = $? >> 8;
my ($rout, $rerr) = ($$routr, $$rerrr);
note $rerr;
note $rout;
is($rc, 0, '-M prepared through PgBouncer 1.24 completes with exit 0 through the failover');
like($rerr, qr/connected through a connection pooler.*keeps named prepared statements per client/,
	'the client says the pooler keeps named prepared statements');

my $j = decode_json(slurp_file("$dir/run.json"));
my %j = check_failover_json($j);
ok($j->{pooled}, 'the JSON says a pooler stood in between');
note explain $j->{errors_by_class};
ok(!$j->{errors_by_class}{26},
	'no write failed for a missing prepared statement (26000): '
	  . ($j->{errors_by_class}{26} // 0));
is($j{tli_before}, 1, 'last ack before the outage on timeline 1');
is($j{tli_after}, 2, 'first ack after on timeline 2, learnt from the prepared write itself');
check_survivors($standby, $j);

my ($vout, $verr) = ('', '');
IPC::Run::run([ $failprobe, 'verify', '--dsn', $standby->connstr('postgres'),
		'--ledger', "$dir/run.ledger", '--json', "$dir/verify.json" ],
	'>', \$vout, '2>', \$verr, '<', \undef);
is($? >> 8, 0, 'verify exits 0');
my $v = decode_json(slurp_file("$dir/verify.json"));
is($v->{acked_lost}, 0, 'verify: acked_lost 0');
is($v->{acked}, $j->{acked}, "verify read the $j->{acked} acknowledged writes");

# --- what the server sessions hold ---------------------------------------------------
# Through the pooler, a transaction lands in one of its server sessions:
# one that carried the writes holds PgBouncer's names and not ours, one
# that did not (the sampler's, a new one) holds none.  Ask a few times, each
# a new transaction, so that at least one lands where writes went.
my %seen;
for (1 .. 10)
{
	my $names = $standby->safe_psql('postgres', q{
		SELECT coalesce(string_agg(DISTINCT CASE WHEN name = 'fp_insert' THEN name
		  WHEN name LIKE 'PGBOUNCER\_%' THEN 'PGBOUNCER_n' ELSE 'other' END, ','), 'none')
		  FROM pg_prepared_statements},
		connstr => $dsn);
	$seen{$names}++;
}
note explain \%seen;
ok($seen{PGBOUNCER_n}, 'server sessions: the insert is prepared under PgBouncer\'s names');
is(scalar(grep { $_ ne 'PGBOUNCER_n' && $_ ne 'none' } keys %seen), 0,
	'server sessions: never under our own name, nor anything else');

# --- pipelined prepared writes ---------------------------------------------------
my ($out, $err);
($rc, $out, $err) = run_client('-d', $dsn, '-l', "$dir/pipe.ledger", '-M', 'prepared',
	'--pipeline', '4', '-R', '0', '-c', '4', '-j', '2', '-T', '2', '-P', '0',
	'--json', "$dir/pipe.json");
note $out;
is($rc, 0, '-M prepared --pipeline 4 through PgBouncer 1.24: exit 0');
my $p = decode_json(slurp_file("$dir/pipe.json"));
cmp_ok($p->{acked}, '>', 1000, "pipelined: writes acknowledged ($p->{acked})");
is($p->{failed} + $p->{in_doubt}, 0, 'pipelined: none failed or in doubt');

# --- the same binary with max_prepared_statements = 0 --------------------------------
my $pgb0 = start_pgbouncer('bouncer0', $standby, bin => $bin,
	conf => 'max_prepared_statements = 0');
($rc, $out, $err) = run_client('-d', "host=127.0.0.1 port=$pgb0->{port} dbname=postgres",
	'-l', "$dir/prep0.ledger", '-M', 'prepared', '-R', '100', '-T', '2');
note $err;
is($rc, 2, 'max_prepared_statements = 0: -M prepared exits 2');
like($err,
	qr/^failprobe: --protocol prepared does not work through this connection pooler.*pg_prepared_statements.*use --protocol extended.*max_prepared_statements > 0/m,
	'max_prepared_statements = 0: the error says why and the ways out');
is(scalar(grep { /\S/ } split /\n/, $err), 1, 'max_prepared_statements = 0: one line');
ok(!-e "$dir/prep0.ledger", 'max_prepared_statements = 0: no ledger file left behind');
# the probe cleaned up after itself in the shared server session
is($standby->safe_psql('postgres',
		q{SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'failprobe\_probe\_%'},
		connstr => "host=127.0.0.1 port=$pgb0->{port} dbname=postgres"),
	'0', 'max_prepared_statements = 0: the probe\'s statement was deallocated');

stop_pgbouncer($pgb0);
stop_pgbouncer($pgb);
done_testing();
