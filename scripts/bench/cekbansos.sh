#!/usr/bin/env bash
# Cek Bansos benchmark: the public status check (POST /api/v1/publik/cek by
# NIK) under load on PostgreSQL, against the same indexed lookup run
# straight on PostgreSQL with pgbench in the same run, and the load
# shedding past capacity. See cmd/jaring-bench (http) and docs/benchmarks.md.
#
#   scripts/bench/cekbansos.sh
#
# Steps (STEPS, default "setup pgbench http rate saturate"):
#   setup     database $CEK_DB with the regions, FAMILIES synthetic families
#             (jaring seed), a ranking, and final determinations of PKH,
#             BPNT and PBI-JK (determine, then approve by a second person),
#             plus an operator account for the saturation probe. Skipped
#             when the database already holds FAMILIES families and the
#             final determinations (SETUP=1 forces it, SETUP=0 never runs it).
#   pgbench   the endpoint's lookup SQL (current person by NIK -> family ->
#             latest final determination items) as a pgbench script over a
#             random NIK of the sample, CLIENTS clients, DURATION seconds.
#   http      `jaring serve --public-loadtest` on loopback and
#             `jaring-bench http` against POST /api/v1/publik/cek, closed
#             loop with CLIENTS connections for DURATION seconds.
#   wrk       the same closed loop with wrk (Debian's wrk, installed with
#             apt-get when missing), a load generator in C that leaves more
#             of the two processors to the server and PostgreSQL.
#   rate      the same at a fixed RATE requests/s (open loop): p99 at 3,000/s.
#   saturate  SAT_CLIENTS connections (far above capacity): the share of 503
#             answers and their latency, and the latency of a signed-in
#             operator's back-office page (PROBE, default /cari) measured
#             meanwhile.
#
# Environment: FAMILIES (1000000), CEK_DB (jaring_cek), SETUP (auto), STEPS,
# CLIENTS (32), DURATION (20), RATE (3000), SAT_CLIENTS (2000), ADDR
# (127.0.0.1:18080), PROBE (/cari), SAMPLE (NIKs in the sample file, 100000), SERVE_FLAGS
# (extra flags for jaring serve), SEED, KEEP (1; 0 drops the database at
# exit), PGHOST/PGPORT/PGUSER, REGIONS, BENCH_OUT. The NIK sample is written
# to bench-out/cekbansos/nik.txt (mode 600) and never printed.
# pgbench comes with Debian's postgresql-client package (installed with
# apt-get when missing).
# Targets (issue 5): >= 3,000 checks/s with p99 < 100 ms, and >= 0.5x the
# pgbench throughput of the same lookup.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FAMILIES=${FAMILIES:-1000000}
CEK_DB=${CEK_DB:-jaring_cek}
SETUP=${SETUP:-auto}
STEPS=${STEPS:-setup pgbench http wrk rate saturate}
CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-20}
RATE=${RATE:-3000}
SAT_CLIENTS=${SAT_CLIENTS:-2000}
ADDR=${ADDR:-127.0.0.1:18080}
SAMPLE=${SAMPLE:-100000}
SERVE_FLAGS=${SERVE_FLAGS:-}
PROBE=${PROBE:-/cari}
PROGRAMS=PKH,BPNT,PBI_JK
PERIODS=2026-Q1,2026-B1,2026-01
OPERATOR=bench-operator
has_step() { [[ " $STEPS " == *" $1 "* ]]; }
for v in FAMILIES CLIENTS DURATION RATE SAT_CLIENTS SAMPLE; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a whole number >= 1"
done
DB_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$CEK_DB?sslmode=disable"
WORK=$OUT/cekbansos
mkdir -p "$WORK"
chmod 700 "$WORK"
NIKS=$WORK/nik.txt
PW=$WORK/operator.pw

need psql postgresql-client
need pgbench postgresql-client
if has_step wrk; then need wrk wrk; fi
need curl curl
check_regions
cdb() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$CEK_DB" "$@"; }

SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
	if [ "$KEEP" = 0 ]; then pg_admin -c "DROP DATABASE IF EXISTS $CEK_DB WITH (FORCE)" 2>/dev/null || true; fi
}
trap cleanup EXIT


# ready: the database holds FAMILIES current families and the final determinations.
ready() {
	local fam fin
	fam=$(cdb -c "SELECT COUNT(*) FROM family WHERE valid_to IS NULL" 2>/dev/null || echo 0)
	fin=$(cdb -c "SELECT COUNT(*) FROM determination WHERE status = 'final' AND kind = 'penetapan'" 2>/dev/null || echo 0)
	[ "$fam" = "$FAMILIES" ] && [ "$fin" -ge 3 ]
}

