#!/usr/bin/env bash
# Ranking benchmark: `jaring rank` (welfare.Rank with the default model) on
# seeded registers, against the database reading the same households alone
# in the same run: `psql \copy (QUERY) TO /dev/null` (PostgreSQL) or the
# sqlite3 shell (SQLite) running, one after the other, the two queries
# `jaring rank --print-query` prints (the families; the aggregates of their
# active members). jaring does that read, plus the merge, scoring, the
# spill files, and writing every score with its contributions and decile.
#
#   scripts/bench/rank.sh [FAMILIES ...]   (default: 250000 1000000)
#
# PostgreSQL ranks every size; SQLite only sizes up to SQLITE_MAX (250000).
# Registers are databases ${RANK_DB}_N (PostgreSQL) and
# bench-out/sqlite/rank-N.db, seeded once with `jaring seed --db … --families
# N --seed SEED` and kept for later runs unless KEEP=0. Before each ranking
# the runs of earlier rankings are truncated, so every repetition writes
# into the same empty table. Environment: REPEAT (3; best and median are
# reported), ENGINES, SEED, KEEP, PGHOST/PGPORT/PGUSER, RANK_DB (jaring_rank),
# SQLITE_MAX, REGIONS, BENCH_OUT. Targets (issue): at 1,000,000 families on
# PostgreSQL the ranking well under a minute (the whole targeting run, with
# three program determinations, under 2 minutes) with peak RSS < 1 GB, and
# the time per family at 1 M within 1.3× of that at 250 k; on SQLite the
# same at 250 k.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SIZES=${*:-250000 1000000}
REPEAT=${REPEAT:-3}
RANK_DB=${RANK_DB:-jaring_rank}
SQLITE_MAX=${SQLITE_MAX:-250000}
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
		pg_admin -c "DROP DATABASE IF EXISTS ${RANK_DB}_$n WITH (FORCE)" 2>/dev/null || true
		rm -f "$OUT/sqlite/rank-$n.db" "$OUT/sqlite/rank-$n.db-wal" "$OUT/sqlite/rank-$n.db-shm"
	done
}
trap cleanup EXIT

build
echo "Ranking benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD)"
machine

# register ENGINE N: prints the --db value of a seeded register of N families.
register() {
	local e=$1 n=$2 db have
	if [ "$e" = postgres ]; then
		db="postgres://$PGUSER@$PGHOST:$PGPORT/${RANK_DB}_$n"
		have=$(psql -X -q -At -d "${RANK_DB}_$n" -c "SELECT COUNT(*) FROM family WHERE valid_to IS NULL" 2>/dev/null || echo 0)
		if [ "$have" != "$n" ]; then
			say "bench: seeding $n families into PostgreSQL database ${RANK_DB}_$n"
			pg_admin -c "DROP DATABASE IF EXISTS ${RANK_DB}_$n WITH (FORCE)" -c "CREATE DATABASE ${RANK_DB}_$n"
		fi
	else
		db=$OUT/sqlite/rank-$n.db
		mkdir -p "$OUT/sqlite"
		have=$(sqlite3 "$db" "SELECT COUNT(*) FROM family WHERE valid_to IS NULL" 2>/dev/null || echo 0)
		if [ "$have" != "$n" ]; then
			say "bench: seeding $n families into $db"
			rm -f "$db" "$db-wal" "$db-shm"
		fi
	fi
	quietly "migrate-$e-$n" "$JARING" migrate --db "$db"
	if [ "$have" != "$n" ]; then
		quietly "regions-$e-$n" "$JARING" regions import --db "$db" "$REGIONS"
		timed "seed-$e-$n" "$JARING" seed --db "$db" --families "$n" --seed "$SEED" --quiet
		say "bench: seeded in ${SECS} s"
		if [ "$e" = postgres ]; then psql -X -q -d "${RANK_DB}_$n" -c "VACUUM ANALYZE" >/dev/null; fi
	fi
	echo "$db"
}

# median of the arguments
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
		mapfile -t queries < <("$JARING" rank --db "$db" --print-query)
		qf=${queries[0]%;} qa=${queries[1]%;}
		base=()
		times=()
		reads=()
		writes=()
		rss=0
		for i in $(seq "$REPEAT"); do
			if [ "$e" = postgres ]; then
				psql -X -q -d "${RANK_DB}_$n" -c "TRUNCATE welfare_scores, welfare_runs" -c "CHECKPOINT" >/dev/null
				timed "base-$e-$n-$i" psql -X -q -d "${RANK_DB}_$n" -c "\\copy ($qf) TO '/dev/null'" -c "\\copy ($qa) TO '/dev/null'"
			else
				sqlite3 "$db" "DELETE FROM welfare_scores; DELETE FROM welfare_runs; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
				timed "base-$e-$n-$i" sqlite3 -cmd ".output /dev/null" "$db" "$qf; $qa"
			fi
			base+=("$SECS")
			secs_base=$SECS
			timed "rank-$e-$n-$i" "$JARING" rank --db "$db" --quiet
			times+=("$SECS")
			[ "$RSS_MB" -gt "$rss" ] && rss=$RSS_MB
			log=$OUT/logs/rank-$e-$n-$i.log
			got=$(sed -n 's/^ *\([0-9]*\) keluarga diperingkat.*/\1/p' "$log")
			[ "$got" = "$n" ] || die "ranked ${got:-?} families of $n (see $log)"
			read -r rd wr < <(sed -n 's/.*hitung \([0-9.]*\)\(m\{0,1\}\)s, tulis \([0-9.]*\)\(m\{0,1\}\)s.*/\1 \2s \3 \4s/p' "$log" |
				awk '{ r = $1; if ($2 == "ms") r /= 1000; w = $3; if ($4 == "ms") w /= 1000; print r, w }')
			reads+=("$rd")
			writes+=("$wr")
			runs+=("$(printf '%-8s %8d  run %d  baseline %6.2f s  jaring %6.2f s (read %5.2f s, write %5.2f s, %4d MB)  load %s' \
				"$e" "$n" "$i" "$secs_base" "$SECS" "$rd" "$wr" "$RSS_MB" "$(cut -d' ' -f1 /proc/loadavg)")")
		done
		tb=$(best "${times[@]}")
		tm=$(median "${times[@]}")
		bb=$(best "${base[@]}")
		us=$(awk -v t="$tb" -v n="$n" 'BEGIN { printf "%.2f", t * 1e6 / n }')
		PER_FAMILY[$e-$n]=$us
		rows+=("$(printf '| %s | %s | %.2f | %.2f | %s | %s | %s | %s | %.2f | %s |' "$e" "$n" "$tb" "$tm" \
			"$(awk -v t="$tb" -v n="$n" 'BEGIN { printf "%.0f", n / t }')" "$us" \
			"$(best "${reads[@]}")" "$(best "${writes[@]}")" "$bb" "$rss")")
	done
done

echo
echo "| engine | families | best s | median s | families/s | µs/family | read s | write s | baseline read s | peak RSS MB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
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
echo
echo "Runs:"
printf '%s\n' "${runs[@]}"
