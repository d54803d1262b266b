#!/usr/bin/env bash
# The remote client's throughput against a loopback OpenAI-compatible server (the tests' fake
# model, which answers in microseconds) at concurrency 1, 8 and 32, and its overheads per
# request: the client's own work, a cache miss that stores the answer, a cache hit.
# Usage: bash bench/remote.sh   (builds the tests in release first when needed)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    swift build -c release -Xswiftc -enable-testing --build-tests >/dev/null
fi
ADAPTEVAL_BENCH=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter RemoteClientBenchmark 2>&1 \
    | grep 'bench remote:' | sed 's/^.*bench remote: //'