setup() {
	say "bench: setting up $CEK_DB with $FAMILIES families (seed, rank, determine: several minutes at 1 M)"
	pg_admin -c "DROP DATABASE IF EXISTS $CEK_DB WITH (FORCE)" -c "CREATE DATABASE $CEK_DB"
	quietly cek-migrate "$JARING" migrate --db "$DB_URL"
	quietly cek-regions "$JARING" regions import --db "$DB_URL" "$REGIONS"
	timed cek-seed "$JARING" seed --db "$DB_URL" --families "$FAMILIES" --seed "$SEED" --quiet
	say "bench: seeded in $SECS s"
	cdb -c "VACUUM ANALYZE" >/dev/null
	quietly cek-programs "$JARING" programs install --db "$DB_URL"
	timed cek-rank "$JARING" rank --db "$DB_URL" --quiet
	say "bench: ranked in $SECS s"
	timed cek-determine "$JARING" determine --db "$DB_URL" --quiet --program "$PROGRAMS" --period "$PERIODS" --actor cli:bench-runner
	say "bench: determined in $SECS s"
	local p i=1
	for p in ${PROGRAMS//,/ }; do
		quietly "cek-approve-$p" "$JARING" determination approve --db "$DB_URL" --program "$p" \
			--period "$(cut -d, -f"$i" <<<"$PERIODS")" --actor cli:bench-approver
		i=$((i + 1))
	done
	cdb -c "VACUUM ANALYZE" >/dev/null
}

# operator: a district account (no second factor) over the district with
# the most families; its password in $PW.
operator() {
	local district
	[ -s "$PW" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$PW")
	if [ "$(cdb -c "SELECT COUNT(*) FROM users WHERE username = '$OPERATOR'")" = 0 ]; then
		district=$(cdb -c "SELECT SUBSTR(village_code, 1, 5) FROM family WHERE valid_to IS NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")
		quietly cek-operator "$JARING" users add --db "$DB_URL" --username "$OPERATOR" --role dinsos --region "$district" --password-stdin <"$PW"
	fi
}

# sample: SAMPLE NIKs of current people, spread over the register, one per line.
sample() {
	(umask 077 && cdb -c "SELECT nik FROM person TABLESAMPLE SYSTEM (5) REPEATABLE ($SEED) WHERE valid_to IS NULL LIMIT $SAMPLE" >"$NIKS")
	[ -s "$NIKS" ] || die "no NIK sample: is $CEK_DB loaded?"
}

build
echo "Cek Bansos benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD)"
machine
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

case $SETUP in
1) setup ;;
0) ready || say "bench: warning: $CEK_DB does not hold $FAMILIES families with final determinations" ;;
*) if has_step setup && ! ready; then setup; fi ;;
esac
quietly cek-migrate "$JARING" migrate --db "$DB_URL"
operator
sample
echo "register: $(cdb -c "SELECT COUNT(*) FROM family WHERE valid_to IS NULL") families, $(cdb -c "SELECT COUNT(*) FROM person WHERE valid_to IS NULL") people, PostgreSQL $(cdb -c "SHOW server_version"), $(wc -l <"$NIKS") NIKs in the sample"

# The IDs every check shares, as the service caches them: the latest
# finished welfare run and the latest final determination of each program.
RUN_ID=$(cdb -c "SELECT id FROM welfare_runs WHERE state = 'selesai' ORDER BY finished_at DESC, id DESC LIMIT 1")
DET_IDS=$(cdb -c "SELECT string_agg(id::text, ',') FROM (SELECT DISTINCT ON (program) id FROM determination
	WHERE kind = 'penetapan' AND status = 'final' ORDER BY program, period_start DESC, approved_at DESC) d")
[ -n "$RUN_ID" ] && [ -n "$DET_IDS" ] || die "no finished ranking or final determination in $CEK_DB: run with SETUP=1"

declare -A R # results for the summary

