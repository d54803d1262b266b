extension SuiteChecker {
    /// Records every problem of the suite's `gates:` entries with its line.
    func checkGates() {
        let taskNames = definition.tasks.names
        for (index, gate) in (definition.gates ?? []).enumerated() {
            for problem in gate.problems(taskNames: taskNames) {
                log.record(problem.message, field: "gates[\(index)].\(problem.field.stringValue)")
            }
        }
    }
}
