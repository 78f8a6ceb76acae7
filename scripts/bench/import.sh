#!/usr/bin/env bash
# Import benchmark: `jaring import` of a seeded people file against the
# engines' own bulk loaders of the same file into a bare all-text table with
# the file's header columns and no indexes, measured in the same run.
#
#   scripts/bench/import.sh [PEOPLE_FAMILIES]      (default 285000 ≈ 1,000,000 people)
#
# Environment: ENGINES ("postgres sqlite"), REPEAT (3 runs; the best
# time of each side is reported, and the ratio of the medians beside it, as
# other work on the machine adds time to single runs), SEED (1), KEEP
# (1: leave the loaded registers for search.sh; 0: drop them), PGHOST/PGPORT/
# PGUSER (127.0.0.1, 5432, postgres), BENCH_DB (jaring_bench), REGIONS
# (../shared/data/regions/kemendagri-2025.csv), BENCH_OUT (bench-out). Output: the results table on
# stdout; logs in bench-out/logs. Targets (issue): PostgreSQL ≥ 0.5× psql
# \copy, SQLite ≥ 0.3× sqlite3 .import, peak RSS < 500 MB.
#
# On PostgreSQL it also measures the server's floor: the time psql \copy takes
# to load the rows jaring wrote and build the same indexes, in one transaction
# and split over two connections, so that what the server alone needs is
# printed beside what jaring takes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FAMILIES=${1:-${PEOPLE_FAMILIES:-285000}}
[[ $FAMILIES =~ ^[0-9]+$ ]] || die "usage: $0 [PEOPLE_FAMILIES]"
BASE_DB=${BENCH_DB}_copy   # the baseline's bare table lives in its own database
BASE_SQLITE=$OUT/sqlite/baseline.db
FILE=$OUT/people-$FAMILIES-s$SEED/people.csv
REPEAT=${REPEAT:-3}
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a whole number >= 1"

need /usr/bin/time time
for e in $ENGINES; do
	case $e in
	postgres) need psql postgresql-client ;;
	sqlite) need sqlite3 sqlite3 ;;
	*) die "unknown engine $e (ENGINES takes postgres and/or sqlite)" ;;
	esac
done
check_regions

ok=0
cleanup() {
	case " $ENGINES " in *" postgres "*)
		pg_admin -c "DROP DATABASE IF EXISTS $BASE_DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS ${BENCH_DB}_floor WITH (FORCE)" 2>/dev/null || true ;;
	esac
	rm -f "$BASE_SQLITE" "$BASE_SQLITE-journal"
	rm -rf "$OUT/floor"
	if [ "$ok" != 1 ] || [ "$KEEP" = 0 ]; then drop_registers $ENGINES; fi
}
trap cleanup EXIT

build
rm -rf "$(dirname "$FILE")"
rm -rf "$OUT/floor" # the rows a previous file's import wrote
quietly seed "$JARING" seed --out "$(dirname "$FILE")" --families "$FAMILIES" --seed "$SEED" --quiet
HEADER=$(head -n 1 "$FILE")
COLS=$(sed 's/,/ TEXT, /g; s/$/ TEXT/' <<<"$HEADER")
FILE_MB=$(du -m "$FILE" | cut -f1)

# Figures per engine and run, one value per repetition.
declare -A BASE S1 S2 RSS1 RSS2 FLOOR FLOOR2
RUNS=()

# imported LOG: the row count `jaring import` printed ("people.csv: N baris dalam ...").
imported() { sed -n 's/^people\.csv: \([0-9]*\) baris.*/\1/p' "$OUT/logs/$1.log"; }

# check_import LOG ROWS: jaring read every row of the file.
check_import() {
	local n
	n=$(imported "$1")
	[ "$n" = "$2" ] || die "jaring imported ${n:-no} rows, the baseline $2 (see $OUT/logs/$1.log)"
}

# check_second LOG: the second import must have found everything unchanged.
check_second() {
	grep -q 'keluarga: 0 baru, 0 berubah' "$OUT/logs/$1.log" && grep -q 'jiwa: *0 baru, 0 berubah' "$OUT/logs/$1.log" ||
		die "second import changed the register: see $OUT/logs/$1.log"
}