if has_step pgbench; then
	# The sample goes into the database (schema bench, apart from Jaring's
	# tables) so that pgbench can pick a random NIK in the lookup statement
	# itself: one primary-key read of a small table in the same round trip.
	PGOPTIONS="-c client_min_messages=warning" cdb -c "CREATE SCHEMA IF NOT EXISTS bench" -c "DROP TABLE IF EXISTS bench.nik" \
		-c "CREATE TABLE bench.nik (i INTEGER PRIMARY KEY, nik TEXT NOT NULL)"
	awk '{ print NR "," $1 }' "$NIKS" | cdb -c "\\copy bench.nik FROM STDIN WITH (FORMAT csv)"
	cdb -c "ANALYZE bench.nik" >/dev/null
	n=$(wc -l <"$NIKS")
	# The statement of cekbansos.Service.lookup by NIK: the person, the
	# family's decile and its items of the final determinations.
	cat >"$WORK/cek.pgbench" <<SQL
\\set i random(1, $n)
WITH p AS (SELECT id, family_id, name, village_code FROM person WHERE nik = (SELECT nik FROM bench.nik WHERE i = :i) AND valid_to IS NULL)
SELECT 1, p.id, p.family_id, p.name, p.village_code, 0, '', '', COALESCE((SELECT w.decile FROM welfare_scores w WHERE w.run_id = $RUN_ID AND w.family_id = p.family_id), 0) FROM p
UNION ALL SELECT 2, i.person_id, i.family_id, '', '', i.determination_id, i.status, i.reason_codes, 0 FROM (SELECT DISTINCT family_id FROM p) f JOIN determination_item i ON i.family_id = f.family_id WHERE i.determination_id IN ($DET_IDS);
SQL
	# The server runs it on its hot pool (store.DB.Lookup), whose
	# connections plan a statement once (force_generic_plan); pgbench's do the same.
	say "bench: pgbench, $CLIENTS clients, ${DURATION} s"
	PGOPTIONS="-c plan_cache_mode=force_generic_plan" pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -P 5 \
		-f "$WORK/cek.pgbench" -d "$CEK_DB" >"$OUT/logs/cek-pgbench.log" 2>&1 || { tail -n 20 "$OUT/logs/cek-pgbench.log" >&2; die "pgbench failed"; }
	grep -E '^(number of (clients|threads|transactions actually processed|failed)|latency average|tps)' "$OUT/logs/cek-pgbench.log"
	R[pg_tps]=$(awk '/^tps = / { printf "%.0f", $3 }' "$OUT/logs/cek-pgbench.log")
	R[pg_lat]=$(awk '/^latency average = / { print $4 }' "$OUT/logs/cek-pgbench.log")
fi

start_server() {
	[ -z "$SERVER_PID" ] || return 0
	say "bench: jaring serve --public-loadtest on $ADDR"
	# shellcheck disable=SC2086
	"$JARING" serve --db "$DB_URL" --addr "$ADDR" --public-loadtest $SERVE_FLAGS >"$OUT/logs/cek-serve.log" 2>"$OUT/logs/cek-serve.err" &
	SERVER_PID=$!
	for _ in $(seq 100); do
		curl -fsS "http://$ADDR/readyz" >/dev/null 2>&1 && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.2
	done
	tail -n 20 "$OUT/logs/cek-serve.err" >&2
	die "jaring serve did not become ready"
}

