# 060_profiles.pl: load profiles against a real primary.
#  - custom stages, a ramp included: each stage's writes due match its target
#    within 1 %, its achieved rate within 3 % (the server keeps up here);
#  - stress finds a breaking point: the stage below it met the objectives,
#    the run stopped after the first stage that missed;
#  - with every insert slowed by a trigger (pg_sleep), the breaking point
#    moves down and what gave way is latency;
#  - spike reports its recovery; bad profile input is refused.
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
my $dir = PostgreSQL::Test::Utils::tempdir;

my $node = init_primary('primary', interval => 100);
my $dsn = node_dsn($node);

# run NAME, OPTIONS...: returns (exit status, JSON, stdout, stderr)
sub run_profile
{
	my ($name, @opts) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $failprobe, 'run', '-d', $dsn, '-l', "$dir/$name.ledger",
			'--json', "$dir/$name.json", '-q', @opts ], '>', \$out, '2>', \$err);
	my $rc = $? >> 8;
	note "$name: exit $rc\n$out$err";
	my $j = -e "$dir/$name.json" ? decode_json(slurp_file("$dir/$name.json")) : {};
	return ($rc, $j, $out, $err);
}

# run_profile, run again (up to four runs in all) while $calm->(JSON) says
# the machine, not the client, spoiled the run: the assertions below assume
# a server that keeps up with what it is given, and this VM has stalls of
# several seconds (hypervisor steal of 60 % has been seen; one CI run failed
# two runs in a row here with 23 % stolen over the whole suite).  Returns
# (exit status, JSON, stdout, stderr, starved): starved is why to skip the
# timing assertions, set only when every run was spoiled while the host took
# CPU time from this machine (steal, /proc/stat).  A broken client fails
# every run, and on a machine that owns its CPUs it is judged as it came.
sub run_profile_calm
{
	my ($name, $calm, @opts) = @_;
	my (@r, @stolen);
	for my $try (1 .. 4)
	{
		unlink glob("$dir/$name.*");
		my $mark = cpu_mark();
		@r = run_profile($name, @opts);
		push @stolen, stolen_pct($mark);
		return (@r, undef) if $calm->($r[1]);
		note sprintf('%s: timing missed, run again (%.1f %% of CPU time stolen)', $name, $stolen[-1]);
	}
	return (@r, undef) if grep { $_ < 1 } @stolen;
	return (@r, sprintf('the host took CPU time from every run (steal: %s %%)',
			join(', ', map { sprintf '%.1f', $_ } @stolen)));
}

