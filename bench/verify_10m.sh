#!/usr/bin/env bash
# How fast is `failprobe verify`, and how much memory does it take?
#
# Builds a throwaway server (as the user failprobe when run as root),
# writes a synthetic ledger of WORKERS x PER_WORKER writes with the
# client's own ledger writer (bench/verify_gen.c), and makes the matching
# rows server-side (INSERT ... SELECT over generate_series, digest computed
# with the same sha256 formula the client uses).  Then it damages a few on
# purpose so the result is not trivial:
#   50 acknowledged rows deleted (lost), 10 digests overwritten (not
#   self-consistent), 5 rows rewritten consistently with another payload
#   (digest not the write's), the failed writes' rows of worker 0 kept
#   (failed yet present), half the in-doubt rows deleted, 3 rows added that
#   no one sent (unexpected).
# Times `failprobe verify --json` with /usr/bin/time -v, prints the seconds
# and the peak RSS, and checks every classification count.
#
# Usage: bench/verify_10m.sh [--workers N] [--per-worker N]
# (default 8 x 1250000 = 10 million writes)
set -euo pipefail
. "$(dirname "$0")/../scripts/common.sh"

workers=8
per=1250000
while [ $# -gt 0 ]; do
	case "$1" in
		--workers) workers=$2; shift 2 ;;
		--per-worker) per=$2; shift 2 ;;
		-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
		*) echo "verify_10m: unknown option '$1'; see --help" >&2; exit 2 ;;
	esac
done
[ "$per" -ge 3010 ] || { echo "verify_10m: --per-worker must be at least 3010" >&2; exit 2; }
[ "$workers" -ge 3 ] || { echo "verify_10m: --workers must be at least 3" >&2; exit 2; }

make -C "$top/client" -s failprobe
ensure_test_user

dir=$(bench_dir pg_failprobe-vbench)
trap 'as_server_user pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

cc -O2 -std=c11 -Wall -Wextra -Werror -I"$top/client" -o "$dir/verify_gen" \
	"$top/bench/verify_gen.c" "$top/client/ledger_write.c" "$top/client/ledger_read.c" "$top/client/crc32c.c" -pthread

port=$((20000 + RANDOM % 30000))
bench_initdb "$dir/data" "$port" <<EOC
max_wal_size = 8GB
synchronous_commit = off
maintenance_work_mem = 512MB
EOC
as_server_user pg_ctl -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
dsn="host=127.0.0.1 port=$port dbname=postgres user=$FAILPROBE_USER"
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -d "$dsn" "$@"; }

run_id=$((1000000 + RANDOM))
total=$((workers * per))
echo "verify_10m: $total writes ($workers workers x $per), run $run_id"

t0=$(date +%s.%N)
"$dir/verify_gen" "$dir/run.ledger" "$run_id" "$workers" "$per"
t1=$(date +%s.%N)
echo "verify_10m: ledger written in $(echo "$t1 - $t0" | bc) s ($(du -h "$dir/run.ledger" | cut -f1))"

# the rows, the same digest formula the client writes (payload NULL)
psql_q <<EOS
CREATE SCHEMA failprobe_client;
CREATE UNLOGGED TABLE failprobe_client.ledger (
  run_id bigint NOT NULL, worker integer NOT NULL, seq bigint NOT NULL,
  digest bytea NOT NULL, sent_at timestamptz NOT NULL, payload bytea);
INSERT INTO failprobe_client.ledger
  SELECT $run_id, w, s, sha256(int8send($run_id::bigint) || int4send(w) || int8send(s)), now(), NULL
  FROM generate_series(0, $workers - 1) w, generate_series(1, $per::bigint) s;
ALTER TABLE failprobe_client.ledger ADD PRIMARY KEY (run_id, worker, seq);
-- lost: 50 acknowledged writes of worker 0
DELETE FROM failprobe_client.ledger WHERE run_id = $run_id AND worker = 0 AND seq BETWEEN 1000 AND 1049;
-- corrupt: 10 digests overwritten, 5 rows rewritten consistently with another payload
UPDATE failprobe_client.ledger SET digest = '\x00'
  WHERE run_id = $run_id AND worker = 1 AND seq BETWEEN 2000 AND 2009;
UPDATE failprobe_client.ledger SET payload = '\x01',
  digest = sha256(int8send(run_id) || int4send(worker) || int8send(seq) || '\x01'::bytea)
  WHERE run_id = $run_id AND worker = 2 AND seq BETWEEN 3000 AND 3004;
-- failed writes: absent, except worker 0's (an anomaly to find)
DELETE FROM failprobe_client.ledger WHERE run_id = $run_id AND seq % 500009 = 0 AND worker <> 0;
-- in doubt: committed for even workers, absent for odd
DELETE FROM failprobe_client.ledger
  WHERE run_id = $run_id AND seq % 100003 = 0 AND seq % 500009 <> 0 AND worker % 2 = 1;
-- unexpected: rows no one sent
INSERT INTO failprobe_client.ledger
  SELECT $run_id, 0, s, '\x00', now(), NULL FROM generate_series($per + 1, $per + 3::bigint) s;
VACUUM ANALYZE failprobe_client.ledger;
EOS
t2=$(date +%s.%N)
echo "verify_10m: rows made in $(echo "$t2 - $t1" | bc) s"

set +e
/usr/bin/time -v "$top/client/failprobe" verify -d "$dsn" -l "$dir/run.ledger" --json "$dir/verify.json" \
	>"$dir/verify.out" 2>"$dir/time.txt"
rc=$?
set -e
cat "$dir/verify.out"
secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time.txt")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time.txt")
cpu_u=$(sed -n 's/.*User time (seconds): //p' "$dir/time.txt")
cpu_s=$(sed -n 's/.*System time (seconds): //p' "$dir/time.txt")
echo "verify_10m: failprobe verify of $total writes: wall $secs (m:ss), user $cpu_u s, sys $cpu_s s, peak RSS $((rss / 1024)) MiB ($(echo "scale=2; $rss * 1024 / $total" | bc) bytes per write), exit $rc"

# every count as the damage above makes it
failed_per=$((per / 500009))
in_doubt=0; committed=0
for ((w = 0; w < workers; w++)); do
	n=0
	for ((s = 100003; s <= per; s += 100003)); do [ $((s % 500009)) -ne 0 ] && n=$((n + 1)); done
	in_doubt=$((in_doubt + n))
	[ $((w % 2)) -eq 0 ] && committed=$((committed + n))
done
failed=$((workers * failed_per))
fail=0
check() {
	local key=$1 want=$2 got
	got=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$dir/verify.json" "$key")
	if [ "$got" = "$want" ]; then echo "  ok   $key = $got"; else echo "  FAIL $key = $got, expected $want"; fail=1; fi
}
check sent "$total"
check acked $((total - in_doubt - failed))
check acked_lost 50
check failed "$failed"
check failed_present "$failed_per"
check in_doubt "$in_doubt"
check in_doubt_committed "$committed"
check in_doubt_absent $((in_doubt - committed))
check corrupt 15
check corrupt_digest 5
check corrupt_inconsistent 10
check unexpected 3
[ "$rc" -eq 1 ] && echo "  ok   exit 1 (acknowledged writes lost)" || { echo "  FAIL exit $rc, expected 1"; fail=1; }
exit $fail
