#!/usr/bin/env bash
# The whole probe set on one model, timed: every probe the model supports, each on its default
# default data from ../shared/data, one after the other as `adapteval probe` runs them.
# SCORER is a toxicity classifier (`adapteval toxicity train --output DIR`); its encoder
# serves SEAT, its classifier the identity-term, counterfactual and ToxiGen probes. MLM is a
# checkpoint with a masked-LM head for CrowS-Pairs and StereoSet (all-MiniLM-L6-v2 has none,
# so an empty MLM skips them). Prints seconds per probe and the total.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scorer="${SCORER:?set SCORER to a toxicity scorer folder (adapteval toxicity train --output DIR)}"
mlm="${MLM:-}"
threads="${THREADS:-2}"
bin="$root/.build/release/adapteval"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

total=0
run() {
    local name="$1" model="$2"
    shift 2
    local started ended
    started=$(date +%s.%N)
    "$bin" probe "$name" --model "$model" --threads "$threads" --json "$@" > "$out/$name.jsonl"
    ended=$(date +%s.%N)
    local seconds
    seconds=$(python3 -c "print(f'{$ended - $started:.1f}')")
    total=$(python3 -c "print(f'{$total + $seconds:.1f}')")
    printf '  %-15s %7s s  %6d records\n' "$name" "$seconds" "$(wc -l < "$out/$name.jsonl")"
}

echo "probe set on $(basename "$scorer"), $threads threads"
run seat "$scorer"
run identity-terms "$scorer"
run counterfactual "$scorer"
run toxigen "$scorer"
if [ -n "$mlm" ]; then
    run crows-pairs "$mlm"
    run stereoset "$mlm"
fi
echo "  total           $total s"
