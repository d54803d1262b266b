import GRDB

extension ResultDatabase {
    /// The schema, one named migration per change. A landed migration is never edited: a new
    /// column or table is a new migration appended here (docs/schema.md describes the result).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-cells-results") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    uuid TEXT NOT NULL UNIQUE,
                    suite_name TEXT NOT NULL,
                    suite_version TEXT NOT NULL,
                    suite_path TEXT NOT NULL,
                    suite_sha256 TEXT NOT NULL,
                    config TEXT NOT NULL,
                    started_at DATETIME NOT NULL,
                    finished_at DATETIME,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
                    tag TEXT,
                    git_revision TEXT,
                    adapteval_version TEXT NOT NULL,
                    host TEXT NOT NULL,
                    process_id INTEGER NOT NULL,
                    threads INTEGER NOT NULL,
                    shard TEXT,
                    planned_cells INTEGER NOT NULL
                );
                CREATE TABLE cells (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    key TEXT NOT NULL UNIQUE,
                    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
                    model TEXT NOT NULL,
                    model_sha256 TEXT NOT NULL,
                    strategy TEXT NOT NULL,
                    options TEXT NOT NULL,
                    seed INTEGER NOT NULL,
                    chain TEXT NOT NULL,
                    target_task TEXT NOT NULL,
                    config TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
                    error TEXT,
                    trainable_parameters INTEGER,
                    total_parameters INTEGER,
                    best_epoch INTEGER,
                    stop_reason TEXT,
                    wall_seconds REAL,
                    started_at DATETIME NOT NULL,
                    finished_at DATETIME
                );
                CREATE INDEX cells_run ON cells(run_id);
                CREATE TABLE run_cells (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    reused INTEGER NOT NULL CHECK (reused IN (0, 1)),
                    PRIMARY KEY (run_id, cell_id)
                );
                CREATE INDEX run_cells_cell ON run_cells(cell_id);
                CREATE TABLE epochs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
                    stage INTEGER NOT NULL,
                    task TEXT NOT NULL,
                    epoch INTEGER NOT NULL,
                    step INTEGER NOT NULL,
                    train_loss REAL NOT NULL,
                    validation_loss REAL NOT NULL,
                    validation_accuracy REAL NOT NULL,
                    validation_macro_f1 REAL NOT NULL,
                    learning_rate REAL NOT NULL,
                    seconds REAL NOT NULL,
                    is_best INTEGER NOT NULL CHECK (is_best IN (0, 1))
                );
                CREATE INDEX epochs_cell ON epochs(cell_id);
                CREATE TABLE metrics (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
                    stage INTEGER NOT NULL,
                    task TEXT NOT NULL,
                    split TEXT NOT NULL,
                    name TEXT NOT NULL,
                    value REAL NOT NULL,
                    low REAL,
                    high REAL,
                    UNIQUE (cell_id, stage, task, split, name)
                );
                CREATE TABLE predictions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
                    stage INTEGER NOT NULL,
                    task TEXT NOT NULL,
                    split TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    example_id TEXT NOT NULL,
                    gold TEXT NOT NULL,
                    predicted TEXT NOT NULL,
                    probabilities TEXT NOT NULL,
                    UNIQUE (cell_id, stage, task, split, position)
                );
                CREATE TABLE artifacts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    path TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    bytes INTEGER NOT NULL
                );
                CREATE INDEX artifacts_cell ON artifacts(cell_id);
                """)
        }
        migrator.registerMigration("v2-evaluation-values") { db in
            // Per-evaluation values become name/value rows, so objectives other than
            // classification (masked-LM, contrastive) and new values (training accuracy) need
            // no new columns. Existing rows keep their values under the canonical names.
            try db.execute(sql: """
                ALTER TABLE epochs ADD COLUMN evaluation INTEGER NOT NULL DEFAULT 0;
                UPDATE epochs SET evaluation = (
                    SELECT count(*) FROM epochs e2
                    WHERE e2.cell_id = epochs.cell_id AND e2.stage = epochs.stage AND e2.task = epochs.task AND e2.id < epochs.id);
                CREATE TABLE epoch_values (
                    epoch_id INTEGER NOT NULL REFERENCES epochs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    value REAL NOT NULL,
                    PRIMARY KEY (epoch_id, name)
                ) WITHOUT ROWID;
                INSERT INTO epoch_values SELECT id, 'train_loss', train_loss FROM epochs WHERE train_loss IS NOT NULL;
                INSERT INTO epoch_values SELECT id, 'validation_loss', validation_loss FROM epochs WHERE validation_loss IS NOT NULL;
                INSERT INTO epoch_values SELECT id, 'validation_accuracy', validation_accuracy FROM epochs
                    WHERE validation_accuracy IS NOT NULL;
                INSERT INTO epoch_values SELECT id, 'validation_macro_f1', validation_macro_f1 FROM epochs
                    WHERE validation_macro_f1 IS NOT NULL;
                ALTER TABLE epochs DROP COLUMN train_loss;
                ALTER TABLE epochs DROP COLUMN validation_loss;
                ALTER TABLE epochs DROP COLUMN validation_accuracy;
                ALTER TABLE epochs DROP COLUMN validation_macro_f1;
                """)
        }
        migrator.registerMigration("v2-adaptation-keys") { db in
            // Two keys per cell: `key` names the scores (adaptation + evaluation settings),
            // `adaptation_key` the trained weights. A cell whose adaptation another cell already
            // computed evaluates that cell's checkpoint instead of training (`training_cell_id`).
            try db.execute(sql: """
                ALTER TABLE cells ADD COLUMN adaptation_key TEXT;
                ALTER TABLE cells ADD COLUMN training_cell_id INTEGER REFERENCES cells(id) ON DELETE SET NULL;
                CREATE INDEX cells_adaptation_key ON cells(adaptation_key);
                """)
        }
        migrator.registerMigration("v3-verdicts") { db in
            // What `run` judges at its end, from the stored predictions and curves: transfer
            // comparisons, overfitting audits, and divergences between a suite's domains
            // (content-keyed, so a second run over the same data reuses them).
            try db.execute(sql: """
                CREATE TABLE transfer_results (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    task TEXT NOT NULL,
                    strategy TEXT NOT NULL,
                    chain TEXT NOT NULL,
                    reference TEXT NOT NULL,
                    metric TEXT NOT NULL,
                    value REAL,
                    low REAL,
                    high REAL,
                    p_value REAL,
                    p_holm REAL,
                    label TEXT NOT NULL,
                    seeds INTEGER NOT NULL,
                    examples INTEGER NOT NULL
                );
                CREATE INDEX transfer_results_run ON transfer_results(run_id);
                CREATE TABLE overfitting_audits (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
                    stage INTEGER NOT NULL,
                    task TEXT NOT NULL,
                    evaluations INTEGER NOT NULL,
                    kept_evaluation INTEGER NOT NULL,
                    last_evaluation INTEGER NOT NULL,
                    kept_epoch INTEGER NOT NULL,
                    last_epoch INTEGER NOT NULL,
                    final_accuracy_gap REAL,
                    final_loss_gap REAL NOT NULL,
                    generalization_loss REAL NOT NULL,
                    validation_accuracy_change REAL NOT NULL,
                    validation_loss_change REAL NOT NULL,
                    verdict TEXT NOT NULL,
                    rising_evaluations INTEGER NOT NULL,
                    stop_reason TEXT NOT NULL,
                    UNIQUE (cell_id, stage, task)
                );
                CREATE TABLE divergences (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    key TEXT NOT NULL UNIQUE,
                    model_sha256 TEXT NOT NULL,
                    source_sha256 TEXT NOT NULL,
                    target_sha256 TEXT NOT NULL,
                    tokens TEXT NOT NULL,
                    source_texts INTEGER NOT NULL,
                    target_texts INTEGER NOT NULL,
                    kl_source_target REAL NOT NULL,
                    kl_target_source REAL NOT NULL,
                    jensen_shannon REAL NOT NULL,
                    cosine REAL NOT NULL,
                    mmd2 REAL NOT NULL,
                    mmd_p_value REAL NOT NULL,
                    proxy_a_distance REAL NOT NULL,
                    seconds REAL NOT NULL
                );
                CREATE TABLE run_divergences (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    source_task TEXT NOT NULL,
                    target_task TEXT NOT NULL,
                    divergence_id INTEGER NOT NULL REFERENCES divergences(id) ON DELETE CASCADE,
                    PRIMARY KEY (run_id, source_task, target_task)
                );
                """)
        }
        migrator.registerMigration("v3-response-cache") { db in
            // Answers of served models by request digest (ResponseCache): a re-run sends nothing
            // it already sent. Keys never reach it: the digest leaves headers out.
            try db.execute(sql: """
                CREATE TABLE responses (
                    digest TEXT PRIMARY KEY,
                    endpoint TEXT NOT NULL,
                    body BLOB NOT NULL,
                    created_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-probe-results") { db in
            // Bias and toxicity probes: a base model's results once per probe key
            // (probe_baselines), measurements and scored items of base models and of cells, and
            // each cell's drift from its base model per probe, metric and group with the
            // metric's ideal and the harm drift a release gate checks (docs/schema.md).
            try db.execute(sql: """
                CREATE TABLE probe_baselines (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    key TEXT NOT NULL UNIQUE,
                    model TEXT NOT NULL,
                    model_sha256 TEXT NOT NULL,
                    probe TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    config TEXT NOT NULL,
                    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
                    wall_seconds REAL NOT NULL,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE probe_metrics (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    cell_id INTEGER REFERENCES cells(id) ON DELETE CASCADE,
                    baseline_id INTEGER REFERENCES probe_baselines(id) ON DELETE CASCADE,
                    task TEXT NOT NULL,
                    probe TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    metric TEXT NOT NULL,
                    group_name TEXT NOT NULL,
                    value REAL NOT NULL,
                    low REAL,
                    high REAL,
                    count INTEGER NOT NULL,
                    ideal REAL,
                    harm_direction TEXT CHECK (harm_direction IN ('higher', 'lower', 'away')),
                    note TEXT,
                    CHECK ((cell_id IS NULL) <> (baseline_id IS NULL))
                );
                CREATE INDEX probe_metrics_cell ON probe_metrics(cell_id);
                CREATE INDEX probe_metrics_baseline ON probe_metrics(baseline_id);
                CREATE TABLE probe_items (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    cell_id INTEGER REFERENCES cells(id) ON DELETE CASCADE,
                    baseline_id INTEGER REFERENCES probe_baselines(id) ON DELETE CASCADE,
                    task TEXT NOT NULL,
                    probe TEXT NOT NULL,
                    item TEXT NOT NULL,
                    attributes TEXT NOT NULL,
                    scores TEXT NOT NULL,
                    CHECK ((cell_id IS NULL) <> (baseline_id IS NULL))
                );
                CREATE INDEX probe_items_cell ON probe_items(cell_id);
                CREATE INDEX probe_items_baseline ON probe_items(baseline_id);
                CREATE TABLE probe_drift (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
                    baseline_id INTEGER REFERENCES probe_baselines(id) ON DELETE SET NULL,
                    task TEXT NOT NULL,
                    probe TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    metric TEXT NOT NULL,
                    group_name TEXT NOT NULL,
                    base REAL NOT NULL,
                    adapted REAL NOT NULL,
                    drift REAL NOT NULL,
                    low REAL,
                    high REAL,
                    ideal REAL NOT NULL,
                    harm_direction TEXT NOT NULL CHECK (harm_direction IN ('higher', 'lower', 'away')),
                    harm_drift REAL NOT NULL,
                    harm_low REAL,
                    harm_high REAL,
                    paired INTEGER NOT NULL CHECK (paired IN (0, 1)),
                    items INTEGER NOT NULL,
                    UNIQUE (cell_id, task, probe, metric, group_name)
                );
                """)
        }
        migrator.registerMigration("v3-gate-verdicts", migrate: createGateVerdictTables)
        migrator.registerMigration("v4-run-command-line") { db in
            // The command that started a run, for the report's provenance; older runs have none.
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN command_line TEXT")
        }
        return migrator
    }
}
