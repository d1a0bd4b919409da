#!/usr/bin/env bash
# Compares two builds of the program on one generated corpus, the way the
# README's same-period figures were taken: each pair runs both builds at
# the same time with --jobs 1, so that both meet the same period of the
# machine (its speed drifts by up to a fifth within minutes, which single
# runs cannot tell from a change of code). For each of PAIRS pairs it
# prints user CPU, wall time and peak memory of a first run, then of a
# rerun after one document's manifest entry changed; and it fails unless
# both builds wrote the same SHA256SUMS each time.
#
#   scripts/ab.sh OLD_BINARY NEW_BINARY      (AB_DOCS=1000 AB_PAIRS=2)
#
# Build the old one from a worktree, e.g.
#   git worktree add /tmp/old REV && (cd /tmp/old && go build -o /tmp/pl-old ./cmd/policyledger)
# Needs GNU time.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: scripts/ab.sh OLD_BINARY NEW_BINARY" >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
command -v /usr/bin/time >/dev/null 2>&1 || { echo "ab needs GNU time: apt-get install -y time" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$work/corpus"
"$new" gen-corpus --docs "${AB_DOCS:-1000}" --seed 1 --out "$src" >/dev/null
cp "$src/sources.yaml" "$work/sources.orig"

# pair LABEL: runs both builds at once into their own output folders and
# checks that the newest releases hold the same bytes.
pair() {
  /usr/bin/time -f "%U %e %M" -o "$work/t.old" "$old" run --sources "$src/sources.yaml" --output "$work/out.old" --jobs 1 --log-level error >/dev/null &
  /usr/bin/time -f "%U %e %M" -o "$work/t.new" "$new" run --sources "$src/sources.yaml" --output "$work/out.new" --jobs 1 --log-level error >/dev/null
  wait
  read -r ou ow om < "$work/t.old"
  read -r nu nw nm < "$work/t.new"
  latest() { sed -n 's/^  "version": "\(.*\)",$/\1/p' "$1/releases/latest.json"; }
  same=same
  cmp -s "$work/out.old/releases/$(latest "$work/out.old")/SHA256SUMS" "$work/out.new/releases/$(latest "$work/out.new")/SHA256SUMS" || same=DIFFERENT
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$ou" "$nu" "$ow" "$nw" "$((om / 1024))" "$((nm / 1024))" "$same"
  [ "$same" = same ]
}

printf '| run | old user s | new user s | old wall s | new wall s | old peak MB | new peak MB | SHA256SUMS |\n|---|---|---|---|---|---|---|---|\n'
for i in $(seq "${AB_PAIRS:-2}"); do
  rm -rf "$work/out.old" "$work/out.new"
  cp "$work/sources.orig" "$src/sources.yaml"
  pair "first run $i"
  # One document's issuer changed: that document goes through every stage,
  # the others come from each build's own cache.
  sed -i "0,/^    issuer: generated\$/s//    issuer: generated (changed $i)/" "$src/sources.yaml"
  pair "one change $i"
done
