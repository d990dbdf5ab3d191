#!/usr/bin/env bash
# failprobe run against pgbench, side by side in one run.
#
# A throwaway primary with a synchronous streaming standby (both preloading
# pg_failprobe, on this machine), and the same single-row insert into
# failprobe.ledger from both clients with the same number of connections:
#   pgbench -M prepared, a script inserting (1, :client_id, seq, a 32-byte
#           digest, now()), seq counting 1, 2, 3 ... per connection as
#           failprobe's does (so both insert at the same places of the index)
#   failprobe run -M prepared, which also computes a SHA-256 per row, keeps
#           its ledger (fdatasync every 100 ms) and learns each commit LSN;
#           without its server-metrics sampler (--no-server-metrics), so that
#           both clients hold the same connections
# Two loads:
#   --rate 0     as fast as possible: TPS and client CPU per write
#   --rate R     open loop at R (default 8000): achieved rate, p99, and client
#                CPU per write, failprobe also with --pipeline K (default 8,
#                as in every figure of docs/benchmarks.md)
# Client CPU is the client process's user + system time (GNU time), divided
# by the writes it completed; where perf can count (root), also the
# instructions and the CPU cycles the client used per write (counts: they
# do not move with the VM's speed or with time stolen by the host, which
# swing times here by +-20 %).  VMs without hardware counters give neither;
# there (as root) the bench still counts, per write, the client's system
# calls, the packets it put on the loopback (net:net_dev_queue: its data
# and its ACKs) and its context switches, which is where most of a write's
# client CPU goes and which do not swing with the VM either.  A round runs
# the loads as fast as possible together and the fixed-rate loads together, rotating their order (after
# one unrecorded warm-up of the new cluster); both nodes are checkpointed
# before each measurement.  A failed client run stops the bench.  Medians
# are printed, with ratios failprobe / pgbench: the ratio of the medians,
# and the median of each round's ratio (the clients compared in a round run
# within a few measurements of each other, so a slow spell of the VM hits
# both).  Each
# measurement also shows the share of CPU time the hypervisor stole from
# this machine meanwhile (/proc/stat); above 10 % the bench warns.
#
# Usage: bench/client_vs_pgbench.sh [--seconds N] [--rounds N] [--clients N]
#                                   [--rate R] [--pipeline K]
set -euo pipefail
. "$(dirname "$0")/../scripts/common.sh"

seconds=10
rounds=3
clients=16
rate=8000
pipeline=8
while [ $# -gt 0 ]; do
	case "$1" in
		--seconds) seconds=$2; shift 2 ;;
		--rounds) rounds=$2; shift 2 ;;
		--clients) clients=$2; shift 2 ;;
		--rate) rate=$2; shift 2 ;;
		--pipeline) pipeline=$2; shift 2 ;;
		-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
		*) echo "client_vs_pgbench: unknown option '$1'; see --help" >&2; exit 2 ;;
	esac
done

install_deps
build_and_install
make -C "$top" -s client
ensure_test_user
failprobe="$top/client/failprobe"

dir=$(bench_dir pg_failprobe-bench)
stop_all() {
	for n in primary standby; do
		as_server_user pg_ctl -D "$dir/$n" -m immediate stop >/dev/null 2>&1 || true
	done
	rm -rf "$dir"
}
trap stop_all EXIT

pport=$((20000 + RANDOM % 20000))
sport=$((pport + 1))
bench_initdb "$dir/primary" "$pport" <<EOF
max_wal_size = 4GB
shared_preload_libraries = 'pg_failprobe'
synchronous_standby_names = 'standby'
max_connections = 200
EOF
echo "host replication all 127.0.0.1/32 trust" >>"$dir/primary/pg_hba.conf"
as_server_user pg_ctl -D "$dir/primary" -l "$dir/primary.log" -w start >/dev/null
as_server_user pg_basebackup -h 127.0.0.1 -p "$pport" -D "$dir/standby" -R -X stream \
	-d "application_name=standby"
as_server_user sed -i "s/^port = .*/port = $sport/" "$dir/standby/postgresql.conf"
as_server_user pg_ctl -D "$dir/standby" -l "$dir/standby.log" -w start >/dev/null
dbuser=$(as_server_user id -un)	# initdb made this the superuser
psql_p() { as_server_user psql -X -q -At -h 127.0.0.1 -p "$pport" -d postgres "$@"; }
psql_p -c 'CREATE EXTENSION pg_failprobe'
for _ in $(seq 50); do
	[ "$(psql_p -c "SELECT sync_state FROM pg_stat_replication")" = sync ] && break
	sleep 0.2
done
[ "$(psql_p -c "SELECT sync_state FROM pg_stat_replication")" = sync ] ||
	{ echo "client_vs_pgbench: the standby did not become synchronous" >&2; exit 1; }

cat >"$dir/insert.sql" <<'EOF'
\set seq :seq + 1
INSERT INTO failprobe.ledger (run_id, worker, seq, digest, sent_at) VALUES (1, :client_id, :seq, '\x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', now());
EOF
chmod 644 "$dir/insert.sql"

