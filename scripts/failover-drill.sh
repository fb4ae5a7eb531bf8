#!/usr/bin/env bash
# The HA drill: a market on a PostgreSQL primary + standby and a Redis master + replica under three
# sentinels (scripts/ha-postgres.sh, scripts/ha-redis.sh, all on loopback), survives the Redis
# master's death and then the primary's, under `simulate --clients 32 --duration 45`:
#
#   1. migrate through DATABASE_URL=<primary,standby>?target_session_attrs=read-write and
#      REDIS_URL=redis-sentinel://<three sentinels>#market;
#   2. once the traffic commits, SIGKILL the Redis master (Sentinel promotes the replica);
#   3. 15 s later stop the PostgreSQL primary and promote the standby;
#   4. check: simulate exits 0, its commits grew over its last 10 s, `check` on the new primary is clean.
#
# Prints simulate's progress, the seconds each fault left without new commits, and one line
#   RESULT name=failover-drill simulate_exit=0 commits_last_10s=N redis_stall_s=… postgres_stall_s=… check=clean
# Exits 0 when all three hold. Stops every server it started on every exit path.
# MARKET_CONSOLE names the binary to drive (default: a debug build, built here).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
say() { echo "failover-drill: $*"; }

bash scripts/install-deps.sh >/dev/null
if [[ -z "${MARKET_CONSOLE:-}" ]]; then
    swift build --product market-console >/dev/null
    MARKET_CONSOLE="$(swift build --show-bin-path)/market-console"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/market-console-drill.XXXXXX")"
export HA_POSTGRES_ENV="$work/ha-postgres.env" HA_REDIS_ENV="$work/ha-redis.env"
cleanup() {
    [[ -n "${simulate_pid:-}" ]] && kill "$simulate_pid" 2>/dev/null || true
    bash scripts/ha-redis.sh stop >/dev/null 2>&1 || true
    bash scripts/ha-postgres.sh stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting PostgreSQL primary + standby, Redis master + replica + 3 sentinels…"
bash scripts/ha-postgres.sh start >/dev/null
bash scripts/ha-redis.sh start >/dev/null
# shellcheck disable=SC1090
source "$HA_POSTGRES_ENV"
# shellcheck disable=SC1090
source "$HA_REDIS_ENV"
export DATABASE_URL="$HA_FAILOVER_URL" REDIS_URL="$REDIS_SENTINEL_URL"
say "DATABASE_URL=$DATABASE_URL"
say "REDIS_URL=$REDIS_URL"

"$MARKET_CONSOLE" migrate | tail -n 1
log="$work/simulate.log"
"$MARKET_CONSOLE" simulate --clients 32 --duration 45 >"$log" 2>&1 &
simulate_pid=$!

# simulate prints a progress line a second: "S s  N ops/s … C commits …".
progress() { awk '$2 == "s" && $4 == "ops" && $8 == "commits" { print $1, $7 }' "$log"; }
committed_lines() { progress | awk '$2 > 0' | wc -l; }
wait_for() {  # wait_for SECONDS DESCRIPTION CONDITION…
    local tenths=$(($1 * 10)) what="$2"; shift 2
    until "$@"; do
        ((tenths-- > 0)) || { say "gave up waiting for $what"; cat "$log"; exit 1; }
        sleep 0.1
    done
}
traffic_started() { (($(committed_lines) >= 3)); }
wait_for 120 "the traffic to commit" traffic_started

second_now() { progress | tail -n 1 | awk '{ print $1 }'; }
redis_fault_at="$(second_now)"
say "second $redis_fault_at: SIGKILL of the Redis master (pid $HA_REDIS_MASTER_PID)"
kill -KILL "$HA_REDIS_MASTER_PID"
fifteen_seconds_later() { (($(second_now) >= redis_fault_at + 15)); }
wait_for 60 "15 s of traffic after the Redis fault" fifteen_seconds_later
postgres_fault_at="$(second_now)"
say "second $postgres_fault_at: stopping the PostgreSQL primary and promoting the standby"
bash scripts/ha-postgres.sh stop-primary >/dev/null
bash scripts/ha-postgres.sh promote >/dev/null

simulate_exit=0
wait "$simulate_pid" || simulate_exit=$?
simulate_pid=""
progress | awk '{ printf "  %3d s  %d commits\n", $1, $2 }'
tail -n 3 "$log"

# Seconds from a fault to the first progress line whose commits grew past the fault's.
stall_after() {
    progress | awk -v at="$1" '
        $1 == at { base = $2 }
        $1 > at && base != "" && $2 > base { print $1 - at; found = 1; exit }
        END { if (!found) print "never" }'
}
redis_stall="$(stall_after "$redis_fault_at")"
postgres_stall="$(stall_after "$postgres_fault_at")"
last_ten="$(progress | awk '{ s[NR] = $1; c[NR] = $2 } END {
    for (i = NR; i > 0; i--) if (s[i] <= s[NR] - 10) { print c[NR] - c[i]; exit }
    print 0 }')"

check_output="$("$MARKET_CONSOLE" check 2>&1)" && check_status=0 || check_status=$?
echo "$check_output" | tail -n 3
check_result=clean
((check_status == 0)) || check_result=violations
say "Redis master killed at ${redis_fault_at} s: commits grew again ${redis_stall} s later"
say "PostgreSQL primary stopped at ${postgres_fault_at} s: commits grew again ${postgres_stall} s later"
echo "RESULT name=failover-drill simulate_exit=$simulate_exit commits_last_10s=$last_ten redis_stall_s=$redis_stall postgres_stall_s=$postgres_stall check=$check_result"
((simulate_exit == 0 && last_ten > 0 && check_status == 0))
