# Helpers shared by the scripts: where PostgreSQL is, how to run as the
# unprivileged user that owns the test servers (PostgreSQL refuses root).

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-$(command -v pg_config || echo /usr/lib/postgresql/15/bin/pg_config)}

# PostgreSQL's programs first in PATH.  On a fresh machine there is no
# PostgreSQL before scripts/install-deps has run: install_deps calls this
# again afterwards.
pg_paths() {
	[ -z "${pg_paths_done:-}" ] && [ -x "$PG_CONFIG" ] || return 0
	PG_BINDIR=$("$PG_CONFIG" --bindir)
	export PATH="$PG_BINDIR:$PATH"
	pg_paths_done=1
}
pg_paths

# The Debian packages the project needs (root or sudo), then PostgreSQL's paths.
install_deps() {
	"$top/scripts/install-deps"
	pg_paths
}

# The OS user that runs servers when we are root.
FAILPROBE_USER=${FAILPROBE_USER:-failprobe}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_test_user() {
	[ "$(id -u)" -eq 0 ] || return 0
	id "$FAILPROBE_USER" >/dev/null 2>&1 ||
		useradd --system --create-home --shell /bin/bash "$FAILPROBE_USER"
}

# Run a command as the server user (root) or as ourselves (anyone else).
as_server_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$FAILPROBE_USER" -- env PATH="$PATH" "$@"
	else
		"$@"
	fi
}

# make installcheck in the test tree DIR as the server user; more make
# variables may follow (REGRESS= NOPRELOAD= PROVE_TESTS="t/..." for chosen
# TAP files only).
installcheck_in() {
	local dir=$1
	shift
	as_server_user make -C "$dir" -s PG_CONFIG="$PG_CONFIG" installcheck PROVE_FLAGS="--timer" "$@"
}

build_and_install() {
	make -C "$top" -s PG_CONFIG="$PG_CONFIG"
	as_root make -C "$top" -s PG_CONFIG="$PG_CONFIG" install >/dev/null
}

# The newer PgBouncer for t/015 (named prepared statements), built once.  A
# failure (no network) is said but does not stop the other tests; t/015 then
# skips, naming the reason.
build_pgbouncer_new() {
	"$top/scripts/build-pgbouncer-new" ||
		echo "warning: no newer PgBouncer (scripts/build-pgbouncer-new failed): t/015 will skip" >&2
}

# CPU time the hypervisor gave to other guests (steal), for benchmarks: a
# timed figure taken while much was stolen says more about the host than
# about the code.  steal_mark prints a mark; steal_pct MARK the share of all
# CPU time since then that was stolen, in percent (0 where /proc/stat has
# no steal column).
steal_mark() {
	awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $9 + 0, t; exit }' /proc/stat
}
steal_pct() {
	local a=($1) b=($(steal_mark))
	awk -v s="$(( b[0] - a[0] ))" -v t="$(( b[1] - a[1] ))" 'BEGIN { printf "%.0f\n", (t > 0 ? s * 100 / t : 0) }'
}

# Benchmarks' throwaway servers.  bench_dir PREFIX: a fresh directory under
# /tmp that the server user may write in, printed.
bench_dir() {
	local d
	d=$(mktemp -d "/tmp/$1.XXXXXX")
	chmod 755 "$d"
	[ "$(id -u)" -eq 0 ] && chown "$FAILPROBE_USER" "$d"
	echo "$d"
}
# bench_initdb DATADIR PORT: a cluster listening on 127.0.0.1:PORT only (no
# socket file, so nothing outside DATADIR's parent is written); further
# postgresql.conf lines come on stdin.
bench_initdb() {
	as_server_user initdb -D "$1" -A trust -N >/dev/null
	{
		printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = ''\n" "$2"
		cat
	} >>"$1/postgresql.conf"
}
