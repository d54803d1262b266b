#!/usr/bin/env bash
# Scoring speed of a toxicity scorer: the first 10,000 Davidson tweets of ../shared/data,
# their WordPiece lengths, and the wall time of `adapteval toxicity score` on them.
#   bash bench/toxicity-score.sh scorers/toxicity
set -euo pipefail
cd "$(dirname "$0")/.."
SCORER=${1:?give the scorer folder (adapteval toxicity train --output DIR)}
SHARED=${ADAPTEVAL_SHARED:-../shared}
BIN=.build/release/adapteval
[ -x "$BIN" ] || swift build -c release --product adapteval
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$SHARED/data/05_toxicity_labelled/davidson2017/labeled_data.csv" "$WORK/tweets.jsonl" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))[:10000]
with open(sys.argv[2], "w") as out:
    for row in rows:
        out.write(json.dumps({"text": row["tweet"]}) + "\n")
PY
"$BIN" tokenize --model models/all-MiniLM-L6-v2 --input "$WORK/tweets.jsonl" --max-length 64 > "$WORK/tokens.jsonl"
python3 - "$WORK/tokens.jsonl" <<'PY'
import json, sys
lengths = [len(json.loads(line)["input_ids"]) for line in open(sys.argv[1])]
print(f"texts {len(lengths)}, mean tokens {sum(lengths) / len(lengths):.1f}, cut at 64: {sum(1 for n in lengths if n == 64)}")
PY
start=$(date +%s.%N)
"$BIN" toxicity score --scorer "$SCORER" --input "$WORK/tweets.jsonl" > "$WORK/scores.jsonl"
end=$(date +%s.%N)
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'scored {sys.argv[3]} texts in {s:.1f} s, {float(sys.argv[3])/s:.0f} a second')" "$start" "$end" "$(wc -l < "$WORK/scores.jsonl")"
