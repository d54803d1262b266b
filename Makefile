# AdaptEval: `make demo` and `make test` work on a fresh machine (they install what is missing).
SWIFT ?= swift
MODEL ?= models/all-MiniLM-L6-v2
BIN := .build/release/adapteval
TEST_FLAGS := -c release -Xswiftc -enable-testing

.PHONY: setup build demo test bench clean

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product adapteval

DB ?= results.sqlite

demo: build
	@echo "== The quick-start suite: six strategies adapt $(MODEL) to gadget reviews, directly and via restaurant reviews =="
	$(BIN) run suites/quickstart.yaml --db $(DB)
	@echo
	$(BIN) runs show latest --db $(DB)
	@echo
	@echo "Results database: $(abspath $(DB))  (query it with sqlite3; see docs/schema.md)"
	@echo
	@echo "== The release gate: the first demo run is tagged demo-release (and so gated against itself); later runs are gated against it =="
	@$(BIN) runs show demo-release --db $(DB) > /dev/null 2>&1 || $(BIN) runs tag latest demo-release --db $(DB)
	@mkdir -p reports
	@# A failed gate (exit 1) is a result the report shows; bad input (2) or a runtime failure (3) stops the demo.
	$(BIN) gate --db $(DB) --candidate latest --baseline demo-release --junit reports/demo-gate.xml --summary reports/demo-gate.md \
		|| [ $$? -eq 1 ]
	@echo
	@echo "Report:"
	@$(BIN) report --db $(DB) --run latest --baseline demo-release

# One build of everything, tests included: `swift test` alone would compile the modules a second
# time after `swift build`.
test: setup
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build

bench: build
	bash bench/forward.sh

clean:
	rm -rf .build
