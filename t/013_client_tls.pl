# 013_client_tls.pl: failprobe run over TLS with sslmode=verify-full, as
# against a managed service.  A throwaway CA signs a certificate for
# localhost/127.0.0.1 that both nodes serve (the standby gets promoted).
# A password (SCRAM) role connects with a multi-host conninfo; half-way
# through a 2000 TPS run the primary is stopped immediately and the
# synchronous standby promoted.  Checked: what t/011 checks, that the
# connections really were encrypted on both nodes, that a certificate from
# another CA is refused with one clear line and no ledger, and that the
# password shows up nowhere the client writes.
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
plan skip_all => 'openssl command not found (scripts/install-deps)'
  unless system('openssl version >/dev/null 2>&1') == 0;
my $dir = PostgreSQL::Test::Utils::tempdir;

# --- certificates, made here and thrown away with the test --------------------
my ($ca, $ca_key) = make_ca($dir, 'test_ca');
my ($crt, $key) = make_server_cert($dir, 'server', $ca, $ca_key);
my ($other_ca) = make_ca($dir, 'other_ca');

# TLS on 127.0.0.1 beside the test harness's Unix socket; the files are
# named by absolute path, so the standby's copy of the configuration finds
# them too.
my $primary = init_primary('primary', interval => 100, conf => <<"EOC");
listen_addresses = '127.0.0.1'
ssl = on
ssl_cert_file = '$crt'
ssl_key_file = '$key'
EOC

# a password role that may only come in over TLS
my $password = 'Tls-Secret-8c1f4e';
$primary->safe_psql('postgres', <<"EOS");
SET password_encryption = 'scram-sha-256';
CREATE ROLE fp_tls LOGIN PASSWORD '$password';
GRANT INSERT, SELECT ON failprobe.ledger TO fp_tls;
EOS
my $hba = $primary->data_dir . '/pg_hba.conf';
my $rules = "hostssl all fp_tls 127.0.0.1/32 scram-sha-256\n"
  . "host all fp_tls all reject\n";
PostgreSQL::Test::Utils::append_to_file("$hba.new", $rules . slurp_file($hba));
rename "$hba.new", $hba or die "cannot rename: $!";
$primary->reload;

my $standby = init_standby($primary, 'standby');
make_synchronous($primary, 'standby');

my $base = sprintf("host=localhost,localhost port=%d,%d dbname=postgres user=fp_tls "
	  . "password=%s target_session_attrs=read-write sslmode=verify-full",
	$primary->port, $standby->port, $password);
my $dsn = "$base sslrootcert=$ca";

my @seen;	# everything the client wrote, searched for the password at the end

sub run_client
{
	my (@args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'run', @args ], '>', \$out, '2>', \$err, '<', \undef);
	push @seen, $out, $err;
	return ($? >> 8, $out, $err);
}

# --- a certificate from another CA: refused before anything is written -------
my ($rc, $out, $err) = run_client('-d', "$base sslrootcert=$other_ca",
	'-l', "$dir/wrong.ledger", '-R', '100', '-T', '2');
note $err;
is($rc, 2, 'wrong CA: exit 2');
like($err, qr/^failprobe: cannot connect: .*certificate verify failed/m,
	'wrong CA: the error names the certificate problem');
is(scalar(grep { /\S/ } split /\n/, $err), 1, 'wrong CA: one line');
ok(!-e "$dir/wrong.ledger", 'wrong CA: no ledger file left behind');

# --- the failover run over TLS ----------------------------------------------------
my ($h, $routr, $rerrr) = start_load($dsn, "$dir/run", '-R', '2000', '-c', '4', '-j', '2', '-T', '10');

# the client's sessions on a node, and how many of them are not encrypted
my $tls_sql = "SELECT count(*) >= 4 AND count(*) FILTER (WHERE NOT s.ssl) = 0
  FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
 WHERE a.application_name = 'failprobe' AND a.usename = 'fp_tls'";

$primary->poll_query_until('postgres',
	"SELECT count(*) > 4000 FROM failprobe.ledger") or die 'load did not start';
ok($primary->poll_query_until('postgres', $tls_sql),
	'all the client\'s sessions on the primary use TLS');
$primary->stop('immediate');
$standby->safe_psql('postgres', 'SELECT pg_promote()');
ok($standby->poll_query_until('postgres', $tls_sql),
	'all the client\'s sessions on the promoted node use TLS');

$h->finish;
$rc = $? >> 8;
my ($rout, $rerr) = ($$routr, $$rerrr);
push @seen, $rout, $rerr;
note $rerr;
note $rout;
is($rc, 0, 'run over TLS completes with exit 0 through the failover');

my $json = slurp_file("$dir/run.json");
my $j = decode_json($json);
my %j = check_failover_json($j);
is($j{tli_before}, 1, 'last ack before the outage on timeline 1');
is($j{tli_after}, 2, 'first ack after on timeline 2: writes resumed on the promoted node');
like($rerr, qr/progress: .*(OUTAGE|reconnecting|disrupted)/, 'progress shows the outage');
like($rout, qr/outage: detection .* RTO/, 'summary states the outage');
like($j->{conninfo}, qr/sslmode='verify-full'/, 'the JSON records the TLS settings used');

# --- independent check on the promoted node ---------------------------------
check_survivors($standby, $j);

# --- the password is nowhere the client wrote ------------------------------------
my $ledger = slurp_file("$dir/run.ledger");
like($ledger, qr/fp_tls/, 'the ledger header names the role (so the search below means something)');
my @leaks = grep { index($_->[1], $password) >= 0 }
  (map { [ "output $_", $seen[$_] ] } 0 .. $#seen),
  [ 'JSON', $json ], [ 'ledger', $ledger ];
is_deeply([ map { $_->[0] } @leaks ], [], 'the password appears in no output, JSON or ledger');

$standby->stop;
done_testing();