# loadgen NAME ARGS...: jaring-bench http against the check; its output in
# bench-out/logs/cek-NAME.log and on stdout; the summary line's fields in R[NAME.*].
loadgen() {
	local name=$1 line kv
	shift
	"$BIN/jaring-bench" http --url "http://$ADDR/api/v1/publik/cek" --nik-file "$NIKS" --label "$name" "$@" \
		>"$OUT/logs/cek-$name.log" 2>&1 || { cat "$OUT/logs/cek-$name.log" >&2; die "jaring-bench http $name failed"; }
	grep -v '^summary ' "$OUT/logs/cek-$name.log"
	echo
	line=$(grep '^summary ' "$OUT/logs/cek-$name.log")
	for kv in ${line#summary }; do R[$name.${kv%%=*}]=${kv#*=}; done
}

if has_step http; then
	start_server
	loadgen closed --concurrency "$CLIENTS" --duration "${DURATION}s"
fi
if has_step wrk; then
	start_server
	# Each of wrk's threads walks the NIK sample from a random place; the
	# NIKs travel only in the request bodies.
	cat >"$WORK/cek.lua" <<'LUA'
local niks = {}
for line in io.lines(os.getenv("NIK_FILE")) do niks[#niks + 1] = line end
local i = 0
function init(args) i = math.random(#niks) end
function request()
	i = i % #niks + 1
	return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, '{"nik":"' .. niks[i] .. '"}')
end
LUA
	say "bench: wrk, $CLIENTS connections, ${DURATION} s"
	NIK_FILE=$NIKS wrk -t2 -c"$CLIENTS" -d3s -s "$WORK/cek.lua" "http://$ADDR/api/v1/publik/cek" >/dev/null 2>&1 || true # warm-up
	NIK_FILE=$NIKS wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -s "$WORK/cek.lua" "http://$ADDR/api/v1/publik/cek" \
		>"$OUT/logs/cek-wrk.log" 2>&1 || { cat "$OUT/logs/cek-wrk.log" >&2; die "wrk failed"; }
	cat "$OUT/logs/cek-wrk.log"
	! grep -q 'Non-2xx' "$OUT/logs/cek-wrk.log" || say "bench: warning: wrk saw answers other than 200 (see above)"
	R[wrk_rps]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$OUT/logs/cek-wrk.log")
	R[wrk_p50]=$(awk '$1 == "50%" { print $2 }' "$OUT/logs/cek-wrk.log")
	R[wrk_p99]=$(awk '$1 == "99%" { print $2 }' "$OUT/logs/cek-wrk.log")
fi
if has_step rate; then
	start_server
	loadgen rate --rate "$RATE" --concurrency $((CLIENTS * 4)) --duration "${DURATION}s"
fi
if has_step saturate; then
	start_server
	# The crowd far above capacity, and a signed-in operator's page meanwhile
	# (PROBE: the search form; the dashboard counts a whole district's
	# families, which takes seconds at 1 M on its own).
	loadgen saturate --concurrency "$SAT_CLIENTS" --duration "${DURATION}s" \
		--probe-url "http://$ADDR$PROBE" --probe-user "$OPERATOR" --probe-password-file "$PW"
	curl -fsS "http://$ADDR/metrics" | grep -E '^jaring_http_(shed_total|inflight_limit)' || true
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| measure | value |"
echo "|---|---:|"
row() { [ -n "${2:-}" ] && printf '| %s | %s |\n' "$1" "$2" || true; }
row "pgbench, same lookup, $CLIENTS clients (tps)" "${R[pg_tps]:-}"
row "pgbench latency average (ms)" "${R[pg_lat]:-}"
row "jaring checks/s, closed loop, $CLIENTS connections (200 only)" "${R[closed.ok_rps]:-}"
row "  p50 / p99 of the 200 answers (ms)" "${R[closed.ok_p50_ms]:+${R[closed.ok_p50_ms]} / ${R[closed.ok_p99_ms]}}"
row "  503 busy answers" "${R[closed.busy]:-}"
if [ -n "${R[pg_tps]:-}" ] && [ -n "${R[closed.ok_rps]:-}" ]; then
	row "ratio jaring / pgbench (target >= 0.5)" "$(awk -v a="${R[closed.ok_rps]}" -v b="${R[pg_tps]}" 'BEGIN { printf "%.2f", a / b }')"
fi
row "wrk checks/s, closed loop, $CLIENTS connections" "${R[wrk_rps]:-}"
row "  wrk p50 / p99" "${R[wrk_p50]:+${R[wrk_p50]} / ${R[wrk_p99]}}"
if [ -n "${R[pg_tps]:-}" ] && [ -n "${R[wrk_rps]:-}" ]; then
	row "ratio wrk's rate / pgbench (target >= 0.5)" "$(awk -v a="${R[wrk_rps]}" -v b="${R[pg_tps]}" 'BEGIN { printf "%.2f", a / b }')"
fi
row "open loop at $RATE/s: answered 200 per s" "${R[rate.ok_rps]:-}"
row "  p50 / p99 / max (ms, from the schedule)" "${R[rate.p50_ms]:+${R[rate.p50_ms]} / ${R[rate.p99_ms]} / ${R[rate.max_ms]}}"
row "saturation, $SAT_CLIENTS connections: answered 200 per s" "${R[saturate.ok_rps]:-}"
row "  503 busy share" "${R[saturate.busy_share]:-}"
row "  503 p50 / p99 (ms)" "${R[saturate.busy_p50_ms]:+${R[saturate.busy_p50_ms]} / ${R[saturate.busy_p99_ms]}}"
row "  all answers p99 (ms), transport errors" "${R[saturate.p99_ms]:+${R[saturate.p99_ms]}, ${R[saturate.errors]}}"
row "  signed-in operator's page ($PROBE) meanwhile: p50 / p99 / max (ms)" "${R[saturate.probe_p50_ms]:+${R[saturate.probe_p50_ms]} / ${R[saturate.probe_p99_ms]} / ${R[saturate.probe_max_ms]}}"
