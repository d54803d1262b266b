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

demo: build
	@echo "== Embedding the demo sentences with $(MODEL) and comparing them (cosine similarity) =="
	$(BIN) similarity --model $(MODEL) --input fixtures/demo-sentences.jsonl
	@echo
	$(BIN) model info $(MODEL) --summary

test: setup
	$(SWIFT) build $(TEST_FLAGS)
	$(SWIFT) test $(TEST_FLAGS)

bench: build
	bash bench/forward.sh

clean:
	rm -rf .build
