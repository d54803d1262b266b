#!/usr/bin/env bash
# Side-by-side forward benchmark: adapteval and PyTorch on the same model, shapes and threads,
# in one run. Prints both medians and the ratio (PyTorch time / AdaptEval time; > 1 means
# AdaptEval is faster). Needs `pip install 'torch==2.13.0+cpu' transformers` (see bench/README.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${MODEL:-$root/models/all-MiniLM-L6-v2}"
batch="${BATCH:-32}"
seq="${SEQ:-128}"
threads="${THREADS:-2}"
repeats="${REPEATS:-7}"
bin="$root/.build/release/adapteval"

if ! python3 -c "import torch, transformers" 2>/dev/null; then
    echo "PyTorch is missing: pip install 'torch==2.13.0+cpu' transformers" >&2
    exit 2
fi

ours="$("$bin" bench forward --model "$model" --batch "$batch" --seq "$seq" --threads "$threads" --repeats "$repeats" --json)"
theirs="$(python3 "$root/bench/torch_forward.py" --model "$model" --batch "$batch" --seq "$seq" --threads "$threads" --repeats "$repeats")"
ceiling="$("$bin" bench gemm --threads "$threads" --json)"

python3 - "$ours" "$theirs" "$ceiling" <<'PY'
import json, sys
ours, theirs, ceiling = (json.loads(a) for a in sys.argv[1:4])
print(f"forward {ours['batch']} x {ours['seq']} tokens, {ours['threads']} threads")
print(f"  adapteval  {ours['median_seconds']:.4f} s  {ours['tokens_per_second']:8.0f} tokens/s  {ours['gflops']:.1f} GFLOP/s")
print(f"  {theirs['implementation']:<10} {theirs['median_seconds']:.4f} s  {theirs['tokens_per_second']:8.0f} tokens/s")
print(f"  ratio (torch / adapteval): {theirs['median_seconds'] / ours['median_seconds']:.2f}x")
print(f"  sgemm ceiling on MiniLM's widest layer: {ceiling['gflops']:.1f} GFLOP/s ({ceiling['blas_core']} kernels); "
      f"forward reaches {100 * ours['gflops'] / ceiling['gflops']:.0f}% of it")
PY
