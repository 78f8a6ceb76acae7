# Shared by the benchmark scripts of this directory; source it, do not run it.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench-out}   # git-ignored (/bench-out/)
BIN=$OUT/bin
SEED=${SEED:-1}
KEEP=${KEEP:-1}                     # 1: leave the loaded registers for search.sh; 0: drop them at exit
ENGINES=${ENGINES:-postgres sqlite}
# The reference data beside the repository (../shared), or beside a worktree's parent.
if [ -z "${REGIONS:-}" ]; then
	REGIONS=$ROOT/../shared/data/regions/kemendagri-2025.csv
	[ -f "$REGIONS" ] || [ ! -f "$ROOT/../../shared/data/regions/kemendagri-2025.csv" ] || REGIONS=$ROOT/../../shared/data/regions/kemendagri-2025.csv
fi

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
BENCH_DB=${BENCH_DB:-jaring_bench}  # the register; dropped and created again by import.sh
PG_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB"
SQLITE_DB=$OUT/sqlite/jaring.db

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

# need CMD PACKAGE: install PACKAGE with apt-get when CMD is missing, and say so.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	command -v apt-get >/dev/null 2>&1 || die "$1 is missing and apt-get is not available: install $2"
	local sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	say "bench: $1 is missing; installing $2 with apt-get"
	$sudo apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
	command -v "$1" >/dev/null 2>&1 || die "installing $2 did not provide $1"
}

# build compiles the binaries the scripts run into $BIN.
build() {
	need go golang-go
	mkdir -p "$BIN" "$OUT/logs"
	(cd "$ROOT" && go build -o "$BIN/jaring" ./cmd/jaring && go build -o "$BIN/jaring-bench" ./cmd/jaring-bench) \
		>"$OUT/logs/build.log" 2>&1 || { cat "$OUT/logs/build.log" >&2; die "build failed"; }
}

# The scripts run from the repository root, so that jaring finds ../shared
# (names, regions, population weights) as in development.
cd "$ROOT"
JARING=$BIN/jaring

# quietly LOG CMD...: run CMD with its output in $OUT/logs/LOG.log, shown only on failure.
quietly() {
	local log=$OUT/logs/$1.log
	shift
	"$@" >"$log" 2>&1 || { say "bench: failed: $*"; tail -n 30 "$log" >&2; return 1; }
}

# timed LOG CMD...: run CMD under /usr/bin/time; sets SECS (wall clock,
# process start to exit) and RSS_MB (peak resident set of CMD).
timed() {
	local log=$OUT/logs/$1.log tf=$OUT/logs/$1.time
	shift
	if ! /usr/bin/time -f '%e %M' -o "$tf" "$@" >"$log" 2>&1; then
		say "bench: failed: $*"
		tail -n 30 "$log" >&2
		return 1
	fi
	read -r SECS kb <"$tf"
	RSS_MB=$(awk -v k="$kb" 'BEGIN { printf "%.0f", k / 1024 }')
}

# pg_admin runs psql on the maintenance database, without NOTICEs ("does not exist, skipping").
pg_admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
pg_bench() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$BENCH_DB" "$@"; }

# pg_fresh_register creates an empty, migrated register with the regions imported.
pg_fresh_register() {
	pg_admin -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB"
	quietly pg-migrate "$JARING" migrate --db "$PG_URL"
	quietly pg-regions "$JARING" regions import --db "$PG_URL" "$REGIONS"
}

sqlite_fresh_register() {
	mkdir -p "$(dirname "$SQLITE_DB")"
	rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm" "$SQLITE_DB.errors.csv"
	quietly sqlite-migrate "$JARING" migrate --db "$SQLITE_DB"
	quietly sqlite-regions "$JARING" regions import --db "$SQLITE_DB" "$REGIONS"
}

# drop_registers ENGINE...: drop the bench registers of the given engines.
drop_registers() {
	local e
	for e in "$@"; do
		case $e in
		postgres) pg_admin -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" 2>/dev/null || true ;;
		sqlite) rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm" "$SQLITE_DB.errors.csv" ;;
		esac
	done
}

check_regions() {
	[ -f "$REGIONS" ] || die "regions file $REGIONS not found (set REGIONS=path/to/kemendagri-2025.csv)"
}

machine() {
	printf 'machine: %s CPUs (%s), %s MB memory, %s; %s\n' "$(nproc)" \
		"$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
		"$(awk '/MemTotal/ { printf "%.0f", $2 / 1024 }' /proc/meminfo)" "$(uname -sr)" "$(go version | cut -d' ' -f3)"
}
