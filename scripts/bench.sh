#!/usr/bin/env bash
# End-to-end figures of the built program over generated corpora: for each N
# in BENCH_DOCS (default "10 100 1000 10000"), input size; time per stage
# (summed over the workers, so with several jobs the stages add up to more
# than the wall time) and in all; MB/s of raw input; peak memory; output
# bytes per format; sha256sum over the same input as the floor; an
# unchanged rerun; and a rerun after one document's manifest entry changed
# (its title), which recomputes that document and writes a new version.
# Needs GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-bin/policyledger}
command -v /usr/bin/time >/dev/null 2>&1 || { echo "bench needs GNU time: apt-get install -y time" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '| N | input MB | fetch | clean | parse | align | classify | link | release | wall s | MB/s | peak RSS MB | sha256sum s | × floor | parquet MB | csv MB | jsonl MB | rerun s | 1 changed s | 1 changed RSS MB |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for n in ${BENCH_DOCS:-10 100 1000 10000}; do
  src="$work/corpus-$n" out="$work/out-$n"
  "$bin" gen-corpus --docs "$n" --seed 1 --out "$src" >/dev/null
  input=$(du -sb "$src/snapshots" | cut -f1)
  floor=$( { /usr/bin/time -f %e sh -c "cat $src/snapshots/* | sha256sum >/dev/null"; } 2>&1 )
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" run --sources "$src/sources.yaml" --output "$out" --log-level info >/dev/null 2>"$work/log"
  read -r wall rss < "$work/time"
  stage() { grep "stage=$1 " "$work/log" | sed 's/.*seconds=\([0-9.]*\).*/\1/' | tail -1; }
  rel="$out/releases/$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$out/releases/latest.json")"
  size() { cat "$rel"/*."$1" 2>/dev/null | wc -c; }
  /usr/bin/time -f '%e' -o "$work/rerun" "$bin" run --sources "$src/sources.yaml" --output "$out" --log-level error >/dev/null
  mid=$(printf 'gen-%05d' $(( (n + 1) / 2 )))
  sed -i "s/^  - id: $mid\$/  - id: $mid\n    title_en: Changed for the benchmark/" "$src/sources.yaml"
  /usr/bin/time -f '%e %M' -o "$work/changed" "$bin" run --sources "$src/sources.yaml" --output "$out" --log-level error >/dev/null
  read -r cwall crss < "$work/changed"
  awk -v n="$n" -v inb="$input" -v wall="$wall" -v rss="$rss" -v floor="$floor" -v rerun="$(cat "$work/rerun")" \
      -v f="$(stage fetch)" -v c="$(stage clean)" -v p="$(stage parse)" -v a="$(stage align)" -v k="$(stage classify)" -v l="$(stage link)" -v r="$(stage release)" \
      -v pq="$(size parquet)" -v csv="$(size csv)" -v js="$(size jsonl)" -v cwall="$cwall" -v crss="$crss" 'BEGIN {
    floor = (floor < 0.01 ? 0.01 : floor)
    printf "| %d | %.2f | %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %d | %.2f | %.0f | %.2f | %.2f | %.2f | %s | %s | %d |\n",
      n, inb/1e6, f, c, p, a, k, l, r, wall, inb/1e6/wall, rss/1024, floor, wall/floor, pq/1e6, csv/1e6, js/1e6, rerun, cwall, crss/1024
  }'
done
