#!/usr/bin/env bash
# Targeting benchmark: the whole run of one period on a seeded register —
# `jaring rank` (the welfare ranking), then `jaring determine` of PKH, BPNT
# and PBI-JK together (one job: each family read and built once, evaluated
# by the three programs; every family, and every person for PBI-JK, written
# with status, amount and reasons) — timed step by step, with the peak RSS
# of each process (/usr/bin/time) and the load average beside every run.
#
#   scripts/bench/targeting.sh [FAMILIES ...]   (default: 250000 1000000)
#
# PostgreSQL runs every size; SQLite only sizes up to SQLITE_MAX (250000).
# Registers are databases ${TARGET_DB}_N (PostgreSQL) and
# bench-out/sqlite/targeting-N.db, seeded once with `jaring seed --db …
# --families N --seed SEED` and kept unless KEEP=0. Before each repetition
# the rankings and determinations of earlier ones are deleted, so every run
# writes into empty tables. Environment: REPEAT (2; best and median are
# reported), ENGINES, SEED, KEEP, PGHOST/PGPORT/PGUSER, TARGET_DB
# (jaring_targeting), SQLITE_MAX, REGIONS, BENCH_OUT, PERIODS
# ("2026-Q1,2026-B1,2026-01"). Targets (issue): at 1,000,000 families on
# PostgreSQL ranking plus the three determinations under 2 minutes with
# peak RSS < 1 GB, and the time per family at 1 M within 1.3× of that at
# 250 k; on SQLite the same at 250 k.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SIZES=${*:-250000 1000000}
REPEAT=${REPEAT:-2}
TARGET_DB=${TARGET_DB:-jaring_targeting}
SQLITE_MAX=${SQLITE_MAX:-250000}
PROGRAMS=PKH,BPNT,PBI_JK
PERIODS=${PERIODS:-2026-Q1,2026-B1,2026-01}
for n in $SIZES; do [[ $n =~ ^[0-9]+$ ]] || die "usage: $0 [FAMILIES ...]"; done
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

cleanup() {
	[ "$KEEP" = 0 ] || return 0
	local n
	for n in $SIZES; do
		pg_admin -c "DROP DATABASE IF EXISTS ${TARGET_DB}_$n WITH (FORCE)" 2>/dev/null || true
		rm -f "$OUT/sqlite/targeting-$n.db" "$OUT/sqlite/targeting-$n.db-wal" "$OUT/sqlite/targeting-$n.db-shm"
	done
}
trap cleanup EXIT

build
echo "Targeting benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD)"
machine

# register ENGINE N: prints the --db value of a seeded register of N families.
register() {
	local e=$1 n=$2 db have
	if [ "$e" = postgres ]; then
		db="postgres://$PGUSER@$PGHOST:$PGPORT/${TARGET_DB}_$n"
		have=$(psql -X -q -At -d "${TARGET_DB}_$n" -c "SELECT COUNT(*) FROM family WHERE valid_to IS NULL" 2>/dev/null || echo 0)
		if [ "$have" != "$n" ]; then
			say "bench: seeding $n families into PostgreSQL database ${TARGET_DB}_$n"
			pg_admin -c "DROP DATABASE IF EXISTS ${TARGET_DB}_$n WITH (FORCE)" -c "CREATE DATABASE ${TARGET_DB}_$n"
		fi
	else
		db=$OUT/sqlite/targeting-$n.db
		mkdir -p "$OUT/sqlite"
		have=$(sqlite3 "$db" "SELECT COUNT(*) FROM family WHERE valid_to IS NULL" 2>/dev/null || echo 0)
		if [ "$have" != "$n" ]; then
			say "bench: seeding $n families into $db"
			rm -f "$db" "$db-wal" "$db-shm"
		fi
	fi
	quietly "targeting-migrate-$e-$n" "$JARING" migrate --db "$db"
	if [ "$have" != "$n" ]; then
		quietly "targeting-regions-$e-$n" "$JARING" regions import --db "$db" "$REGIONS"
		timed "targeting-seed-$e-$n" "$JARING" seed --db "$db" --families "$n" --seed "$SEED" --quiet
		say "bench: seeded in ${SECS} s"
		if [ "$e" = postgres ]; then psql -X -q -d "${TARGET_DB}_$n" -c "VACUUM ANALYZE" >/dev/null; fi
	fi
	quietly "targeting-programs-$e-$n" "$JARING" programs install --db "$db"
	echo "$db"
}

