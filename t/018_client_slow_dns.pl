# 018_client_slow_dns.pl: a host name whose lookup is slow while the client
# reconnects, as when a failover moves a DNS name (managed services).
#
# The client runs in a user and network namespace of its own (unshare
# -rmn), with /etc/resolv.conf bind-mounted to point at a real DNS server
# started there (t/tools/slow_dns.pl) that answers the server's name after
# a delay; the server is reached through a relay from 127.0.0.1 in the
# namespace to its Unix socket (t/tools/tcp_to_unix.pl).  Mid-run the
# lookups turn slow (3 s, one at a time) and the run's backends are
# terminated, so both connections look the name up again:
#  - the progress goes on once a second: libpq's blocking lookup no longer
#    holds the thread's lock that the reporter takes (before: a 5 s gap);
#  - a lookup slower than the host timeout (the second waits 6 s) does not
#    time out the server that then answers (before: a failed attempt);
#  - both connections come back, and the writes with them.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP qw(decode_json);
use List::Util qw(max);
use FailprobeTest;

my $failprobe = "$FindBin::Bin/../client/failprobe";
-x $failprobe or BAIL_OUT("$failprobe is not built: run make first");

# user namespaces may be off (a sysctl, a container)
if (!IPC::Run::run([ 'unshare', '-rmn', 'ip', 'link', 'set', 'lo', 'up' ], '>', \my $o, '2>', \my $e))
{
	plan skip_all => "no user and network namespace here (unshare -rmn: $e)";
}

my $dir = PostgreSQL::Test::Utils::tempdir;
my $node = init_primary('primary', interval => 100);
plan skip_all => 'the server has no Unix socket to relay to' unless $node->host =~ m{^/};
my $socket = $node->host . '/.s.PGSQL.' . $node->port;

# how long the DNS server waits before it answers the name, in seconds
my $delay = "$dir/delay";
sub set_delay
{
	open(my $fh, '>', $delay) or die "$delay: $!";
	print $fh "$_[0]\n";
	close $fh;
}
set_delay(0);
PostgreSQL::Test::Utils::append_to_file("$dir/resolv.conf",
	"nameserver 127.0.0.1\noptions timeout:30 attempts:1\n");

my $tools = "$FindBin::Bin/tools";
# inside the namespace the client is uid 0: name the server's user
my $user = getpwuid($>);
my $name = 'failprobe-slow.test';
my $inner = join(' ',
	'ip link set lo up',
	"&& mount --bind '$dir/resolv.conf' /etc/resolv.conf",
	"&& { perl '$tools/slow_dns.pl' $name 127.0.0.1 '$delay' & dns=\$!;",
	"perl '$tools/tcp_to_unix.pl' 5432 '$socket' & relay=\$!;",
	'sleep 0.5;',
	"'$failprobe' run -d 'host=$name port=5432 dbname=postgres user=$user'",
	"-l '$dir/run.ledger' --json '$dir/run.json' -c 2 -j 2 -R 200 -T 16 -q;",
	'rc=$?; kill $dns $relay; exit $rc; }');
my ($out, $err) = ('', '');
my $h = IPC::Run::start([ 'unshare', '-rmn', 'sh', '-c', $inner ], '>', \$out, '2>', \$err);

# wait for the load, reading what the client says meanwhile
for (my $waited = 0;; $waited++)
{
	$h->pump_nb;
	die "the client ended before its load began: $err" unless $h->pumpable;
	die "the load did not start: $err" if $waited > 600;
	last if $node->safe_psql('postgres', 'SELECT count(*) > 400 FROM failprobe.ledger') eq 't';
	select(undef, undef, undef, 0.1);
}
set_delay(3);
is($node->safe_psql('postgres', q{
	SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
	  AND query LIKE '%failprobe.ledger%'}), '2', "the run's two backends terminated");
# both lookups answered (3 s, then the one behind it) before the delay ends
sleep 8;
set_delay(0);
$h->finish;
my $rc = $? >> 8;
note "exit $rc\n$out$err";
is($rc, 0, 'the run completes');
my $j = decode_json(slurp_file("$dir/run.json"));

my @t = map { $_->{t} } @{ $j->{series} };
my $gap = max(map { $t[$_] - $t[ $_ - 1 ] } 1 .. $#t);
# every second has its point; 2.5 s leaves room for a stalled VM, and the
# lock held through a lookup left a gap of 5 s
cmp_ok($gap, '<', 2.5, "the series went on while the lookups took 3-6 s (longest gap $gap s)");
is($j->{connections}{failed}, 0,
	"no attempt failed: a slow lookup does not count against the host's timeout ($j->{connections}{attempts} attempts)");
ok(defined $j->{rto_ms}, 'the outage ended: both connections came back (RTO ' . ($j->{rto_ms} // 'none') . ' ms)');
my $last = $j->{series}[-2];
cmp_ok($last->{acked}, '>=', 150, "the last whole second was at the full rate again ($last->{acked} of 200 writes)");

$node->stop;
done_testing();
