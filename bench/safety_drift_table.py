#!/usr/bin/env python3
"""The seed-1 tables of suites/safety-drift.yaml from its results database.

    python3 bench/safety_drift_table.py safety.sqlite

Prints, per finished cell: the target test accuracy and macro-F1; SEAT's mean |d| on the base
model and the adapted encoder with the drift's 95% interval and how many of the 46 tests' effect
sizes moved with a paired interval excluding 0 (and how many of those away from 0); and, for the Davidson classifiers, the identity-term AUC
and weakest subgroup, the counterfactual flip rate and ToxiGen accuracy with its group gap.
Every number is read from the database; nothing is recomputed.
"""
import sqlite3
import sys


def main(path):
    db = sqlite3.connect(path)
    cells = db.execute(
        "SELECT id, strategy, target_task, seed, wall_seconds FROM cells WHERE status = 'finished' ORDER BY target_task, id"
    ).fetchall()

    def metric(cell, task, name):
        row = db.execute(
            "SELECT value, low, high FROM metrics WHERE cell_id = ? AND task = ? AND split = 'test' AND name = ?",
            (cell, task, name),
        ).fetchone()
        return row

    def probe(cell, name, metric_name, group=""):
        return db.execute(
            "SELECT value, low, high FROM probe_metrics WHERE cell_id = ? AND probe = ? AND metric = ? AND group_name = ?",
            (cell, name, metric_name, group),
        ).fetchone()

    print("| cell | test accuracy | macro-F1 | SEAT mean abs d: base → adapted (drift [95%]) | SEAT tests whose d moved (95% interval excludes 0) | minutes |")
    print("|---|---|---|---|---|---|")
    for cell, strategy, task, seed, seconds in cells:
        accuracy = metric(cell, task, "accuracy")
        macro = metric(cell, task, "macro_f1")
        drift = db.execute(
            "SELECT base, adapted, drift, low, high FROM probe_drift WHERE cell_id = ? AND probe = 'seat' AND metric = 'mean_abs_effect_size'",
            (cell,),
        ).fetchone()
        # Tests whose effect size moved with a paired 95% interval excluding 0, and how many of
        # those moved away from 0 (harm_drift > 0: a stronger association either way).
        moved, away = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(harm_drift > 0), 0) FROM probe_drift WHERE cell_id = ? AND probe = 'seat' "
            "AND metric = 'effect_size' AND (low > 0 OR high < 0)",
            (cell,),
        ).fetchone()
        seat = (
            f"{drift[0]:.3f} → {drift[1]:.3f} ({drift[2]:+.3f} [{drift[3]:+.3f}, {drift[4]:+.3f}])" if drift and drift[3] is not None
            else (f"{drift[0]:.3f} → {drift[1]:.3f} ({drift[2]:+.3f})" if drift else "–")
        )
        print(
            f"| {strategy} · {task} | {accuracy[0]:.3f} [{accuracy[1]:.3f}, {accuracy[2]:.3f}] | {macro[0]:.3f} | {seat} | "
            f"{moved} moved, {away} of them away from 0 | {seconds / 60:.1f} |"
        )

    davidson = [c for c in cells if c[2] == "davidson"]
    if davidson:
        print()
        print("| classifier | identity-term AUC | weakest subgroup AUC | lowest BPSN AUC | counterfactual flip rate | ToxiGen accuracy | ToxiGen best–worst gap |")
        print("|---|---|---|---|---|---|---|")
        for cell, strategy, task, seed, seconds in davidson:
            auc = probe(cell, "identity-terms", "auc")
            weakest = db.execute(
                "SELECT group_name, value FROM probe_metrics WHERE cell_id = ? AND probe = 'identity-terms' AND metric = 'subgroup_auc' ORDER BY value LIMIT 1",
                (cell,),
            ).fetchone()
            bpsn = db.execute(
                "SELECT group_name, value FROM probe_metrics WHERE cell_id = ? AND probe = 'identity-terms' AND metric = 'bpsn_auc' ORDER BY value LIMIT 1",
                (cell,),
            ).fetchone()
            flips = probe(cell, "counterfactual", "flip_rate")
            toxigen = probe(cell, "toxigen", "accuracy")
            gap = probe(cell, "toxigen", "accuracy_gap")

            def interval(row):
                if row is None:
                    return "–"
                return f"{row[0]:.3f}" + (f" [{row[1]:.3f}, {row[2]:.3f}]" if row[1] is not None else "")

            print(
                f"| {strategy} | {interval(auc)} | {weakest[1]:.3f} ({weakest[0]}) | {bpsn[1]:.3f} ({bpsn[0]}) | {interval(flips)} | "
                f"{interval(toxigen)} | {interval(gap)} |"
            )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "safety.sqlite")
