# 033_drill_loss.pl: the drill's other faults and what loss looks like.
#  - --fault stop (fast shutdown of the primary) with a synchronous standby:
#    exit 0, nothing lost, the writes resume on timeline 2;
#  - --async --pause-replication: the primary's WAL sender frozen before the
#    kill, so the standby misses the last commits: exit 1, lost writes and
#    an RPO in the report, the JSON and the HTML page's lost-write table;
#  - without pg_failprobe installed with the PostgreSQL programs: plain
#    mode, said so, nothing lost;
#  - SIGTERM in the middle: exit 2, nothing left behind.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use JSON::PP qw(decode_json);
use Time::HiRes qw(usleep);

my $failprobe = "$FindBin::Bin/../client/failprobe";
-x $failprobe or BAIL_OUT("$failprobe is not built: run make first");
my $tmp = PostgreSQL::Test::Utils::tempdir;

sub drill
{
	my ($name, @args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'drill', '--clients', '4', '--json', "$tmp/$name.json",
			'--html', "$tmp/$name.html", @args ], '>', \$out, '2>', \$err, IPC::Run::timeout(180));
	my $rc = $? >> 8;
	note "$name: exit $rc\n" . ($err =~ s/^progress:.*\n//mgr) . $out;
	return ($rc, $out, $err);
}

sub left_behind
{
	my ($err) = @_;
	my ($dir) = $err =~ /cluster ready: .* in (\S+)/;
	return 'no directory named' unless defined $dir;
	return "$dir is still there" if -e $dir;
	my $ps = `ps -eo args`;
	return 'ps lists no processes (procps)' unless $ps =~ /perl/;
	my @left = grep { /postgres.*\Q$dir\E/ } split /\n/, $ps;
	return @left ? "servers left: @left" : '';
}

# --- --fault stop ------------------------------------------------------------------
{
	my ($rc, $out, $err) = drill('stop', '--rate', '1000', '--duration', '6', '--fault', 'stop');
	is($rc, 0, 'stop: exit 0, nothing lost with a synchronous standby');
	like($err, qr/fault injected: stop primary \(fast shutdown\)|fault injected: stop/, 'stop: the fault is named');
	like($err, qr/promoted: the standby is the primary .*\(timeline 2\)/, 'stop: promoted to timeline 2');
	my $j = decode_json(slurp_file("$tmp/stop.json"));
	is($j->{fault}, 'stop', 'stop: drill JSON fault');
	is($j->{verify}{acked_lost}, 0, 'stop: verify found nothing lost');
	is($j->{run}{outage}{tli_after}, 2, 'stop: writes resumed on timeline 2');
	is(left_behind($err), '', 'stop: nothing left behind');
}

# --- --async --pause-replication: real loss ------------------------------------------
{
	my ($rc, $out, $err) = drill('async', '--rate', '1000', '--duration', '6', '--at', '3',
		'--async', '--pause-replication', '1.5');
	is($rc, 1, 'async: exit 1, acknowledged writes were lost');
	like($err, qr/creating cluster: a primary and an asynchronous standby/, 'async: the standby is asynchronous');
	like($out, qr/verdict\s+FAIL/, 'async: the report says FAIL');
	my $j = decode_json(slurp_file("$tmp/async.json"));
	my $v = $j->{verify};
	cmp_ok($v->{acked_lost}, '>', 100,
		"async: about the paused 1.5 s of writes are lost ($v->{acked_lost})");
	cmp_ok($v->{acked_lost}, '<=', $j->{run}{acked}, 'async: no more lost than acknowledged');
	cmp_ok($v->{rpo_ms}, '>', 500, "async: the RPO spans the pause ($v->{rpo_ms} ms)");
	like($out, qr/verified\s+lost $v->{acked_lost} of \d+ acknowledged writes/, 'async: the report says how many');
	my $html = slurp_file("$tmp/async.html");
	like($html, qr/id="lost-table"/, 'async: the page has the lost-write table');
	my ($table) = $html =~ /(<table class="grid" id="lost-table">.*?<\/table>)/s;
	my $rows = () = ($table // '') =~ /<tr><td/g;
	cmp_ok($rows, '>', 0, "async: with rows ($rows)");
	my ($shown) = $html =~ /id="fig-lost"[^>]*>(?:<div class="v">)?([\d,]+)/;
	is(($shown // '') =~ s/,//gr, $v->{acked_lost}, "async: the page's lost figure ($shown)");
	is(left_behind($err), '', 'async: nothing left behind');
}

# --- plain mode: PostgreSQL without pg_failprobe ----------------------------------------
# A directory of links to the server programs and no pg_config: the drill
# finds no extension with them, says so, and runs the client in plain mode.
{
	my $real = `pg_config --bindir`;
	chomp $real;
	mkdir "$tmp/bin" or die;
	for my $p (qw(initdb pg_ctl pg_basebackup pg_rewind postgres))
	{
		symlink("$real/$p", "$tmp/bin/$p") or die "symlink $p: $!";
	}
	my ($rc, $out, $err) = drill('plain', '--rate', '500', '--duration', '5', '--pg-bindir', "$tmp/bin");
	is($rc, 0, 'plain: exit 0, nothing lost');
	like($err, qr/pg_failprobe is not installed with .*plain mode/, 'plain: the drill says it runs in plain mode');
	my $j = decode_json(slurp_file("$tmp/plain.json"));
	is($j->{run}{mode}, 'plain', 'plain: the run was in plain mode');
	is($j->{run}{table}, 'failprobe_client.ledger', 'plain: in the plain table');
	is($j->{verify}{acked_lost}, 0, 'plain: verify found nothing lost');
	is($j->{run}{outage}{tli_after}, 2, 'plain: the timeline after the failover is known without the extension');
	is(left_behind($err), '', 'plain: nothing left behind');
}

# --- SIGTERM in the middle -------------------------------------------------------------
{
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start([ $failprobe, 'drill', '--rate', '500', '--duration', '30', '--clients', '2' ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(120));
	$h->pump until $err =~ /drill: loading/;
	usleep(1_000_000);
	$h->signal('TERM');
	$h->finish;
	my $rc = $? >> 8;
	note $err =~ s/^progress:.*\n//mgr;
	is($rc, 2, 'SIGTERM: exit 2 (no verdict)');
	like($err, qr/interrupted \(signal 15\)/, 'SIGTERM: says it was interrupted');
	is(left_behind($err), '', 'SIGTERM: nothing left behind');
}

done_testing();