# hardware counters (instructions, cycles); software and trace events
# (system calls, packets sent, context switches) need only root
perf_events=
if [ "$(id -u)" -eq 0 ]; then
	perf stat -e instructions -x, -o "$dir/probe" true 2>/dev/null &&
		! grep -q 'not supported' "$dir/probe" && perf_events=instructions,cycles
	perf stat -e raw_syscalls:sys_enter,net:net_dev_queue,context-switches -x, -o /dev/null true 2>/dev/null &&
		perf_events=${perf_events:+$perf_events,}raw_syscalls:sys_enter,net:net_dev_queue,context-switches
fi

# Each client prints one line: "TPS CPU_US_PER_WRITE P99_MS KINSTR_PER_WRITE
# KCYCLES_PER_WRITE SYSCALLS PACKETS CSWITCHES" (the last three per write;
# a count perf could not take is '-'), through with_counts
timed() {
	if [ -n "$perf_events" ]; then
		/usr/bin/time -f '%U %S' -o "$dir/time" perf stat -e "$perf_events" -x, -o "$dir/perf" "$@"
	else
		/usr/bin/time -f '%U %S' -o "$dir/time" "$@"
		: >"$dir/perf"
	fi
}
# with_counts: "TPS CPU_US P99_MS WRITES" on stdin becomes the client's line,
# the perf counts divided by WRITES (the writes it completed)
with_counts() {
	local tps cpu p99 n
	read -r tps cpu p99 n
	awk -F, -v n="$n" -v head="$tps $cpu $p99" '
		$1 ~ /^[0-9]+$/ { c[$3] = $1 }
		function per(e, k) { return (e in c) && n > 0 ? sprintf("%.*f", k ? 1 : 2, c[e] / (k ? 1000 : 1) / n) : "-" }
		END { print head, per("instructions", 1), per("cycles", 1), per("raw_syscalls:sys_enter", 0),
			per("net:net_dev_queue", 0), per("context-switches", 0) }' "$dir/perf"
}

run_pgbench() {	# RATE (0 = as fast as possible)
	local r=() out
	[ "$1" != 0 ] && r=(-R "$1")
	out=$(timed pgbench -n -h 127.0.0.1 -p "$pport" -U "$dbuser" -M prepared -c "$clients" -j 2 \
		-T "$seconds" "${r[@]}" -D seq=0 -f "$dir/insert.sql" postgres 2>&1) || { echo "$out" >&2; exit 1; }
	# pgbench reports latency average and stddev only; p99 comes from its log
	awk -v t="$(cat "$dir/time")" '
		/^tps = / { tps = $3 }
		/number of transactions actually processed/ { n = $NF; sub(/\/.*/, "", n) }
		END { split(t, c, " "); printf "%.0f %.1f - %d\n", tps, (c[1] + c[2]) * 1e6 / n, n }' <<<"$out" |
		with_counts
}

run_failprobe() {	# RATE PIPELINE
	rm -f "$dir"/fp.ledger* "$dir/fp.json"	# the ledger and the files beside it
	timed "$failprobe" run -d "host=127.0.0.1 port=$pport dbname=postgres user=$dbuser" -l "$dir/fp.ledger" \
		-R "$1" -c "$clients" -j 2 -T "$seconds" -M prepared --pipeline "$2" -q --no-server-metrics \
		--json "$dir/fp.json" >/dev/null 2>"$dir/fp.err" ||
		{ cat "$dir/fp.err" >&2; exit 1; }
	perl -MJSON::PP -e '
		my $j = decode_json(do { local $/; open my $f, "<", $ARGV[0] or die; <$f> });
		my ($u, $s) = split " ", $ARGV[1];
		printf "%.0f %.1f %.2f %d\n", $j->{tps}, ($u + $s) * 1e6 / $j->{acked}, $j->{latency_ms}{p99}, $j->{acked};
	' "$dir/fp.json" "$(cat "$dir/time")" | with_counts
}

