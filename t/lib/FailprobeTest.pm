# FailprobeTest.pm: building blocks shared by the TAP failover tests.
#
# Every test starts real servers on 127.0.0.1 in temporary directories with
# PostgreSQL::Test::Cluster; these helpers only save repeating the
# pg_failprobe-specific setup.
package FailprobeTest;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(init_primary init_standby status_of wait_for_beats
  wait_for_worker history_switchpoint log_count);

# A primary with the library preloaded and the extension created.
# %conf: extra postgresql.conf lines, e.g. interval => 100.
sub init_primary
{
	my ($name, %opts) = @_;
	my $interval = $opts{interval} // 100;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(allows_streaming => 1);
	$node->append_conf('postgresql.conf', <<"EOC");
shared_preload_libraries = 'pg_failprobe'
pg_failprobe.heartbeat_interval = $interval
cluster_name = '$name'
EOC
	$node->append_conf('postgresql.conf', $opts{conf}) if $opts{conf};
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION pg_failprobe')
	  unless $opts{no_extension};
	return $node;
}

# A streaming hot standby of $primary, caught up.
sub init_standby
{
	my ($primary, $name, %opts) = @_;
	my $backup = "${name}_backup";
	$primary->backup($backup);
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init_from_backup($primary, $backup, has_streaming => 1);
	$node->append_conf('postgresql.conf', "cluster_name = '$name'\n");
	$node->append_conf('postgresql.conf', $opts{conf}) if $opts{conf};
	$node->start;
	$primary->wait_for_catchup($node);
	return $node;
}

# failprobe.status() as a hash reference.
sub status_of
{
	my ($node) = @_;
	my @cols = qw(role tli worker_pid heartbeat_interval_ms beats_written
	  last_seq last_beat_at replay_lag_ms last_promotion_at node
	  upstream_last_heard);
	my $row = $node->safe_psql('postgres',
		'SELECT ' . join(', ', map { "coalesce(${_}::text, '')" } @cols)
		  . ' FROM failprobe.status()');
	my @vals = split /\|/, $row, -1;
	my %s;
	@s{@cols} = @vals;
	return \%s;
}

# Wait until the node holds at least $n heartbeat rows beyond seq $after.
sub wait_for_beats
{
	my ($node, $n, $after) = @_;
	$after //= 0;
	$node->poll_query_until('postgres',
		"SELECT count(*) >= $n FROM failprobe.heartbeat WHERE seq > $after")
	  or die "no heartbeats arrived on " . $node->name;
}

# Wait until the worker runs with a pid other than $old_pid; return it.
sub wait_for_worker
{
	my ($node, $old_pid) = @_;
	$old_pid //= 0;
	$node->poll_query_until('postgres',
		"SELECT coalesce(worker_pid, 0) NOT IN (0, $old_pid) FROM failprobe.status()")
	  or die "worker did not start on " . $node->name;
	return status_of($node)->{worker_pid};
}

# The switch point the history file of timeline $tli records for the
# timeline before it, as text (e.g. 0/3000148).
sub history_switchpoint
{
	my ($node, $tli) = @_;
	my $file = sprintf('%s/pg_wal/%08X.history', $node->data_dir, $tli);
	my @lines = grep { /^\s*\d/ } split /\n/, slurp_file($file);
	my (undef, $lsn) = split /\s+/, $lines[-1];
	return $lsn;
}

# How many lines of the node's log match $re.
sub log_count
{
	my ($node, $re) = @_;
	my @hits = grep { /$re/ } split /\n/, slurp_file($node->logfile);
	return scalar @hits;
}

1;
