# 030_drill.pl: `failprobe drill` end to end, as a new user runs it first:
# a throwaway primary and synchronous standby made by the drill itself, the
# load at 1500 TPS for 8 s, the primary killed a third of the way in, the
# standby promoted, verification, the report - and afterwards nothing left
# of it: no directory, no server.  PG* variables meant for another server
# are in the environment and must not matter.
#
# The TAP tests run as an unprivileged user, so this is the drill's
# non-root path (the servers run as that same user).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use JSON::PP qw(decode_json);

my $failprobe = "$FindBin::Bin/../client/failprobe";
-x $failprobe or BAIL_OUT("$failprobe is not built: run make first");
my $tmp = PostgreSQL::Test::Utils::tempdir;

# A user who works with a real server has its settings in the environment;
# they must not reach the drill's own cluster (nor its standby's walreceiver).
local $ENV{PGPASSWORD} = 'for-my-real-server';
local $ENV{PGSSLMODE} = 'require';
local $ENV{PGDATABASE} = 'production';
local $ENV{PGOPTIONS} = '-c default_transaction_read_only=on';

my ($out, $err) = ('', '');
IPC::Run::run([ $failprobe, 'drill', '--rate', '1500', '--duration', '8', '--clients', '4',
		'--json', "$tmp/drill.json", '--html', "$tmp/drill.html" ],
	'>', \$out, '2>', \$err, IPC::Run::timeout(180));
my $rc = $? >> 8;
note $err =~ s/^progress:.*\n//mgr;
note $out;

# --- the phases, in order ------------------------------------------------------
like($err, qr/drill: creating cluster: a primary and a synchronous standby/, 'phase: creating cluster');
like($err, qr/drill: loading: 1500 TPS for 8 s/, 'phase: loading');
like($err, qr/drill: fault injected: kill primary \(immediate stop\) at \d+\.\d s/, 'phase: fault injected');
like($err, qr/drill: promoted: the standby is the primary at .*\(timeline 2\)/, 'phase: promoted, timeline 2');
like($err, qr/drill: verifying/, 'phase: verifying');
like($err, qr/drill: report/, 'phase: report');
like($err, qr/^progress: /m, "the run's live progress lines pass through");
like($err, qr/creating cluster.*loading.*fault injected.*promoted.*verifying.*report/s,
	'phases come in order');
unlike($err, qr/running as root/, 'not root: the servers run as this user');

# --- the verdict ------------------------------------------------------------------
is($rc, 0, 'exit 0: no acknowledged write lost with a synchronous standby');
like($out, qr/verified\s+lost 0 of \d+ acknowledged writes/, 'report: lost 0');
like($out, qr/verdict\s+PASS/, 'report: PASS');
like($out, qr/outage\s+RTO \d+ ms; last ack before on timeline 1, first ack after on timeline 2/,
	'report: the outage, from timeline 1 to 2');

# --- the run's own JSON, kept through --json -----------------------------------------
my $j = decode_json(slurp_file("$tmp/drill.json"));
my $run = $j->{run};
is($j->{fault}, 'kill', 'drill JSON: fault kill');
ok($j->{synchronous}, 'drill JSON: synchronous standby');
cmp_ok($j->{promoted_at_s}, '>=', $j->{fault_at_s}, 'promoted after the fault');
cmp_ok($j->{fault_at_s}, '>', 1, 'the fault came after the load started');
cmp_ok($j->{fault_at_s}, '<', 8, 'the fault came before the end of the load');
cmp_ok($run->{acked}, '>', 3000, "the load ran ($run->{acked} acked)");
is($run->{sent}, $run->{acked} + $run->{failed} + $run->{in_doubt}, 'sent = acked + failed + in doubt');
is($run->{outage}{tli_before}, 1, 'last ack before the outage on timeline 1');
is($run->{outage}{tli_after}, 2, 'acks after the outage on timeline 2');
ok(defined $run->{rto_ms} && $run->{rto_ms} > 0, 'an RTO is reported');
is($run->{mode}, 'extension', 'extension mode: pg_failprobe is installed');
is($j->{verdict}, 'none_lost', 'drill JSON: verdict none_lost');
is($j->{verify}{acked_lost}, 0, 'verify JSON: acked_lost 0');
is($j->{verify}{acked}, $run->{acked}, 'verify and run agree on acked');

# --- the HTML report ------------------------------------------------------------------
like($err, qr/HTML report written to/, 'the drill says it wrote the HTML report');
ok(-s "$tmp/drill.html", 'the HTML report was written');
like(slurp_file("$tmp/drill.html"), qr/<html/i, 'and it is HTML');

# --- nothing left behind ------------------------------------------------------------
my ($dir) = $err =~ /cluster ready: .* in (\S+)/;
ok(defined $dir, 'the drill said where it worked') or $dir = '/nonexistent';
ok(!-e $dir, "its directory $dir is gone");
my $ps = `ps -eo args`;
like($ps, qr/perl/, 'ps lists the processes (procps), so the next check means something');
my @left = grep { /postgres.*\Q$dir\E/ } split /\n/, $ps;
is(scalar @left, 0, 'no postgres process of the drill is left') or diag explain \@left;

done_testing();
