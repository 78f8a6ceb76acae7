#!/usr/bin/env bash
# Search benchmark: name search within one district (registry.SearchPeople,
# as POST /api/v1/people/search) on both engines, against the plain indexed
# region-range lookup in the same run. See cmd/jaring-bench.
#
#   scripts/bench/search.sh [PEOPLE_FAMILIES] [-- jaring-bench search options]
#
# It uses the registers import.sh left behind (database $BENCH_DB and
# bench-out/sqlite/jaring.db); a register that is missing or empty is loaded
# here with `jaring seed --db URL --families N` (default 285000 ≈ 1 M people).
# Environment as for import.sh (ENGINES, SEED, KEEP, PGHOST, BENCH_DB, ...).
# Targets (issue): p50 < 20 ms, p99 < 100 ms on both engines.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FAMILIES=285000
if [ $# -gt 0 ] && [ "$1" != -- ]; then FAMILIES=$1; shift; fi
[ "${1:-}" = -- ] && shift
[[ $FAMILIES =~ ^[0-9]+$ ]] || die "usage: $0 [PEOPLE_FAMILIES] [-- jaring-bench search options]"

ok=0
created=()
cleanup() {
	# A register this script started loading and did not finish is dropped;
	# finished ones stay unless KEEP=0.
	if [ "$KEEP" = 0 ]; then
		drop_registers $ENGINES
	elif [ "$ok" != 1 ] && [ ${#created[@]} -gt 0 ]; then
		drop_registers "${created[@]}"
	fi
}
trap cleanup EXIT

build
echo "Search benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
machine
for e in $ENGINES; do
	case $e in
	postgres)
		need psql postgresql-client
		n=$(pg_bench -c 'SELECT COUNT(*) FROM person WHERE valid_to IS NULL' 2>/dev/null || echo 0)
		if [ "$n" = 0 ]; then
			check_regions
			say "bench: loading $FAMILIES families into $PG_URL with jaring seed (no register from import.sh)"
			created+=(postgres)
			pg_fresh_register
			quietly pg-seed "$JARING" seed --db "$PG_URL" --families "$FAMILIES" --seed "$SEED" --quiet
		fi
		db=$PG_URL
		;;
	sqlite)
		need sqlite3 sqlite3
		n=0
		[ -f "$SQLITE_DB" ] && n=$(sqlite3 "$SQLITE_DB" 'SELECT COUNT(*) FROM person WHERE valid_to IS NULL' 2>/dev/null || echo 0)
		if [ "$n" = 0 ]; then
			check_regions
			say "bench: loading $FAMILIES families into $SQLITE_DB with jaring seed (no register from import.sh)"
			created+=(sqlite)
			sqlite_fresh_register
			quietly sqlite-seed "$JARING" seed --db "$SQLITE_DB" --families "$FAMILIES" --seed "$SEED" --quiet
		fi
		db=$SQLITE_DB
		;;
	*) die "unknown engine $e (ENGINES takes postgres and/or sqlite)" ;;
	esac
	echo
	"$BIN/jaring-bench" search --db "$db" "$@"
done
ok=1