# --- custom stages, a ramp among them -------------------------------------
# The p99 objective is 2 s: what is checked here is the schedule and the
# verdict's errors and throughput; in one full run the first stage met a
# 545 ms stall of the machine (the p50 of that stage was 2.9 ms against
# 0.3 ms in the next) and missed the default 100 ms.
# A stage missed at these rates means a stalled machine (one full run saw
# p50 82 ms at 300/s).
# Achieved counts acks by when they came: a few dozen late ones land in the
# next stage (590 of 600/s in one run), and a stall of 100 ms moves 3 % of a
# 3 s stage at 300/s; a wrong schedule is off by far more (a ramp at its end
# rate: 900 for 600).
my @target = (300, 600, 900);	# the ramp's mean rate
my $achieved_ok = sub { abs($_[0]{achieved} - $target[ $_[0]{stage} - 1 ]) / $target[ $_[0]{stage} - 1 ] <= 0.03 };
my ($rc, $j, $out, undef, $starved) = run_profile_calm('stages',
	sub { my @s = @{ $_[0]{stages} // [] }; @s == 3 && !grep { !$_->{met} || !$achieved_ok->($_) } @s },
	'-c', '4', '--stages', '3s@300,3s@300-900,3s@900', '--slo-p99', '2000');
is($rc, 0, 'custom stages run');
is(scalar @{ $j->{stages} }, 3, 'three stages reported');
for my $s (@{ $j->{stages} })
{
	my $t = $target[ $s->{stage} - 1 ];
	my $due_rate = $s->{due} / ($s->{end_s} - $s->{start_s});
	cmp_ok(abs($due_rate - $t) / $t, '<=', 0.01,
		"stage $s->{stage}: $due_rate writes due per second, target $t");
  SKIP:
	{
		skip "stage $s->{stage}'s timing: $starved", 2 if $starved;
		ok($achieved_ok->($s), "stage $s->{stage}: achieved $s->{achieved}/s within 3 % of $t");
		ok($s->{met}, "stage $s->{stage} met the objectives");
	}
}
like($out, qr/stages \(custom.*\n.*target\/s.*\n\s+1\s+0-3\s+300\s/, 'results table printed');
ok(-s "$dir/stages.ledger.stages.jsonl", 'stage table written beside the ledger');

# --- stress: a breaking point ---------------------------------------------
# 2 s steps from 1000/s (which 4 connections hold here even when the VM is
# starved: one full run could not hold 2000/s), up by half: this machine
# gives way somewhere (between 4500/s and 77k/s in this session's runs);
# where does not matter, only that the verdict is consistent.  The p99
# objective is 200 ms: a stall of 80 ms as the run starts (seen once) must
# not fail the first step.  A miss at 1000 or 1500/s means a stalled machine
# (one .ci/run missed at 1000/s), and the slowed run below, which gives way
# at 1500/s at most, could not show the breaking point moving down.
my ($stress, $stress_starved);
($rc, $stress, undef, undef, $stress_starved) = run_profile_calm('stress',
	sub { my @s = @{ $_[0]{stages} // [] }; @s >= 2 && $s[0]{met} && $s[1]{met} },
	'-c', '4', '--profile', 'stress', '--rate', '1000',
	'--stage-seconds', '2', '--slo-p99', '200', '--max-rate', '400000');
is($rc, 0, 'stress run completes');
my $bp = $stress->{breaking_point};
ok(defined $bp->{failed_at_rate}, "stress found where it gives way ($bp->{failed_at_rate}/s)");
ok(defined $bp->{gave_way} && $bp->{gave_way} =~ /latency|errors|throughput/,
	"and says what gave way: " . ($bp->{gave_way} // 'nothing'));
my @st = @{ $stress->{stages} };
my ($first_missed) = grep { !$_->{met} } @st;
SKIP:
{
	skip "the first stages' timing: $stress_starved", 2 if $stress_starved;
	ok(defined $bp->{stage}, 'a stage met the objectives (1000/s, the first, at least)');
	ok($st[ ($bp->{stage} // 1) - 1 ]{met}, "the breaking point's stage ($bp->{rate}/s) met the objectives");
}
is($first_missed->{stage}, ($bp->{stage} // 0) + 1, 'the next stage is the first that missed');
# The run stops on the once-a-second figures (acks by completion time); the
# table judges each write in the stage it was due in.  A stage on the edge
# can pass the first and fail the second (seen once: throughput 96.0 % of
# due in the table), and the run then stops one stage later.
cmp_ok($st[-1]{stage}, '<=', $first_missed->{stage} + 2,
	'the run stopped soon after the first stage that missed');

# --- the same, with every insert slowed down -------------------------------
$node->safe_psql('postgres', q{
	CREATE FUNCTION public.slow_insert() RETURNS trigger LANGUAGE plpgsql AS
	  $$ BEGIN PERFORM pg_sleep(0.004); RETURN NEW; END $$;
	CREATE TRIGGER slow BEFORE INSERT ON failprobe.ledger
	  FOR EACH ROW EXECUTE FUNCTION public.slow_insert();
});
# 200/s is a fifth of what the slowed server takes: a miss there is a stall
my ($slow, $slow_starved);
($rc, $slow, undef, undef, $slow_starved) = run_profile_calm('slow', sub { ($_[0]{stages} // [])->[0]{met} },
	'-c', '4', '--profile', 'stress', '--rate', '200',
	'--stage-seconds', '2', '--slo-p99', '50', '--max-rate', '400000');
is($rc, 0, 'slowed stress run completes');
my $sbp = $slow->{breaking_point};
ok(defined $sbp->{failed_at_rate}, "slowed server gives way at $sbp->{failed_at_rate}/s");
# 4 connections x 4 ms per insert: at most 1000 writes per second
cmp_ok($sbp->{failed_at_rate}, '<=', 1500, 'at or near what 4 ms per insert allows');
SKIP:
{
	skip 'the breaking points: ' . ($slow_starved // $stress_starved), 2
	  if $slow_starved || $stress_starved;
	cmp_ok($sbp->{failed_at_rate}, '<', $bp->{failed_at_rate}, 'the breaking point moved down');
	like($sbp->{gave_way} // '', qr/(^|; )latency: p99 [\d.]+ ms > 50\.0 ms \(from \d+ s\)/,
		'what gave way: latency, with the second it did');
}

# every missed stage names what gave way in the order it did
for my $st (@{ $stress->{stages} }, @{ $slow->{stages} })
{
	next if $st->{met} || !defined $st->{reason};
	my @from = $st->{reason} =~ /\(from (\d+) s\)/g;
	ok(@from && join(',', @from) eq join(',', sort { $a <=> $b } @from),
		"stage $st->{stage} at $st->{rate_to}/s: objectives in the order they gave way ($st->{reason})");
}

# --- spike ------------------------------------------------------------------
# Still slowed: 4 connections at 4 ms take at most 1000/s, so a burst of
# 1500/s for 2 s leaves about 1000 writes queued, and at 200/s afterwards
# they drain at about 800/s: p99 is back under 50 ms some 1.2 s after the
# burst (2 to 4 s measured, counting whole seconds; 6 s once, on a starved
# VM that drained at 300/s), inside the 10 s that follow.
# Nothing here breaks a connection, so an outage in the run means the
# machine stalled (once: the server answered nothing for 6.6 s, the
# connections hit --reply-timeout and the queue never drained in time).
my ($spike, $spike_starved);
($rc, $spike, undef, undef, $spike_starved) = run_profile_calm('spike',
	sub { !defined $_[0]{rto_ms} && !$_[0]{in_doubt} && ($_[0]{spike_recovery_s} // 99) < 9.5 },
	'-c', '4', '--profile', 'spike', '--slo-p99', '50', '--stages', '3s@200,2s@1500,10s@200');
is($rc, 0, 'spike run completes');
is($spike->{target_rate}, 1500, 'target_rate is the highest rate the stages ask for, not the first stage\'s');
my $rec = $spike->{spike_recovery_s};
ok(defined $rec, 'spike recovery reported (' . ($rec // 'null') . ' s)');
cmp_ok($rec // -1, '>', 0.3, 'the burst pushed latency over the objective for a while after it');
SKIP:
{
	skip "the recovery's timing: $spike_starved", 1 if $spike_starved;
	cmp_ok($rec // 99, '<', 9.5, 'and latency came back under it once the queue drained, before the run ended');
}
$node->safe_psql('postgres', 'DROP TRIGGER slow ON failprobe.ledger');

# --- bad input ----------------------------------------------------------------
for my $case (
	[ [ '--stages', '30s' ], qr/stage '30s' is not DURATION\@RATE/ ],
	[ [ '--stages', '3s@100', '--rate', '100' ], qr/leave out --rate and --duration/ ],
	[ [ '--profile', 'stress', '-T', '10' ], qr/breaking point.*--stage-seconds/ ],
	[ [ '--profile', 'soak' ], qr/unknown profile 'soak'/ ],
	[ [ '--stages', '3s@100,' ], qr/ends with a comma/ ])
{
	my ($args, $re) = @$case;
	my ($o, $e) = ('', '');
	IPC::Run::run([ $failprobe, 'run', '-d', $dsn, '-l', "$dir/bad.ledger", @$args ],
		'>', \$o, '2>', \$e);
	is($? >> 8, 2, "@$args: exit 2");
	like($e, $re, "@$args: says what is wrong");
	is(scalar(split /\n/, $e), 1, "@$args: in one line");
}

$node->stop;
done_testing();
