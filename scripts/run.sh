#!/usr/bin/env bash
# The project's run command: installs the dependencies, builds the console in release mode and runs it,
# passing any arguments through. With no DATABASE_URL/REDIS_URL configured the console starts its own
# PostgreSQL and Redis servers in its state directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

bash scripts/install-deps.sh
swift build -c release --product market-console
exec .build/release/market-console "$@"
