#!/usr/bin/env bash
# The linear probe against scikit-learn on the same features: for each shared-data task,
# adapteval computes mean-pooled features once, fits its L-BFGS logistic regression with C
# chosen on validation, and exports the features; scikit-learn's LogisticRegression (lbfgs)
# is fitted on exactly those numbers with the same C grid and the same selection rule.
# Prints both test accuracies, their difference, and the times.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${MODEL:-$root/models/all-MiniLM-L6-v2}"
export ADAPTEVAL_SHARED="${ADAPTEVAL_SHARED:-$root/../shared}"
bin="$root/.build/release/adapteval"
python3 -c "import sklearn" 2>/dev/null || python3 -m pip install --quiet scikit-learn
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for data in ${DATA:-kitchen sst2 davidson}; do
    ours="$("$bin" bench linear-probe --model "$model" --data "$data" --export "$work/$data" --json)"
    python3 - "$ours" "$work/$data" <<'PY'
import json, sys, time
import numpy as np
from sklearn.linear_model import LogisticRegression
ours, folder = json.loads(sys.argv[1]), sys.argv[2]
def load(name):
    meta = json.load(open(f"{folder}/{name}.json"))
    x = np.fromfile(f"{folder}/{name}.f32", dtype="<f4").reshape(meta["rows"], meta["columns"]).astype(np.float64)
    return x, np.array(meta["labels"])
(xt, yt), (xv, yv), (xs, ys) = load("train"), load("validation"), load("test")
started = time.perf_counter()
best = None
for c in [0.01, 0.1, 1, 10, 100]:   # AdaptEval's grid; ties keep the smaller C
    model = LogisticRegression(C=c, solver="lbfgs", max_iter=10000, tol=1e-6).fit(xt, yt)
    accuracy = model.score(xv, yv)
    if best is None or accuracy > best[0]:
        best = (accuracy, c, model)
seconds = time.perf_counter() - started
theirs = best[2].score(xs, ys)
print(f"{ours['data']}: {ours['train']} train / {ours['validation']} validation / {ours['test']} test, {ours['classes']} classes")
print(f"  adapteval     test accuracy {ours['test_accuracy']:.4f}   encoder {ours['encoder_seconds']:.1f} s + fit {ours['fit_seconds']:.3f} s")
print(f"  scikit-learn  test accuracy {theirs:.4f}   fit {seconds:.3f} s (C = {best[1]:g})")
print(f"  difference    {100 * (ours['test_accuracy'] - theirs):+.2f} points; {ours['stop_reason']}")
PY
done
