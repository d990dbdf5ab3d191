#!/usr/bin/env bash
# What does pg_failprobe cost a write workload?
#
# One throwaway server, measured in the same run in three configurations,
# rotated each round so that drift of the machine hits all alike:
#   without   the server without the library
#   lsn       shared_preload_libraries = pg_failprobe, a heartbeat every
#             10 ms, and pgbench's sessions ask for each commit's LSN
#             (pg_failprobe.report_commits = lsn, what failprobe run uses)
#   lsn_time  the same, with the commit time reported too
# The load is pgbench -M prepared, single-row inserts into failprobe.ledger.
# It is measured with synchronous_commit = on (fsync bound, as in
# production) and off (CPU bound, where any per-commit cost shows most).
#
# Each measurement starts from an empty, checkpointed table after a short
# warm-up, since a growing index and checkpoints move TPS more than what is
# measured here.  Besides TPS it reports the server's CPU time per
# transaction (all server processes, from /proc) and, where perf can count
# (root, hardware counters), the instructions per transaction of the whole
# machine during the run: a count, not a time, so it does not move with the
# VM's speed, which here swings TPS by +-20 % between identical runs.
#
# Usage: bench/extension_overhead.sh [--seconds N] [--rounds N] [--clients N]
# Prints medians per configuration and the ratios against 'without'.
set -euo pipefail
. "$(dirname "$0")/../scripts/common.sh"

seconds=8
rounds=5
clients=4
while [ $# -gt 0 ]; do
	case "$1" in
		--seconds) seconds=$2; shift 2 ;;
		--rounds) rounds=$2; shift 2 ;;
		--clients) clients=$2; shift 2 ;;
		-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
		*) echo "extension_overhead: unknown option '$1'; see --help" >&2; exit 2 ;;
	esac
done

install_deps
build_and_install
ensure_test_user

dir=$(bench_dir pg_failprobe-bench)
trap 'as_server_user pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

port=$((20000 + RANDOM % 30000))
bench_initdb "$dir/data" "$port" <<EOF
max_wal_size = 4GB
include_if_exists = 'bench.conf'
EOF

cat >"$dir/insert.sql" <<'EOF'
\set seq random(1, 9000000000000000000)
INSERT INTO failprobe.ledger (run_id, worker, seq, digest, sent_at) VALUES (1, :client_id, :seq, '\x00', now());
EOF
chmod 644 "$dir/insert.sql"

configs="without lsn lsn_time"

# configure CONFIG SYNC: write bench.conf for the configuration, restart
configure() {
	local preload=""
	[ "$1" != without ] && preload="pg_failprobe"
	as_server_user tee "$dir/data/bench.conf" >/dev/null <<EOF
shared_preload_libraries = '$preload'
pg_failprobe.heartbeat_interval = 10
synchronous_commit = $2
EOF
	as_server_user pg_ctl -D "$dir/data" -l "$dir/server.log" -w restart >/dev/null 2>&1 ||
		as_server_user pg_ctl -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
}

# pgbench_tps SECONDS: pgbench's TPS; a failed or aborted run (pgbench exits
# 2 when a client aborts) fails here instead of giving a number
pgbench_tps() {
	local opts="" out tps
	[ "$config" != without ] && opts="-c pg_failprobe.report_commits=$config"
	out=$(PGOPTIONS="$opts" as_server_user pgbench -n -h 127.0.0.1 -p "$port" -M prepared -c "$clients" -j 2 \
		-T "$1" -f "$dir/insert.sql" postgres 2>&1) ||
		{ echo "extension_overhead: pgbench failed:" >&2; echo "$out" >&2; return 1; }
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
	[ -n "$tps" ] || { echo "extension_overhead: no TPS in pgbench's output:" >&2; echo "$out" >&2; return 1; }
	echo "$tps"
}

# Whether perf can count instructions machine-wide here.
use_perf=no
if [ "$(id -u)" -eq 0 ] && perf stat -a -e instructions -x, -o /dev/null true 2>/dev/null; then
	use_perf=yes
fi

