# Everyday commands; each one installs the Debian packages it needs first.
# `make run` and `make test` are the two a newcomer needs (see README.md).

SWIFT ?= swift
FORMAT_OPTIONS = --configuration .swift-format --recursive --parallel
FORMATTED = Sources Tests bench

.PHONY: build run test browser-test lint format bench dist container-check clean

build:
	scripts/install-deps build
	$(SWIFT) build -c release --product syncline

# Any SYNCLINE_* variable set in the environment or on the make command line reaches the server.
# Development secrets persist in var/development.env (see scripts/development-env).
run: build
	. "$$(scripts/development-env)" && SYNCLINE_MODE=$${SYNCLINE_MODE:-development} .build/release/syncline serve

# Swift Testing runs tests in parallel on its own; scripts/with-postgres starts and stops a throwaway cluster.
# The browser tests run even when a Swift test failed, so one run reports both; either failing fails it.
test:
	scripts/install-deps test
	$(SWIFT) build --build-tests
	status=0; \
	SYNCLINE_REQUIRE_POSTGRES=1 scripts/with-postgres $(SWIFT) test --skip-build || status=$$?; \
	SWIFT=$(SWIFT) scripts/browser-tests || status=$$?; \
	exit $$status

# Only the browser tests (Tests/Browser) in headless Chromium; BROWSER_TEST_ARGS goes to pytest.
browser-test:
	scripts/install-deps test
	SWIFT=$(SWIFT) scripts/browser-tests $(BROWSER_TEST_ARGS)

lint:
	$(SWIFT) format lint --strict $(FORMAT_OPTIONS) $(FORMATTED)

format:
	$(SWIFT) format format --in-place $(FORMAT_OPTIONS) $(FORMATTED)

bench:
	scripts/install-deps bench
	$(SWIFT) build -c release
	@set -e; for script in bench/*/run; do echo "== $$script"; "$$script"; done

# One file to install: dist/syncline, with the Swift runtime linked in, needing only Debian's
# shared libraries (deploy/Containerfile lists them). deploy/ holds a systemd unit and a container recipe.
DIST_BUILD = $(SWIFT) build -c release --static-swift-stdlib --product syncline --scratch-path .build/dist
dist:
	scripts/install-deps dist
	$(DIST_BUILD)
	install -D -m 0755 "$$($(DIST_BUILD) --show-bin-path)/syncline" dist/syncline

# Runs deploy/Containerfile's recipe in a fresh Debian 12 root (needs root and Debian's mirror).
container-check: dist
	scripts/container-check

clean:
	rm -rf .build bench/results dist
