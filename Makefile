# policyledger — the two commands a new user needs are `make release` and `make test`.

GO      ?= go
PYTHON  ?= /usr/bin/python3
# The Frictionless JSON Schemas that datapackage.json is validated against,
# as published in the datapackage npm package.
PROFILES_PKG := datapackage@1.1.10
PROFILES     := .cache/datapackage-profiles
FUZZTIME     ?= 3000x
# Fuzz targets as package:target.
FUZZ_TARGETS := ./stages/clean:FuzzDocument ./stages/link:FuzzWords ./stages/parse:FuzzDocument ./stages/parse:FuzzLayouts ./segment:FuzzSegment ./stages/release:FuzzWriters ./stages/release:FuzzAppendJSON ./stages/release:FuzzCSVField ./internal/bincodec:FuzzDecode ./stages/classify:FuzzScanner ./internal/utf8x:FuzzDecodeRune ./charset:FuzzDecodeAs ./stages/fetch:FuzzManifest ./stages/clean:FuzzHTMLDocument

.PHONY: release test workflows unit clients fuzz fuzz-short bench eval-align eval-classify eval-links eval-quality profiles vet clean-output prereqs-release prereqs-test FORCE

# The program's version and commit, stamped into bin/policyledger.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# Extra arguments for make release, e.g. ARGS='--strict' (the version is
# chosen by the release; ARGS='--version X' overrides it).
ARGS    ?=
# The workflow linter's version, pinned.
ACTIONLINT := v1.7.12
# Corpus sizes for make bench.
BENCH_DOCS ?= 10 100 1000 10000

## release: build the dataset from the embedded sources: the next version in output/releases/ if anything changed, else "up to date"
release: prereqs-release bin/policyledger
	@echo "== running bin/policyledger run $(ARGS)"
	@bin/policyledger run $(ARGS); status=$$?; \
	if [ $$status -ne 0 ]; then echo "== policyledger exited with status $$status (see Exit codes in the README)" >&2; exit $$status; fi
	@latest=$$(sed -n 's/^  "version": "\(.*\)",$$/\1/p' output/releases/latest.json); \
	if ! cmp -s output/releases/$$latest/CITATION.cff CITATION.cff; then cp output/releases/$$latest/CITATION.cff CITATION.cff; echo "== CITATION.cff now cites $$latest"; fi

## bin/policyledger: the command, built once (a first build compiles ~400 packages: about 2 minutes on 2 cores, with the download)
bin/policyledger: FORCE
	@echo "== building bin/policyledger (a first build takes about 2 minutes; later ones seconds)"
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/policyledger ./cmd/policyledger

FORCE:

prereqs-release:
	@PYTHON=$(PYTHON) scripts/prereqs.sh release

prereqs-test:
	@PYTHON=$(PYTHON) scripts/prereqs.sh test

## test: vet, unit and end-to-end tests, short fuzz runs, DuckDB and pandas client tests
test: prereqs-test vet workflows unit fuzz-short clients

## workflows: lint .github/workflows with actionlint (pinned; it runs shellcheck on the scripts when installed)
workflows:
	@echo "== actionlint $(ACTIONLINT)"
	$(GO) run github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT) -color=false

vet:
	@echo "== go.mod and go.sum of both modules tidy (clients/ imports the main module's packages)"
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum is not tidy: run go mod tidy" >&2; exit 1; }
	@cd clients && $(GO) mod tidy -diff >/dev/null || { echo "clients/go.mod or clients/go.sum is not tidy: run (cd clients && go mod tidy)" >&2; exit 1; }
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './output/*')); \
	if [ -n "$$unformatted" ]; then echo "not gofmt-ed: $$unformatted (run gofmt -w on them)" >&2; exit 1; fi
	@echo "== go vet (a first run compiles the dependencies: about 2 minutes)"
	$(GO) vet ./...
	cd clients && $(GO) vet ./...
	@echo "== the program builds for the systems the publish workflow builds it for (not only this one)"
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GO) build -o /dev/null ./cmd/policyledger
	CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) build -o /dev/null ./cmd/policyledger

unit: profiles
	@echo "== unit and end-to-end tests"
	POLICYLEDGER_REQUIRE_FIXTURES=1 POLICYLEDGER_PROFILES=$(CURDIR)/$(PROFILES) $(GO) test -count=1 ./...
	@echo "== the race detector over the packages whose workers share state (needs gcc)"
	$(GO) test -count=1 -race ./internal/bincodec ./internal/prefixhash
	$(GO) test -count=1 -race -run TestWithIsNewGlossary ./anchors

clients:
	@echo "== DuckDB and pandas read a fresh release (builds DuckDB's cgo bindings the first time)"
	cd clients && POLICYLEDGER_REQUIRE_FIXTURES=1 $(GO) test -count=1 ./...

## fuzz-short: a few thousand inputs per fuzz target (part of make test); fuzz: a longer run.
## The budgets are counts, not durations: go1.26's fuzz coordinator can fail a
## duration-bounded run with "context deadline exceeded" (go.dev/issue/75804).
fuzz-short:
	@for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
	  log=$$(mktemp); \
	  if ! $(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) >$$log 2>&1; then \
	    cat $$log; rm -f $$log; exit 1; \
	  fi; rm -f $$log; \
	done

fuzz:
	$(MAKE) fuzz-short FUZZTIME=100000x

## bench: Go micro-benchmarks, then end-to-end figures of bin/policyledger over generated corpora (BENCH_DOCS="10 100 1000 10000")
bench: bin/policyledger
	$(GO) test -run '^$$' -bench . -benchmem ./...
	@BENCH_DOCS="$(BENCH_DOCS)" scripts/bench.sh

## eval-align: strict and lax precision/recall/F1 of sentence alignment against the gold standard
eval-align:
	$(GO) test ./stages/align -count=1 -run 'TestEvalAlign|TestMergedParagraphs|TestEvalVariants' -v -args -report

## eval-links: cross-document link P/R/F1 (clear, clear+partial) and dropped accuracy per part of the gold standard
eval-links:
	$(GO) test ./stages/link -count=1 -run 'TestEvalLinks' -v

## eval-classify: commitment P/R/F1, label accuracies and the modality confusion matrix against the gold labels
eval-classify:
	$(GO) test ./stages/classify -count=1 -run 'TestEvalClassify' -v -args -report

## eval-quality: the perturbation suite: perturbed paragraphs flagged and untouched beads flagged, per part
eval-quality:
	$(GO) test ./pipeline -count=1 -run 'TestPerturbationSuite' -v -args -quality-report

profiles: $(PROFILES)/data-package.json

$(PROFILES)/data-package.json:
	mkdir -p .cache/npm $(PROFILES)
	cd .cache/npm && npm pack $(PROFILES_PKG) --silent >/dev/null
	tar -xzf .cache/npm/datapackage-*.tgz -C $(PROFILES) --strip-components=3 package/lib/profiles
	test -s $@

clean-output:
	rm -rf output/releases output/work bin