fresh() {	# an empty, checkpointed table for each measurement, on both nodes
	psql_p -c 'TRUNCATE failprobe.ledger' -c 'CHECKPOINT'
	as_server_user psql -X -q -At -h 127.0.0.1 -p "$sport" -d postgres -c 'CHECKPOINT'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "failprobe vs pgbench: $clients connections, 2 threads, $seconds s per measurement, $rounds rounds"
echo "machine: $(nproc) cores; $("$PG_BINDIR/postgres" --version); primary + synchronous standby on this machine"
# Two groups of three, each pgbench with the failprobe loads it is compared
# with; a round runs one group after the other (alternating which first)
# and rotates the order within each, so that pgbench runs right before a
# failprobe load in some rounds and right after it in others.
max_loads=("pgbench_max:run_pgbench 0" "failprobe_max:run_failprobe 0 1"
	"failprobe_max_pipelined:run_failprobe 0 $pipeline")
rate_loads=("pgbench_rate:run_pgbench $rate" "failprobe_rate:run_failprobe $rate 1"
	"failprobe_rate_pipelined:run_failprobe $rate $pipeline")
loads=("${max_loads[@]}" "${rate_loads[@]}")
for l in "${loads[@]}"; do : >"$dir/${l%%:*}"; done
measure() {	# ROUND LOAD: one measurement, recorded; a failed client stops the bench
	local m
	fresh
	mark=$(steal_mark)
	m=$(${2#*:}) || { echo "client_vs_pgbench: ${2%%:*} failed in round $1" >&2; exit 1; }
	m="$m $(steal_pct "$mark")"
	echo "$m" >>"$dir/${2%%:*}"
	printf '  round %d %-26s %7s tps %6s us CPU/write  p99 %6s ms  per write: %6s k instr %6s k cycles %5s syscalls %5s packets %5s switches  steal %s %%\n' \
		"$1" "${2%%:*}" $m
}
# a cold cluster (new WAL segments, empty caches) would handicap the first load
fresh
run_pgbench 0 >/dev/null
for r in $(seq "$rounds"); do
	groups=(max rate)
	[ $((r % 2)) -eq 0 ] && groups=(rate max)
	for g in "${groups[@]}"; do
		if [ "$g" = max ]; then group=("${max_loads[@]}"); else group=("${rate_loads[@]}"); fi
		for i in 0 1 2; do
			measure "$r" "${group[$(( (i + r - 1) % 3 ))]}"
		done
	done
done

med() {
	local v
	v=$(cut -d' ' -f"$2" "$dir/$1" | grep -v -- - || true)
	if [ -n "$v" ]; then median <<<"$v"; else echo -; fi
}
echo
echo "medians:"
row() { printf '  %-26s %7s %12s %8s %14s %14s %11s %10s %11s %8s\n' "$@"; }
row load tps "CPU us/write" "p99 ms" "k instr/write" "k cycles/write" "syscalls/w" "packets/w" "switches/w" "steal %"
for l in "${loads[@]}"; do
	k=${l%%:*}
	row "$k" $(for f in 1 2 3 4 5 6 7 8 9; do med "$k" "$f"; done)
done
ratio() {	# FAILPROBE_LOAD PGBENCH_LOAD FIELD: the ratio of their medians
	awk -v a="$(med "$1" "$3")" -v b="$(med "$2" "$3")" \
		'BEGIN { print (a != "-" && b != "-" && b > 0) ? sprintf("%.2f", a / b) : "-" }'
}
figures() {	# FAILPROBE_LOAD PGBENCH_LOAD
	echo "CPU $(ratio "$1" "$2" 2) [$(ratio "$1" "$2" 4)] {$(ratio "$1" "$2" 5)}" \
		"<$(ratio "$1" "$2" 6) $(ratio "$1" "$2" 7) $(ratio "$1" "$2" 8)>"
}
achieved() { awk -v a="$(med "$1" 1)" -v r="$rate" 'BEGIN { printf "%.1f", a / r * 100 }'; }
echo "ratios (failprobe / pgbench) of the medians: CPU time per write [instructions] {cycles}" \
	"<system calls, packets sent, context switches>:"
echo "  --rate 0:  TPS $(ratio failprobe_max pgbench_max 1), $(figures failprobe_max pgbench_max);" \
	"pipelined (K=$pipeline): TPS $(ratio failprobe_max_pipelined pgbench_max 1)," \
	"$(figures failprobe_max_pipelined pgbench_max)"
echo "  --rate $rate: achieved $(achieved failprobe_rate) % of the rate, pipelined" \
	"$(achieved failprobe_rate_pipelined) %; $(figures failprobe_rate pgbench_rate);" \
	"pipelined (K=$pipeline) $(figures failprobe_rate_pipelined pgbench_rate)"

# Per round: failprobe's figure over pgbench's of the same round; their median.
paired() {	# FAILPROBE_LOAD PGBENCH_LOAD FIELD
	local v
	v=$(paste -d' ' <(cut -d' ' -f"$3" "$dir/$1") <(cut -d' ' -f"$3" "$dir/$2") |
		awk '$1 != "-" && $2 > 0 { printf "%.3f\n", $1 / $2 }')
	if [ -n "$v" ]; then printf '%.2f' "$(median <<<"$v")"; else echo -; fi
}
echo "median of the rounds' own ratios: --rate 0 TPS $(paired failprobe_max pgbench_max 1)," \
	"CPU $(paired failprobe_max pgbench_max 2) [$(paired failprobe_max pgbench_max 4)]" \
	"{$(paired failprobe_max pgbench_max 5)}; --rate $rate CPU $(paired failprobe_rate pgbench_rate 2)," \
	"pipelined CPU $(paired failprobe_rate_pipelined pgbench_rate 2)"
steal=$(cat "$dir"/pgbench_* "$dir"/failprobe_* | cut -d' ' -f9 | median)
if [ "${steal%.*}" -ge 10 ]; then
	echo "warning: the hypervisor took ${steal} % of this machine's CPU time (median of the measurements):" \
		"TPS and CPU times swing with it; the instruction counts are the steadier figures"
fi
