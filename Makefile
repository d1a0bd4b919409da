# policyledger — the two commands a new user needs are `make release` and `make test`.

GO      ?= go
PYTHON  ?= /usr/bin/python3
# The Frictionless JSON Schemas that datapackage.json is validated against,
# as published in the datapackage npm package.
PROFILES_PKG := datapackage@1.1.10
PROFILES     := .cache/datapackage-profiles
FUZZTIME     ?= 3s
# Fuzz targets as package:target.
FUZZ_TARGETS := ./stages/clean:FuzzDocument ./stages/parse:FuzzDocument ./stages/parse:FuzzLayouts ./segment:FuzzSegment ./stages/release:FuzzWriters

.PHONY: release test unit clients fuzz fuzz-short bench eval-align eval-classify eval-quality profiles vet clean-output

## release: build output/releases/<version>/ from the embedded sources and print the run report
release:
	$(GO) run ./cmd/policyledger run

## test: vet, unit and end-to-end tests, short fuzz runs, DuckDB and pandas client tests
test: vet unit fuzz-short clients

vet:
	$(GO) vet ./...
	cd clients && $(GO) vet ./...

unit: profiles
	POLICYLEDGER_REQUIRE_FIXTURES=1 POLICYLEDGER_PROFILES=$(CURDIR)/$(PROFILES) $(GO) test -count=1 ./...

clients:
	cd clients && POLICYLEDGER_REQUIRE_FIXTURES=1 $(GO) test -count=1 ./...

## fuzz-short: a few seconds per fuzz target (part of make test); fuzz: a longer run
fuzz-short:
	@for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
	  $(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) >/dev/null || exit 1; \
	done

fuzz:
	$(MAKE) fuzz-short FUZZTIME=2m

## bench: benchmarks that print figures (sentences aligned per second, release build time)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## eval-align: strict and lax precision/recall/F1 of sentence alignment against the gold standard
eval-align:
	$(GO) test ./stages/align -count=1 -run 'TestEvalAlign|TestMergedParagraphs' -v -args -report

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
	rm -rf output/releases output/work