# pgbench_counted SECONDS: like pgbench_tps, and leaves the machine's
# instruction count during the run in $dir/instructions (0 without perf).
pgbench_counted() {
	if [ "$use_perf" = yes ]; then
		perf stat -a -e instructions -x, -o "$dir/perf.csv" -- \
			bash -c "$(declare -f as_server_user pgbench_tps); $(declare -p dir port clients config FAILPROBE_USER PATH); pgbench_tps $1" ||
			return 1
		awk -F, '/instructions/ {print $1}' "$dir/perf.csv" >"$dir/instructions"
	else
		pgbench_tps "$1" || return 1
		echo 0 >"$dir/instructions"
	fi
}

# CPU ticks used by the server so far: the postmaster, its live children,
# and (cutime/cstime) the children it has reaped, i.e. finished backends.
server_ticks() {
	local pm
	pm=$(head -n 1 "$dir/data/postmaster.pid")
	{
		awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat"
		for c in $(pgrep -P "$pm"); do awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || true; done
	} | awk '{s += $1} END {print s}'
}

# measure: warm up, empty the table, checkpoint, then run;
# prints "TPS US_PER_TX KINSTRUCTIONS_PER_TX"
measure() {
	local t0 t1 tps
	pgbench_tps 2 >/dev/null || return 1
	as_server_user psql -X -q -h 127.0.0.1 -p "$port" -d postgres \
		-c 'TRUNCATE failprobe.ledger' -c 'CHECKPOINT'
	t0=$(server_ticks)
	tps=$(pgbench_counted "$seconds") || return 1
	sleep 0.2	# let the backends exit so that their CPU is counted
	t1=$(server_ticks)
	awk -v tps="$tps" -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$seconds" \
		-v ins="$(cat "$dir/instructions")" \
		'BEGIN { printf "%.0f %.1f %.1f\n", tps, d / hz * 1e6 / (tps * s), ins / 1000 / (tps * s) }'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

config=lsn
configure lsn on
as_server_user psql -X -q -h 127.0.0.1 -p "$port" -d postgres -c 'CREATE EXTENSION pg_failprobe'

echo "pg_failprobe overhead: pgbench -M prepared -c $clients -j 2 -T $seconds, single-row inserts, $rounds rounds per configuration"
echo "machine: $(nproc) cores; $("$PG_BINDIR/postgres" --version); instruction counts: $use_perf"
for sc in on off; do
	for c in $configs; do : >"$dir/$c"; done
	for r in $(seq "$rounds"); do
		# rotate the order each round
		order=$(echo $configs $configs | cut -d' ' -f$(( (r - 1) % 3 + 1 ))-$(( (r - 1) % 3 + 3 )))
		for config in $order; do
			configure "$config" "$sc"
			m=$(measure) || { echo "extension_overhead: $config failed in round $r" >&2; exit 1; }
			echo "$m" >>"$dir/$config"
			printf '  synchronous_commit=%-3s round %d %-8s %7s tps %6s us server CPU/tx %7s k instructions/tx\n' \
				"$sc" "$r" "$config" $m
		done
	done
	for col in 1 2 3; do
		for c in $configs; do
			printf '%s ' "$(cut -d' ' -f$col "$dir/$c" | median)"
		done
		echo
	done >"$dir/medians"
	awk -v sc="$sc" -v perf="$use_perf" '
		NR == 1 { t0 = $1; t1 = $2; t2 = $3 }
		NR == 2 { c0 = $1; c1 = $2; c2 = $3 }
		NR == 3 { i0 = $1; i1 = $2; i2 = $3 }
		END {
			printf "synchronous_commit=%s, medians (without / lsn / lsn_time):\n", sc
			printf "  TPS            %.0f / %.0f / %.0f   ratio lsn %.3f, lsn_time %.3f\n", t0, t1, t2, t1 / t0, t2 / t0
			printf "  server CPU/tx  %.1f / %.1f / %.1f us\n", c0, c1, c2
			if (perf == "yes")
				printf "  instructions   %.1f / %.1f / %.1f k per tx   overhead lsn %.1f %%, lsn_time %.1f %%\n",
					i0, i1, i2, (i1 / i0 - 1) * 100, (i2 / i0 - 1) * 100
		}' "$dir/medians"
done
