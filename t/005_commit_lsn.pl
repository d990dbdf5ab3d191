# 005_commit_lsn.pl: a real libpq client learns the LSN and time of each of
# its commits from the reply to the commit (ParameterStatus), equal to
# failprobe.last_commit(), not beyond pg_current_wal_lsn(), and with a
# synchronous standby already received there when the commit is acknowledged.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FailprobeTest;

my $probe = "$FindBin::Bin/pq_commit_probe";
-x $probe or BAIL_OUT("$probe is not built: run make first");

my $primary = init_primary('primary', interval => 100);
my $standby = init_standby($primary, 'standby');
make_synchronous($primary, 'standby');

my $connstr = $primary->connstr('postgres');
my ($stdout, $stderr);
IPC::Run::run([ $probe, $connstr, 5 ], '>', \$stdout, '2>', \$stderr)
  or die "pq_commit_probe failed: $stderr";
note $stdout;

my (@default, @exec, @sql, @pipe, @select);
for (split /\n/, $stdout)
{
	my @f = split / /;
	my $kind = shift @f;
	push @default, $f[0] if $kind eq 'default';
	push @exec, [@f] if $kind eq 'exec';
	push @sql, [ $f[0], "$f[1] $f[2]", $f[3] ] if $kind eq 'sql';
	push @pipe, $f[1] if $kind eq 'pipe';
	push @select, $f[0] if $kind eq 'select';
}
my ($exec_lsn, $exec_time) = ($exec[0][0], "$exec[0][1] $exec[0][2]");

sub lsn_cmp
{
	my ($a, $b) = @_;
	return $primary->safe_psql('postgres', "SELECT '$a'::pg_lsn - '$b'::pg_lsn");
}

# --- off by default: applications see no extra messages ----------------
is($default[0], '-', 'nothing reported while pg_failprobe.report_commits is off');

# --- one autocommit INSERT ------------------------------------------------
like($exec_lsn, qr{^[0-9A-F]+/[0-9A-F]+$}, "commit LSN reported after PQexec ($exec_lsn)");
is($exec_lsn, $sql[0][0], 'reported LSN equals failprobe.last_commit()');
is($exec_time, $sql[0][1], 'reported time equals last_commit().committed_at');
cmp_ok(lsn_cmp($sql[0][2], $exec_lsn), '>=', 0, 'reported LSN <= pg_current_wal_lsn()');

# --- a pipeline of five transactions: one value per sync ----------------
is(scalar @pipe, 5, 'one report per pipelined transaction');
cmp_ok(lsn_cmp($pipe[0], $exec_lsn), '>', 0, 'first pipelined commit after the exec');
for my $i (1 .. $#pipe)
{
	cmp_ok(lsn_cmp($pipe[$i], $pipe[ $i - 1 ]), '>', 0, "pipelined commit $i after commit " . ($i - 1));
}
is($pipe[-1], $sql[1][0], 'last pipelined LSN equals last_commit()');
cmp_ok(lsn_cmp($sql[1][2], $pipe[-1]), '>=', 0, 'and is <= pg_current_wal_lsn()');
is($select[0], $pipe[-1], 'a read-only query does not change it');

# --- acknowledged means received by the synchronous standby ---------------
my $received = $standby->safe_psql('postgres', 'SELECT pg_last_wal_receive_lsn()');
cmp_ok(lsn_cmp($received, $pipe[-1]), '>=', 0,
	"sync standby had received up to the reported commit LSN ($received >= $pipe[-1])");

# --- psql sees the parameter too (it arrives unasked) ----------------------
my $shown = $primary->safe_psql('postgres',
	"SET pg_failprobe.report_commits = lsn; " .
	"INSERT INTO failprobe.ledger VALUES (7, 0, 1, '\\x00', now()); SHOW pg_failprobe.commit_lsn");
like($shown, qr{^[0-9A-F]+/[0-9A-F]+$}, 'SHOW pg_failprobe.commit_lsn after a commit');

$standby->stop;
$primary->stop;
done_testing();
