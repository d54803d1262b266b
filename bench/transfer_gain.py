"""Transfer gain of a pretraining (or any earlier) stage, from a results database.

For each target task and strategy, pairs the cells on [T] with the cells on [P, T] over the
same seeds and test examples, and prints the gain in test accuracy, mean over seeds, with a
95% paired percentile-bootstrap interval (seeds resampled, then examples, both systems on the
same indices: DESIGN.md's definition, as Evaluation's PairedBootstrap computes it; this
script is an independent reading for benchmark reports, not the project's verdict).

    python3 bench/transfer_gain.py results.sqlite [--resamples 10000]
"""
import argparse
import json
import random
import sqlite3
from collections import defaultdict


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--resamples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    db = sqlite3.connect(args.database)
    rows = db.execute("""
        SELECT c.strategy, c.chain, c.seed, c.target_task, p.position, p.gold = p.predicted
        FROM cells c JOIN predictions p ON p.cell_id = c.id
        WHERE c.status = 'finished' AND p.task = c.target_task AND p.split = 'test'
          AND p.stage = json_array_length(c.chain) - 1""").fetchall()
    correct = defaultdict(dict)  # (strategy, chain) -> seed -> [0/1 by position]
    for strategy, chain, seed, target, position, hit in rows:
        by_seed = correct[(strategy, chain)].setdefault(seed, {})
        by_seed[position] = int(hit)
    for (strategy, chain), seeds in sorted(correct.items()):
        tasks = json.loads(chain)
        if len(tasks) < 2:
            continue
        base = correct.get((strategy, json.dumps([tasks[-1]], separators=(",", ":"))))
        if base is None:
            continue
        common = sorted(set(seeds) & set(base))
        n = len(seeds[common[0]])
        cand = [[seeds[s][i] for i in range(n)] for s in common]
        ref = [[base[s][i] for i in range(n)] for s in common]

        def gain(seed_idx, example_idx):
            total = 0.0
            for s in seed_idx:
                total += sum(cand[s][i] - ref[s][i] for i in example_idx) / len(example_idx)
            return total / len(seed_idx)

        point = gain(range(len(common)), range(n))
        rng = random.Random(args.seed)
        draws = []
        for _ in range(args.resamples):
            seed_idx = [rng.randrange(len(common)) for _ in common] if len(common) > 1 else [0]
            example_idx = [rng.randrange(n) for _ in range(n)]
            draws.append(gain(seed_idx, example_idx))
        draws.sort()
        low, high = draws[int(0.025 * (len(draws) - 1))], draws[int(0.975 * (len(draws) - 1))]
        accuracy = [sum(r) / n for r in ref], [sum(c) / n for c in cand]
        print(f"{strategy:8} {' -> '.join(tasks):32} seeds {common}: accuracy {sum(accuracy[0]) / len(common):.4f} -> "
              f"{sum(accuracy[1]) / len(common):.4f}, gain {100 * point:+.2f} points [{100 * low:+.2f}, {100 * high:+.2f}]")


if __name__ == "__main__":
    main()