# record ENGINE BASE_S S1 RSS1 S2 RSS2: keep one repetition's figures.
record() {
	BASE[$1]+="$2 " S1[$1]+="$3 " RSS1[$1]+="$4 " S2[$1]+="$5 " RSS2[$1]+="$6 "
	RUNS+=("$(printf '  %-8s baseline %6.2f s   jaring %6.2f s (%s MB)   again %6.2f s (%s MB)   load(1m) %s' "$1" "$2" "$3" "$4" "$5" "$6" \
		"$(cut -d' ' -f1 /proc/loadavg)")")
}

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minimum() { tr ' ' '\n' <<<"$1" | grep . | sort -g | head -n 1; }
maximum() { tr ' ' '\n' <<<"$1" | grep . | sort -g | tail -n 1; }

# line ENGINE RUN BASES JARINGS RSSES TARGET: one line of the results table,
# from the best (shortest) time of each side: other work on the machine only
# ever adds time. The ratio of the medians is shown beside it.
line() {
	local engine=$1 what=$2 b s rss=$5 target=$6 med
	b=$(minimum "$3") s=$(minimum "$4") rss=$(maximum "$5")
	med=$(awk -v a="$(median "$3")" -v b="$(median "$4")" 'BEGIN { print a / b }')
	printf '%-9s %-17s %9d %10.2f %12.0f %9.2f %12.0f %6.2f %6.2f %6s %6s  %s\n' "$engine" "$what" "$rows" "$b" \
		"$(awk -v r="$rows" -v s="$b" 'BEGIN { print r / s }')" "$s" \
		"$(awk -v r="$rows" -v s="$s" 'BEGIN { print r / s }')" \
		"$(awk -v a="$b" -v b="$s" 'BEGIN { print a / b }')" "$med" "$target" "$rss" \
		"$(awk -v a="$b" -v b="$s" -v t="${target#>=}" -v m="$rss" 'BEGIN {
			if (t == "-") r = "-"; else r = (a / b >= t) ? "met" : "NOT met";
			printf "rate %s, RSS %s", r, (m < 500) ? "met" : "NOT met" }')"
}

# pg_floor: the time PostgreSQL alone needs for what a first `jaring import`
# makes it do, with no client work: psql \copy of the very rows jaring wrote
# (exported from the register as COPY text) into a migrated register, with
# the primary keys kept, the secondary indexes dropped and built again, and
# ANALYZE of the columns jaring analyzes, in one transaction as bulkLoad
# does. No client can import faster than this on the same server. Sets SECS.
pg_floor() {
	local dir=$OUT/floor db=${BENCH_DB}_floor
	mkdir -p "$dir"
	if [ ! -s "$dir/person.copy" ]; then
		pg_bench -c "\\copy family TO '$dir/family.copy'" -c "\\copy person TO '$dir/person.copy'"
	fi
	pg_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
	quietly pg-floor-migrate "$JARING" migrate --db "postgres://$PGUSER@$PGHOST:$PGPORT/$db"
	{
		echo 'BEGIN;'
		echo 'LOCK TABLE family, person IN SHARE ROW EXCLUSIVE MODE;'
		psql -X -At -d "$db" -c "SELECT 'DROP INDEX ' || indexname || ';' FROM pg_indexes
			WHERE tablename IN ('family', 'person') AND indexname NOT LIKE '%_pkey' ORDER BY indexname"
		echo "SET LOCAL maintenance_work_mem = '256MB';"
		echo "\\copy family FROM '$dir/family.copy'"
		echo "\\copy person FROM '$dir/person.copy'"
		psql -X -At -d "$db" -c "SELECT indexdef || ';' FROM pg_indexes
			WHERE tablename IN ('family', 'person') AND indexname NOT LIKE '%_pkey' ORDER BY indexname"
		echo 'ANALYZE family (kk, village_code, valid_to, status), person (nik, family_id, village_code, name_key, valid_to, status);'
		echo 'COMMIT;'
	} >"$dir/floor.sql"
	pg_admin -c CHECKPOINT
	timed pg-floor psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$dir/floor.sql"
	pg_admin -c "DROP DATABASE $db WITH (FORCE)"
}

