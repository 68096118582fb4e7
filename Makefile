# `make test` does all setup itself: builds, starts a throwaway PostgreSQL cluster (through the server's own
# launcher, from the test process), runs every Swift suite, and stops the cluster; then runs the official
# `ml-metadata` client's own test suite against a server on a fresh embedded cluster (a Python virtual
# environment under .build-mlmd/ is made on first use); then the Python client's suite (clients/python/tests, mypy
# and pytest against a server with a real executor, its environment under .build-pyclient/); then the web UI's
# browser suite in headless Chromium
# (scripts/ui/browser-suite.sh: installs Debian's chromium and chromium-driver if missing, selenium under
# .build-ui/); then the schemathesis soak of the REST contract (scripts/soak/schemathesis.sh, its environment under
# .build-soak/).
SWIFT ?= swift

.PHONY: build test mlmd-client-suite python-client-suite ui-suite soak serve bench bench-lineage bench-orchestrate bench-auth bench-mlmd bench-ui bench-openlineage bench-schedules clean

build:
	$(SWIFT) build

# A crash prints only the crashed thread's backtrace, without registers and images, so it fits in a CI log excerpt.
test:
	$(SWIFT) build --build-tests
	SWIFT_BACKTRACE=enable=yes,threads=crashed,registers=none,images=none $(SWIFT) test --skip-build
	./scripts/mlmd/client-suite.sh
	./scripts/python-client/suite.sh
	./scripts/ui/browser-suite.sh
	./scripts/soak/schemathesis.sh

mlmd-client-suite:
	$(SWIFT) build
	./scripts/mlmd/client-suite.sh

python-client-suite:
	$(SWIFT) build
	./scripts/python-client/suite.sh

# The web UI in headless Chromium against a server that runs the example pipeline (screenshots in
# .build-ui/screenshots/).
ui-suite:
	$(SWIFT) build
	./scripts/ui/browser-suite.sh

# An authenticated schemathesis run of at least 10,000 requests against api/openapi.yaml: no 5xx, no answer that
# breaks the contract (make test runs it too).
soak:
	$(SWIFT) build
	./scripts/soak/schemathesis.sh

serve:
	$(SWIFT) run provenance serve

bench:
	$(SWIFT) build -c release
	./scripts/bench.sh ingest

bench-lineage:
	$(SWIFT) build -c release
	./scripts/bench.sh lineage

bench-orchestrate:
	$(SWIFT) build -c release
	./scripts/bench.sh orchestrate

bench-auth:
	$(SWIFT) build -c release
	./scripts/bench.sh auth

bench-openlineage:
	$(SWIFT) build -c release
	./scripts/bench.sh openlineage

bench-schedules:
	$(SWIFT) build -c release
	./scripts/bench.sh schedules

bench-ui:
	$(SWIFT) build -c release
	./scripts/ui/bench.sh

bench-mlmd:
	$(SWIFT) build -c release
	./scripts/mlmd/bench.sh

clean:
	rm -rf .build .provenance
