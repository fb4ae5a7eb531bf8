#!/usr/bin/env bash
# The project's test command: installs the dependencies, starts throwaway PostgreSQL and Redis servers
# (scripts/test-servers.sh, stopped again on exit, failure or Ctrl-C), exports DATABASE_URL and REDIS_URL,
# checks the Prometheus alert rules with promtool, builds the tests and runs `swift test`, passing any
# arguments through (e.g. scripts/test.sh --filter Locking).
# Exits with swift test's status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

echo "== installing dependencies"
bash scripts/install-deps.sh

echo "== checking the Prometheus alert rules"
# promtool comes with Debian's prometheus package (scripts/install-deps.sh).
promtool check rules deploy/prometheus/market-alerts.yml
promtool test rules deploy/prometheus/market-alerts.test.yml

echo "== starting test servers"
# One env file per run, so that servers someone started by hand with the default file are left alone.
export TEST_SERVERS_ENV="${TEST_SERVERS_ENV:-${TMPDIR:-/tmp}/market-console-test-servers.$$.env}"
stop_test_servers() {
    echo "== stopping test servers"
    bash scripts/test-servers.sh stop || true
}
trap stop_test_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
bash scripts/test-servers.sh start
# shellcheck disable=SC1090
source "$TEST_SERVERS_ENV"

echo "== building the console and the tests"
# The end-to-end tests drive the market-console binary itself, so build it as well as the test bundle.
swift build --product market-console
swift build --build-tests

echo "== checking that the man page is up to date"
bash scripts/generate-manual.sh --check

echo "== running tests"
status=0
swift test "$@" || status=$?
exit "$status"
