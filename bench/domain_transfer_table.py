#!/usr/bin/env python3
"""Prints the seed table of suites/domain-transfer.yaml from a results database.

    python3 bench/domain_transfer_table.py RESULTS.sqlite [--run ID]

For every target and strategy: the direct chain's test accuracy, then per source the chain's
accuracy, its transfer gain over the direct chain with the 95% interval and Holm-adjusted label
AdaptEval stored, the source→target Jensen-Shannon divergence (bits over WordPiece tokens) and
the LogME of the chain's starting encoder on the target's training split. Then the rank
correlation of JS with transfer gain across the source→target pairs, computed here with
scipy.stats (an independent check of AdaptEval's own Spearman and Kendall) and the seed's rule
(JS > 0.3 bits: prefer multi-task over direct transfer) set against what transfer did.
"""
import argparse
import json
import sqlite3
import sys

from scipy import stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--run", type=int, help="run id (default: the latest finished run)")
    arguments = parser.parse_args()
    db = sqlite3.connect(f"file:{arguments.database}?mode=ro", uri=True)
    run = arguments.run or db.execute(
        "SELECT id FROM runs WHERE status = 'finished' ORDER BY id DESC LIMIT 1").fetchone()
    if run is None:
        sys.exit(f"{arguments.database}: no finished run")
    run = run if isinstance(run, int) else run[0]
    started, finished = db.execute("SELECT started_at, finished_at FROM runs WHERE id = ?", (run,)).fetchone()

    def accuracy(chain, strategy, target):
        row = db.execute(
            """SELECT m.value, m.low, m.high FROM cells c JOIN run_cells rc ON rc.cell_id = c.id
               JOIN metrics m ON m.cell_id = c.id
               WHERE rc.run_id = ? AND c.chain = ? AND c.strategy = ? AND m.task = ? AND m.split = 'test'
                 AND m.name = 'accuracy' ORDER BY m.stage DESC LIMIT 1""",
            (run, json.dumps(chain, separators=(",", ":")), strategy, target)).fetchone()
        return row

    def logme(chain, strategy, target):
        row = db.execute(
            """SELECT m.value FROM cells c JOIN run_cells rc ON rc.cell_id = c.id
               JOIN metrics m ON m.cell_id = c.id
               WHERE rc.run_id = ? AND c.chain = ? AND c.strategy = ? AND m.task = ? AND m.name = 'logme'
               LIMIT 1""",
            (run, json.dumps(chain, separators=(",", ":")), strategy, target)).fetchone()
        return row[0] if row else None

    divergence = {
        (source, target): (js, cosine, mmd2, pad)
        for source, target, js, cosine, mmd2, pad in db.execute(
            """SELECT rd.source_task, rd.target_task, d.jensen_shannon, d.cosine, d.mmd2, d.proxy_a_distance
               FROM run_divergences rd JOIN divergences d ON d.id = rd.divergence_id WHERE rd.run_id = ?""", (run,))
    }
    gains = db.execute(
        """SELECT task, strategy, chain, value, low, high, p_holm, label FROM transfer_results
           WHERE run_id = ? AND kind = 'transfer_gain' AND metric = 'accuracy' ORDER BY strategy, task, chain""",
        (run,)).fetchall()
    if not gains:
        sys.exit(f"{arguments.database}: run {run} has no transfer gains")

    print(f"Run {run}: {started} → {finished}\n")
    print("| strategy | target | direct | source | chain accuracy | transfer gain [95% CI] | Holm p | label | JS (bits) | LogME |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    points = {}
    for task, strategy, chain_text, value, low, high, p_holm, label in gains:
        chain = json.loads(chain_text)
        source = chain[0]
        direct = accuracy([task], strategy, task)
        chained = accuracy(chain, strategy, task)
        js = divergence.get((source, task), (None,))[0]
        score = logme(chain, strategy, task)
        fmt = lambda x, f="{:.3f}": "–" if x is None else f.format(x)
        interval = f"{value:+.3f} [{low:+.3f}, {high:+.3f}]" if low is not None else f"{value:+.3f}"
        print(f"| {strategy} | {task} | {fmt(direct and direct[0])} | {source} | {fmt(chained and chained[0])} "
              f"| {interval} | {fmt(p_holm, '{:.3g}')} | {label} | {fmt(js)} | {fmt(score)} |")
        if js is not None:
            points.setdefault(strategy, []).append((js, value, source, task))

    print("\nJensen-Shannon divergence against transfer gain, across source → target pairs (scipy.stats):\n")
    print("| strategy | pairs | Spearman ρ (p) | Kendall τ-b (p) | pairs with JS > 0.3 | their mean gain | pairs with JS ≤ 0.3 | their mean gain |")
    print("|---|---|---|---|---|---|---|---|")
    everything = []
    for strategy, rows in sorted(points.items()):
        everything += rows
        print(correlation_row(strategy, rows))
    if len(points) > 1:
        print(correlation_row("both", everything))


def correlation_row(name, rows):
    js = [row[0] for row in rows]
    gain = [row[1] for row in rows]
    rho, rho_p = stats.spearmanr(js, gain)
    tau, tau_p = stats.kendalltau(js, gain)
    far = [row[1] for row in rows if row[0] > 0.3]
    near = [row[1] for row in rows if row[0] <= 0.3]
    mean = lambda values: f"{sum(values) / len(values):+.3f}" if values else "–"
    return (f"| {name} | {len(rows)} | {rho:+.3f} ({rho_p:.3g}) | {tau:+.3f} ({tau_p:.3g}) "
            f"| {len(far)} | {mean(far)} | {len(near)} | {mean(near)} |")


if __name__ == "__main__":
    main()