# reset ENGINE N DB: delete earlier rankings and determinations.
reset() {
	local e=$1 n=$2 db=$3
	local sql="DELETE FROM determination_item; DELETE FROM determination; DELETE FROM welfare_scores; DELETE FROM welfare_runs;"
	if [ "$e" = postgres ]; then
		psql -X -q -d "${TARGET_DB}_$n" -c "TRUNCATE determination_item, determination, welfare_scores, welfare_runs" -c "CHECKPOINT" >/dev/null
	else
		sqlite3 "$db" "$sql PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	fi
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }

declare -A PER_FAMILY
rows=()
runs=()
for e in $ENGINES; do
	for n in $SIZES; do
		if [ "$e" = sqlite ] && [ "$n" -gt "$SQLITE_MAX" ]; then continue; fi
		db=$(register "$e" "$n")
		[ -n "$db" ] || die "no $e register of $n families"
		totals=()
		ranks=()
		dets=()
		rss=0
		for i in $(seq "$REPEAT"); do
			reset "$e" "$n" "$db"
			load=$(cut -d' ' -f1-3 /proc/loadavg)
			timed "targeting-rank-$e-$n-$i" "$JARING" rank --db "$db" --quiet
			rank_s=$SECS rank_mb=$RSS_MB
			timed "targeting-determine-$e-$n-$i" "$JARING" determine --db "$db" --quiet --program "$PROGRAMS" --period "$PERIODS"
			det_s=$SECS det_mb=$RSS_MB
			log=$OUT/logs/targeting-determine-$e-$n-$i.log
			got=$(grep -c "^  $n keluarga:" "$log" || true)
			[ "$got" = 2 ] || die "determine did not decide $n families for PKH and BPNT (see $log)"
			total=$(awk -v a="$rank_s" -v b="$det_s" 'BEGIN { printf "%.2f", a + b }')
			totals+=("$total")
			ranks+=("$rank_s")
			dets+=("$det_s")
			[ "$rank_mb" -gt "$rss" ] && rss=$rank_mb
			[ "$det_mb" -gt "$rss" ] && rss=$det_mb
			runs+=("$(printf '%-8s %8d  run %d  rank %6.2f s (%4d MB)  determine %6.2f s (%4d MB)  total %6.2f s  load before %s, after %s' \
				"$e" "$n" "$i" "$rank_s" "$rank_mb" "$det_s" "$det_mb" "$total" "$load" "$(cut -d' ' -f1-3 /proc/loadavg)")")
			say "${runs[-1]}"
		done
		tb=$(best "${totals[@]}")
		tm=$(median "${totals[@]}")
		us=$(awk -v t="$tb" -v n="$n" 'BEGIN { printf "%.1f", t * 1e6 / n }')
		PER_FAMILY[$e-$n]=$us
		items=$(case $e in
			postgres) psql -X -q -At -d "${TARGET_DB}_$n" -c "SELECT COUNT(*) FROM determination_item" ;;
			sqlite) sqlite3 "$db" "SELECT COUNT(*) FROM determination_item" ;;
			esac)
		rows+=("$(printf '| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %s | %s |' "$e" "$n" "$items" \
			"$(best "${ranks[@]}")" "$(best "${dets[@]}")" "$tb" "$tm" "$us" "$rss")")
	done
done

echo
printf '%s\n' "${runs[@]}"
echo
echo "| engine | families | items written | rank best s | determine best s | total best s | total median s | µs/family (best) | peak RSS MB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
for e in $ENGINES; do
	set -- $SIZES
	[ $# -ge 2 ] || break
	lo=${PER_FAMILY[$e-$1]:-} hi=${PER_FAMILY[$e-${!#}]:-}
	if [ -n "$lo" ] && [ -n "$hi" ]; then
		awk -v e="$e" -v a="$1" -v b="${!#}" -v lo="$lo" -v hi="$hi" \
			'BEGIN { printf "%s: time per family at %d / at %d = %.2f (target <= 1.3)\n", e, b, a, hi / lo }'
	fi
done
