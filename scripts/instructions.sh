#!/usr/bin/env bash
# Compares two builds by the instructions one run of each executes, as
# valgrind's callgrind counts them. Seconds drift with the machine (by up
# to a fifth within minutes, see scripts/ab.sh); instructions do not, so
# a change of a percent or two can be told from noise: runs of one build
# differ by up to about 0.7 % (the collector's timing). Instructions are not
# time (cache misses, the system's share): confirm a change with ab.sh.
# Under valgrind, SHA-256 runs without the processor's SHA extensions, so
# hashing the release is about a quarter of the count (4 % of the time):
# a change elsewhere shows a smaller percentage than it saves in time.
#
#   scripts/instructions.sh OLD_BINARY NEW_BINARY      (IN_DOCS=100 IN_RUNS=1)
#
# Build both the same way (both stripped, or neither): the program hashes
# its own file for the cache keys, so 16 MB of symbols add 2 % to the count.
#
# Both builds run at once, each under callgrind, with one processor
# (GOMAXPROCS=1, --jobs 1) and Go's asynchronous preemption off (callgrind
# stops at its signals). A run at N = 100 takes about four minutes. It
# fails unless both wrote the same SHA256SUMS. Needs valgrind.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: scripts/instructions.sh OLD_BINARY NEW_BINARY" >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
command -v valgrind >/dev/null 2>&1 || { echo "instructions needs valgrind: apt-get install -y valgrind" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$work/corpus"
"$new" gen-corpus --docs "${IN_DOCS:-100}" --seed 1 --out "$src" >/dev/null

# count BIN LABEL: the instructions of one run, into $work/LABEL.count
count() {
  rm -rf "$work/out.$2"
  GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$1" run --sources "$src/sources.yaml" --output "$work/out.$2" --jobs 1 --log-level error >/dev/null 2>"$work/$2.log" ||
    { echo "instructions: $2 failed under valgrind:" >&2; tail -n 20 "$work/$2.log" >&2; exit 1; }
  sed -n 's/.*I *refs: *//p' "$work/$2.log" | tr -d , >"$work/$2.count"
}

printf '| run | old instructions | new instructions | change | SHA256SUMS |\n|---|---|---|---|---|\n'
for i in $(seq "${IN_RUNS:-1}"); do
  count "$old" old & pid=$!
  count "$new" new
  wait "$pid"
  same=same
  cmp -s "$work"/out.old/releases/0.1.0/SHA256SUMS "$work"/out.new/releases/0.1.0/SHA256SUMS || same=DIFFERENT
  awk -v i="$i" -v o="$(cat "$work/old.count")" -v n="$(cat "$work/new.count")" -v s="$same" \
    'BEGIN { printf "| %d | %.3f G | %.3f G | %+.2f %% | %s |\n", i, o/1e9, n/1e9, 100*(n-o)/o, s }'
  [ "$same" = same ] || { echo "instructions: the builds wrote different releases" >&2; exit 1; }
done
