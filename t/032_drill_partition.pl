# 032_drill_partition.pl: the primary cut off behind a silent proxy while it
# keeps running.  Keepalives cannot see such a partition (the proxy's kernel
# acknowledges every byte), so the client must notice the silence itself
# (--reply-timeout) and move on from the silent host when reconnecting; the
# drill then ends with an RTO on the promoted node and nothing lost.
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP qw(decode_json);
use FindBin;

my $failprobe = "$FindBin::Bin/../client/failprobe";
-x $failprobe or BAIL_OUT("$failprobe is not built: run make first");
my $tmp = PostgreSQL::Test::Utils::tempdir;

my ($out, $err) = ('', '');
IPC::Run::run([ $failprobe, 'drill', '--fault', 'partition', '--rate', '1000',
		'--duration', '16', '--at', '4', '--clients', '4', '--json', "$tmp/drill.json" ],
	'>', \$out, '2>', \$err, IPC::Run::timeout(180));
my $rc = $? >> 8;
note $err =~ s/^progress:.*\n//mgr;
note $out;

is($rc, 0, 'exit 0: nothing acknowledged was lost');
like($err, qr/fault injected: partition/, 'the partition was injected');
my $j = decode_json(slurp_file("$tmp/drill.json"));
my $run = $j->{run};
is($run->{outage}{tli_before}, 1, 'last ack before the partition on timeline 1');
is($run->{outage}{tli_after}, 2, 'first ack after it on timeline 2: the client found the promoted node');
ok(defined $run->{rto_ms}, 'an RTO is reported (' . ($run->{rto_ms} // 'none') . ' ms)');
# silence for the reply timeout (5 s), then at most one host timeout (5 s),
# the promotion and the backoff (1 s at most); room for a starved VM's pauses
cmp_ok($run->{rto_ms} // 1e9, '<', 20000, 'within the reply timeout plus one host timeout');
cmp_ok($run->{in_doubt}, '>', 0, 'writes caught in the partition are in doubt, not acked');
is($j->{verify}{acked_lost}, 0, 'verify: no acknowledged write lost');
is($j->{verify}{in_doubt}, $run->{in_doubt}, 'verify sees the same writes in doubt');

my ($dir) = $err =~ /cluster ready: .* in (\S+)/;
ok(defined $dir && !-e $dir, 'the drill removed its directory');
my $ps = `ps -eo args`;
like($ps, qr/perl/, 'ps lists the processes (procps), so the next check means something');
my @left = grep { defined $dir && /postgres.*\Q$dir\E/ } split /\n/, $ps;
is(scalar @left, 0, 'no postgres process of the drill is left');

done_testing();
