#!/usr/bin/env bash
# Side-by-side training-step benchmark: adapteval and PyTorch, full fine-tuning and LoRA r=8 on
# query and value, batch 16 × 128, in one run. Prints medians, ratios (PyTorch time / AdaptEval
# time; > 1 means AdaptEval is faster), peak memory and GFLOP/s. Then a masked-LM step (full
# fine-tuning, 15% of positions, a fresh head when the model has none) against the
# classification step above and against PyTorch's BertForMaskedLM.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${MODEL:-$root/models/all-MiniLM-L6-v2}"
batch="${BATCH:-16}"
seq="${SEQ:-128}"
threads="${THREADS:-2}"
repeats="${REPEATS:-5}"
bin="${ADAPTEVAL:-$root/.build/release/adapteval}"

if ! python3 -c "import torch, transformers" 2>/dev/null; then
    echo "PyTorch is missing: pip install 'torch==2.13.0+cpu' transformers" >&2
    exit 2
fi

for strategy in full lora; do
    ours="$("$bin" bench train --model "$model" --strategy "$strategy" --batch "$batch" --seq "$seq" --threads "$threads" --repeats "$repeats" --json)"
    if [ "$strategy" = full ]; then classification="$ours"; fi
    theirs="$(python3 "$root/bench/torch_train.py" --model "$model" --strategy "$strategy" --batch "$batch" --seq "$seq" --threads "$threads" --repeats "$repeats" 2>/dev/null)"
    python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = (json.loads(a) for a in sys.argv[1:3])
print(f"train step, {ours['strategy']}, {ours['batch']} x {ours['seq']} tokens, {ours['threads']} threads, "
      f"{ours['trainable_parameters']:,} trainable parameters")
print(f"  adapteval  {ours['median_seconds']:.4f} s  {ours['tokens_per_second']:7.0f} tokens/s  "
      f"{ours['gflops']:6.1f} GFLOP/s  peak RSS {ours['peak_rss_mb']:.0f} MB")
print(f"  {theirs['implementation']:<10} {theirs['median_seconds']:.4f} s  {theirs['tokens_per_second']:7.0f} tokens/s  "
      f"{'':>13}  peak RSS {theirs['peak_rss_mb']:.0f} MB")
print(f"  ratio (torch / adapteval): {theirs['median_seconds'] / ours['median_seconds']:.2f}x")
PY
done

ours="$("$bin" bench mlm --model "$model" --batch "$batch" --seq "$seq" --threads "$threads" --repeats "$repeats" --json)"
theirs="$(python3 "$root/bench/torch_mlm_train.py" --model "$model" --batch "$batch" --seq "$seq" --threads "$threads" --repeats "$repeats" 2>/dev/null)"
python3 - "$ours" "$theirs" "$classification" <<'PY'
import json, sys
ours, theirs, classification = (json.loads(a) for a in sys.argv[1:4])
head = "fresh head" if ours["fresh_head"] else "the checkpoint's head"
print(f"masked-LM train step, full, {ours['batch']} x {ours['seq']} tokens, {ours['scored_positions']} scored positions, "
      f"{ours['threads']} threads, {head}")
print(f"  adapteval  {ours['median_seconds']:.4f} s  {ours['tokens_per_second']:7.0f} tokens/s  peak RSS {ours['peak_rss_mb']:.0f} MB")
print(f"  {theirs['implementation']:<10} {theirs['median_seconds']:.4f} s  {theirs['tokens_per_second']:7.0f} tokens/s  "
      f"peak RSS {theirs['peak_rss_mb']:.0f} MB")
print(f"  ratio (torch / adapteval): {theirs['median_seconds'] / ours['median_seconds']:.2f}x")
print(f"  ratio (masked-LM step / classification step): {ours['median_seconds'] / classification['median_seconds']:.2f}x")
PY
