# `make test` does all setup itself: builds, starts a throwaway PostgreSQL cluster (through the server's own
# launcher, from the test process), runs every suite, and stops the cluster.
SWIFT ?= swift

.PHONY: build test serve bench bench-lineage clean

build:
	$(SWIFT) build

test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

serve:
	$(SWIFT) run provenance serve

bench:
	$(SWIFT) build -c release
	./scripts/bench.sh ingest

bench-lineage:
	$(SWIFT) build -c release
	./scripts/bench.sh lineage

clean:
	rm -rf .build .provenance
