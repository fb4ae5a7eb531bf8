#!/usr/bin/env bash
# Runs one of the console's benchmarks (`locks`, `uow`, `bid`, `hot`, `dashboard`, `soak`, `exporter`) in a release build, passing extra arguments
# through: scripts/bench.sh locks --clients 16 --seconds 10. Servers come from DATABASE_URL/REDIS_URL,
# or the console's embedded default. Each benchmark ends with one `RESULT name=… key=value …` line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

if [[ $# -lt 1 ]]; then
    echo "usage: scripts/bench.sh locks|uow|bid|hot|dashboard|soak|exporter [options]" >&2
    exit 2
fi
bash scripts/install-deps.sh >/dev/null
swift build -c release --product market-console
exec .build/release/market-console bench "$@"
