#!/usr/bin/env bash
# Times `adapteval run` of a suite into a fresh database, then again unchanged: the second run
# must reuse every cell. Usage: bash bench/run-cache.sh [SUITE] (default suites/quickstart.yaml).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
suite="${1:-$root/suites/quickstart.yaml}"
bin="$root/.build/release/adapteval"
[ -x "$bin" ] || (cd "$root" && swift build -c release --product adapteval >/dev/null)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/results.sqlite"

seconds() { python3 -c 'import time; print(time.time())'; }

start=$(seconds)
"$bin" run "$suite" --db "$db" --json > "$work/first.json" 2> "$work/first.log"
middle=$(seconds)
"$bin" run "$suite" --db "$db" --json > "$work/second.json" 2> "$work/second.log"
end=$(seconds)

python3 - "$work/first.json" "$work/second.json" "$start" "$middle" "$end" <<'PY'
import json, sys
first, second = (json.load(open(path)) for path in sys.argv[1:3])
start, middle, end = map(float, sys.argv[3:6])
cold, warm = middle - start, end - middle
print(f"suite {first['suite']}: {first['computed'] + first['reused']} cells")
print(f"  first run   {cold:8.2f} s   computed {first['computed']}, reused {first['reused']}")
print(f"  second run  {warm:8.2f} s   computed {second['computed']}, reused {second['reused']}")
print(f"  ratio (first / second): {cold / warm:.0f}x")
if second["computed"] != 0:
    sys.exit("the second run recomputed cells")
PY