# pg_floor_parallel: the same work on two connections at once, to use both
# processors of the server: each loads half the rows in its own transaction,
# then each builds part of the indexes; ANALYZE last. A client loading in
# several transactions could at best reach this. Sets SECS.
pg_floor_parallel() {
	local dir=$OUT/floor db=${BENCH_DB}_floor url
	url="postgres://$PGUSER@$PGHOST:$PGPORT/$db"
	[ -s "$dir/person.part01" ] || (cd "$dir" && split -n l/2 -d family.copy family.part && split -n l/2 -d person.copy person.part)
	pg_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
	quietly pg-floor-migrate "$JARING" migrate --db "$url"
	# Two index groups of about equal time: the family indexes with the NIK
	# index, and the other person indexes.
	local ix1 ix2
	ix1=$(psql -X -At -d "$db" -c "SELECT indexdef || ';' FROM pg_indexes WHERE tablename IN ('family', 'person')
		AND indexname NOT LIKE '%_pkey' AND (tablename = 'family' OR indexname LIKE '%nik%')")
	ix2=$(psql -X -At -d "$db" -c "SELECT indexdef || ';' FROM pg_indexes WHERE tablename = 'person'
		AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%nik%'")
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "$(psql -X -At -d "$db" -c "SELECT 'DROP INDEX ' || indexname || ';'
		FROM pg_indexes WHERE tablename IN ('family', 'person') AND indexname NOT LIKE '%_pkey'")"
	{
		echo 'set -e'
		for h in 00 01; do
			echo "psql -X -q -v ON_ERROR_STOP=1 -d '$db' -c \"\\\\copy family FROM '$dir/family.part$h'\" -c \"\\\\copy person FROM '$dir/person.part$h'\" & p$h=\$!"
		done
		echo 'wait $p00; wait $p01'
		for h in 1 2; do
			ix=ix$h
			printf "psql -X -q -v ON_ERROR_STOP=1 -d '%s' -c \"SET maintenance_work_mem = '256MB'\" -c \"%s\" & p%s=\$!\n" "$db" "$(tr '\n' ' ' <<<"${!ix}")" "$h"
		done
		echo 'wait $p1; wait $p2'
		echo "psql -X -q -v ON_ERROR_STOP=1 -d '$db' -c 'ANALYZE family (kk, village_code, valid_to, status), person (nik, family_id, village_code, name_key, valid_to, status)'"
	} >"$dir/parallel.sh"
	pg_admin -c CHECKPOINT
	timed pg-floor-parallel bash "$dir/parallel.sh"
	local got
	got=$(psql -X -At -d "$db" -c "SELECT (SELECT COUNT(*) FROM person) || ' people, ' || (SELECT COUNT(*) FROM pg_indexes
		WHERE tablename IN ('family', 'person')) || ' indexes'")
	[ "$got" = "$rows people, 7 indexes" ] || die "the parallel floor left $got, not $rows people and 7 indexes (see $dir/parallel.sh)"
	pg_admin -c "DROP DATABASE $db WITH (FORCE)"
}

postgres_rep() {
	# Baseline: psql \copy into a bare table in a fresh database.
	pg_admin -c "DROP DATABASE IF EXISTS $BASE_DB WITH (FORCE)" -c "CREATE DATABASE $BASE_DB"
	psql -X -q -v ON_ERROR_STOP=1 -d "$BASE_DB" -c "CREATE TABLE bare ($COLS)"
	pg_fresh_register
	pg_admin -c CHECKPOINT
	timed pg-copy psql -X -q -v ON_ERROR_STOP=1 -d "$BASE_DB" -c "\\copy bare FROM '$FILE' WITH (FORMAT csv, HEADER true)"
	local b=$SECS
	rows=$(psql -X -At -d "$BASE_DB" -c 'SELECT COUNT(*) FROM bare')
	pg_admin -c "DROP DATABASE $BASE_DB WITH (FORCE)" -c CHECKPOINT
	timed pg-import "$JARING" import --db "$PG_URL" --quiet "$FILE"
	check_import pg-import "$rows"
	local s1=$SECS r1=$RSS_MB
	pg_admin -c CHECKPOINT
	timed pg-import2 "$JARING" import --db "$PG_URL" --quiet "$FILE"
	check_import pg-import2 "$rows"
	check_second pg-import2
	local s2=$SECS r2=$RSS_MB
	pg_floor
	FLOOR[postgres]+="$SECS "
	pg_floor_parallel
	FLOOR2[postgres]+="$SECS "
	record postgres "$b" "$s1" "$r1" "$s2" "$r2"
}

sqlite_rep() {
	# Baseline: the sqlite3 shell's .import into a bare table of a new file,
	# with the shell's defaults (rollback journal, synchronous=FULL; .import
	# runs in one transaction).
	mkdir -p "$(dirname "$BASE_SQLITE")"
	rm -f "$BASE_SQLITE" "$BASE_SQLITE-journal"
	sqlite3 "$BASE_SQLITE" "CREATE TABLE bare ($COLS)"
	sqlite_fresh_register
	timed sqlite-shell-import sqlite3 "$BASE_SQLITE" ".import --csv --skip 1 '$FILE' bare"
	local b=$SECS
	rows=$(sqlite3 "$BASE_SQLITE" 'SELECT COUNT(*) FROM bare')
	rm -f "$BASE_SQLITE"
	timed sqlite-import "$JARING" import --db "$SQLITE_DB" --quiet "$FILE"
	check_import sqlite-import "$rows"
	local s1=$SECS r1=$RSS_MB
	timed sqlite-import2 "$JARING" import --db "$SQLITE_DB" --quiet "$FILE"
	check_import sqlite-import2 "$rows"
	check_second sqlite-import2
	record sqlite "$b" "$s1" "$r1" "$SECS" "$RSS_MB"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for ((rep = 1; rep <= REPEAT; rep++)); do
	for e in $ENGINES; do "${e}_rep"; done
done
ok=1

PG_VERSION=-
SQLITE_SHELL=-
[[ " $ENGINES " == *" postgres "* ]] && PG_VERSION=$(psql -X -At -d postgres -c 'SHOW server_version')
[[ " $ENGINES " == *" sqlite "* ]] && SQLITE_SHELL=$(sqlite3 --version | cut -d' ' -f1)
echo "Import benchmark, $STARTED to $(date -u +%H:%M:%SZ)"
machine
echo "load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg) (runs: 1-minute load, this benchmark included)"
echo "data: jaring seed --out --families $FAMILIES --seed $SEED: $rows people rows, $FILE_MB MB CSV ($FILE)"
echo "baselines: PostgreSQL $PG_VERSION psql \\copy into a bare all-TEXT table with the file's columns, no indexes;"
echo "  sqlite3 shell $SQLITE_SHELL .import --csv --skip 1 into the same bare table (jaring uses its built-in SQLite driver)"
echo "times: wall clock from process start to exit, best of $REPEAT run(s) (ratio med: of the medians); RSS: the largest peak"
echo "ratio = jaring rows/s / baseline rows/s"
echo
printf '%-9s %-17s %9s %10s %12s %9s %12s %6s %6s %6s %6s  %s\n' engine run rows "baseline s" "baseline r/s" "jaring s" "jaring r/s" ratio "med" target "RSS MB" "targets (rate, RSS < 500 MB)"
for e in $ENGINES; do
	target='>=0.5'
	[ "$e" = sqlite ] && target='>=0.3'
	line "$e" "first import" "${BASE[$e]}" "${S1[$e]}" "${RSS1[$e]}" "$target"
	line "$e" "again, unchanged" "${BASE[$e]}" "${S2[$e]}" "${RSS2[$e]}" -
done
if [ -n "${FLOOR[postgres]:-}" ]; then
	f=$(minimum "${FLOOR[postgres]}")
	echo
	echo "PostgreSQL server floor (psql \\copy of the rows jaring wrote, the same index builds and ANALYZE, no client work):"
	awk -v b="$(minimum "${BASE[postgres]}")" -v f="$f" -v j="$(minimum "${S1[postgres]}")" -v fs="${FLOOR[postgres]}" 'BEGIN {
		printf "  one transaction:  %.2f s (runs: %s); best ratio any client could reach %.2f; jaring / floor %.2f\n", f, fs, b / f, f / j }'
	f=$(minimum "${FLOOR2[postgres]}")
	awk -v b="$(minimum "${BASE[postgres]}")" -v f="$f" -v fs="${FLOOR2[postgres]}" 'BEGIN {
		printf "  two connections:  %.2f s (runs: %s); best ratio any client could reach %.2f\n", f, fs, b / f }'
fi
echo
echo "runs:"
printf '%s\n' "${RUNS[@]}"
if [ "$KEEP" != 0 ]; then
	echo
	echo "registers left for scripts/bench/search.sh: $PG_URL $SQLITE_DB (KEEP=0 drops them)"
fi
