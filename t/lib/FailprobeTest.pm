# FailprobeTest.pm: building blocks shared by the TAP failover tests.
#
# Every test starts real servers on 127.0.0.1 in temporary directories with
# PostgreSQL::Test::Cluster; these helpers only save repeating the
# pg_failprobe-specific setup.
package FailprobeTest;

use strict;
use warnings;

use Exporter 'import';
use FindBin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(init_primary init_standby make_synchronous status_of wait_for_beats
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

# Make the standby named $name (its application_name) the synchronous
# standby of $primary, and wait until it is.
sub make_synchronous
{
	my ($primary, $name) = @_;
	$primary->safe_psql('postgres',
		"ALTER SYSTEM SET synchronous_standby_names = '$name'; SELECT pg_reload_conf()");
	$primary->poll_query_until('postgres',
		"SELECT sync_state = 'sync' FROM pg_stat_replication WHERE application_name = '$name'")
	  or die "$name never became synchronous";
	return;
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

# ---- PgBouncer and TLS, for t/012 and t/013 -------------------------------

use IPC::Run;
use Time::HiRes qw(usleep);

push @EXPORT, qw(start_pgbouncer pgbouncer_point pgbouncer_admin stop_pgbouncer
  pgbouncer_or_skip make_ca make_server_cert);

# Debian's pgbouncer binary (the tests use the real one).
sub debian_pgbouncer
{
	return -x '/usr/sbin/pgbouncer' ? '/usr/sbin/pgbouncer' : 'pgbouncer';
}

# Debian's pgbouncer binary; where it is not installed, the whole test is
# skipped, saying how to get it.
sub pgbouncer_or_skip
{
	my $bin = debian_pgbouncer();
	plan skip_all => 'pgbouncer is not installed (scripts/install-deps)'
	  unless system("$bin --version >/dev/null 2>&1") == 0;
	return $bin;
}

# Start the real pgbouncer binary in transaction mode on a free 127.0.0.1
# port, serving database postgres from $node; the test user may log in
# (trust, listed in the auth_file) and use the admin console.  Returns a
# hash: port, ini, dir, log.
sub start_pgbouncer
{
	my ($name, $node, %opts) = @_;
	my $bin = $opts{bin} // debian_pgbouncer();
	my $dir = PostgreSQL::Test::Utils::tempdir;
	my $user = $ENV{USER} || getpwuid($<);
	my $pgb = {
		name => $name,
		dir => $dir,
		port => PostgreSQL::Test::Cluster::get_free_port(),
		ini => "$dir/pgbouncer.ini",
		log => "$dir/pgbouncer.log",
		pidfile => "$dir/pgbouncer.pid",
		user => $user,
		extra => $opts{conf} // '',
	};
	PostgreSQL::Test::Utils::append_to_file("$dir/users.txt", qq{"$user" ""\n});
	pgbouncer_write_ini($pgb, $node);
	PostgreSQL::Test::Utils::system_or_bail($bin, '-d', $pgb->{ini});
	# ready when the admin console answers
	for (1 .. 100)
	{
		return $pgb if defined pgbouncer_admin($pgb, 'SHOW VERSION');
		usleep(100_000);
	}
	die "pgbouncer did not start: " . PostgreSQL::Test::Utils::slurp_file($pgb->{log});
}

sub pgbouncer_write_ini
{
	my ($pgb, $node) = @_;
	my $host = $node->host;
	my $port = $node->port;
	open my $fh, '>', "$pgb->{ini}.new" or die "cannot write $pgb->{ini}: $!";
	print $fh <<"EOI";
[databases]
postgres = host=$host port=$port dbname=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgb->{port}
unix_socket_dir =
pool_mode = transaction
auth_type = trust
auth_file = $pgb->{dir}/users.txt
admin_users = $pgb->{user}
logfile = $pgb->{log}
pidfile = $pgb->{pidfile}
server_login_retry = 1
$pgb->{extra}
EOI
	close $fh;
	rename "$pgb->{ini}.new", $pgb->{ini} or die "cannot rename: $!";
}

# What a managed service does at failover: the same endpoint now leads to
# $node.  Rewrites [databases] and RELOADs through the admin console.
sub pgbouncer_point
{
	my ($pgb, $node) = @_;
	pgbouncer_write_ini($pgb, $node);
	defined pgbouncer_admin($pgb, 'RELOAD') or die 'pgbouncer RELOAD failed';
}

# Run a command on the admin console; its output, or undef on failure.
sub pgbouncer_admin
{
	my ($pgb, $sql) = @_;
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run([ 'psql', '-X', '-A', '-t', '-h', '127.0.0.1', '-p', $pgb->{port},
			'-U', $pgb->{user}, '-d', 'pgbouncer', '-c', $sql ],
		'>', \$out, '2>', \$err, '<', \undef);
	return $ok ? $out : undef;
}

sub stop_pgbouncer
{
	my ($pgb) = @_;
	return unless -f $pgb->{pidfile};
	chomp(my $pid = PostgreSQL::Test::Utils::slurp_file($pgb->{pidfile}));
	kill 'TERM', $pid if $pid;
	for (1 .. 300)    # 30 s, then it goes for good
	{
		return unless kill(0, $pid) && -f $pgb->{pidfile};
		usleep(100_000);
	}
	kill 'KILL', $pid;
}

# A throwaway certificate authority in $dir: returns (cert, key) paths.
sub make_ca
{
	my ($dir, $name) = @_;
	my ($crt, $key) = ("$dir/$name.crt", "$dir/$name.key");
	PostgreSQL::Test::Utils::system_or_bail('openssl', 'req', '-new', '-x509', '-nodes',
		'-newkey', 'rsa:2048', '-days', '2', '-subj', "/CN=$name", '-keyout', $key,
		'-out', $crt);
	return ($crt, $key);
}

# A server certificate for localhost and 127.0.0.1 signed by the CA
# ($ca_crt, $ca_key); returns (cert, key) paths, the key mode 0600 as the
# server insists.
sub make_server_cert
{
	my ($dir, $name, $ca_crt, $ca_key) = @_;
	my ($crt, $key, $csr, $ext) = map { "$dir/$name.$_" } qw(crt key csr ext);
	PostgreSQL::Test::Utils::append_to_file($ext,
		"subjectAltName = DNS:localhost, IP:127.0.0.1\n");
	PostgreSQL::Test::Utils::system_or_bail('openssl', 'req', '-new', '-nodes',
		'-newkey', 'rsa:2048', '-subj', '/CN=localhost', '-keyout', $key, '-out', $csr);
	PostgreSQL::Test::Utils::system_or_bail('openssl', 'x509', '-req', '-in', $csr,
		'-CA', $ca_crt, '-CAkey', $ca_key, '-CAcreateserial', '-days', '2',
		'-extfile', $ext, '-out', $crt);
	chmod 0600, $key;
	return ($crt, $key);
}

push @EXPORT, qw(node_dsn chromium);

# A conninfo for the nodes given, in that order: one node as it is; two or
# more as a multi-host list that keeps to the one that takes writes, as a
# client riding through a failover uses it.  @extra: more "key=value" words.
sub node_dsn
{
	my ($nodes, @extra) = @_;
	my @n = ref $nodes eq 'ARRAY' ? @$nodes : ($nodes);
	my @words = (
		'host=' . join(',', map { $_->host } @n),
		'port=' . join(',', map { $_->port } @n),
		'dbname=postgres');
	push @words, 'target_session_attrs=read-write' if @n > 1;
	return join(' ', @words, @extra);
}

# Headless Chromium on an HTML file, with more options @args (--dump-dom
# for the DOM as rendered, its script run; --screenshot=FILE): returns its
# (stdout, stderr), or () where Chromium is not installed.
sub chromium
{
	my ($html, @args) = @_;
	my ($chromium) = grep { -x } map { ("$_/chromium", "$_/chromium-browser") } split /:/, $ENV{PATH};
	return () unless $chromium;
	my $home = PostgreSQL::Test::Utils::tempdir;
	local $ENV{HOME} = $home;
	local $ENV{XDG_CONFIG_HOME} = "$home/.config";
	local $ENV{XDG_CACHE_HOME} = "$home/.cache";
	my ($out, $err) = ('', '');
	IPC::Run::run([ $chromium, '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
			'--disable-dev-shm-usage', "--user-data-dir=$home/profile", @args, "file://$html" ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(90));
	return ($out, $err);
}

push @EXPORT, qw(check_failover_json check_survivors);

# The JSON of a run through a failover: the counts add up, most writes were
# acknowledged, an RTO under the run's length is reported.  Returns the
# JSON's keys with the outage's merged in (rto_ms 'null' when absent).
sub check_failover_json
{
	my ($j) = @_;
	my %j = (%$j, %{ $j->{outage} });
	$j{rto_ms} //= 'null';
	note explain $j->{outage};
	is($j{sent}, $j{acked} + $j{failed} + $j{in_doubt}, "sent = acked + failed + in_doubt ($j{sent})");
	# relative to what came due: a starved VM has held 59 % of 2000/s
	cmp_ok($j{acked}, '>', 0.5 * ($j{sent} + $j{missed}),
		"most writes acknowledged ($j{acked} of " . ($j{sent} + $j{missed}) . ' due)');
	isnt($j{rto_ms}, 'null', "an RTO is reported ($j{rto_ms} ms)");
	cmp_ok($j{rto_ms}, '>', 0, 'RTO is positive');
	cmp_ok($j{rto_ms}, '<', 10000, 'RTO is under the run length');
	return %j;
}

# On the promoted node, independently of the client: every acknowledged
# write survived, no row is neither acknowledged nor in doubt, and writes
# resumed after the promotion.
sub check_survivors
{
	my ($node, $j) = @_;
	my $rows = $node->safe_psql('postgres',
		"SELECT count(*) FROM failprobe.ledger WHERE run_id = $j->{run_id}");
	cmp_ok($rows, '>=', $j->{acked}, "all $j->{acked} acknowledged writes survived ($rows rows)");
	cmp_ok($rows, '<=', $j->{acked} + $j->{in_doubt}, 'no row that was neither acked nor in doubt');
	my $after = $node->safe_psql('postgres',
		"SELECT count(*) FROM failprobe.ledger l, failprobe.events e
		  WHERE l.run_id = $j->{run_id} AND e.kind = 'promoted' AND l.sent_at > e.at");
	cmp_ok($after, '>', 200, "writes resumed after the promotion ($after)");
	return;
}

push @EXPORT, qw(start_load fail_over cpu_mark stolen_pct);

# The hypervisor's steal, as scripts/common.sh's steal_mark and steal_pct
# read it: a timing test that failed while much CPU time was stolen says
# more about the host than about the code.  cpu_mark returns a mark;
# stolen_pct($mark) the share of all CPU time since then that the host gave
# to other guests, in percent (0 where /proc/stat has no steal column).
sub cpu_mark
{
	open(my $fh, '<', '/proc/stat') or return [ 0, 0 ];
	my $line = <$fh>;
	close $fh;
	my @f = split ' ', $line;
	shift @f;
	my $total = 0;
	$total += $_ for @f;
	return [ $f[7] // 0, $total ];
}

sub stolen_pct
{
	my ($mark) = @_;
	my $now = cpu_mark();
	my $total = $now->[1] - $mark->[1];
	return $total > 0 ? 100 * ($now->[0] - $mark->[0]) / $total : 0;
}

# `failprobe run` in the background against $dsn with @opts, its ledger at
# $base.ledger and its JSON at $base.json: returns the harness and
# references to what it prints on stdout and stderr.
sub start_load
{
	my ($dsn, $base, @opts) = @_;
	my $failprobe = "$FindBin::Bin/../client/failprobe";
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start([ $failprobe, 'run', '-d', $dsn, '-l', "$base.ledger",
			'--json', "$base.json", @opts ], '>', \$out, '2>', \$err);
	return ($h, \$out, \$err);
}

# The failover the tests put under load: once the primary's ledger table
# holds more than $rows rows, stop it at once and promote the standby.
# $err: the client's stderr (a reference from start_load), said if the load
# never started.
sub fail_over
{
	my ($primary, $standby, $rows, $err) = @_;
	$primary->poll_query_until('postgres', "SELECT count(*) > $rows FROM failprobe.ledger")
	  or die 'the load did not start' . ($err ? ": $$err" : '');
	$primary->stop('immediate');
	$standby->safe_psql('postgres', 'SELECT pg_promote()');
	return;
}

1;
