#!/usr/bin/env bash
# Builds the traditional-character fixture: the action plan's snapshot
# converted to traditional characters by OpenCC (s2tw, Taiwan standard) and written in Big5 (with the HKSCS extensions, as the WHATWG Big5 encoding has),
# as a Taiwan or Hong Kong site might publish it. Needs Debian's opencc.
set -euo pipefail
cd "$(dirname "$0")"
opencc -c s2tw.json -i ../../../sources/snapshots/celac-jap-2022-2024.zh.md -o /tmp/celac-hant.utf8.md
python3 -c '
import sys
text = open("/tmp/celac-hant.utf8.md", encoding="utf-8").read()
open("celac-hant.big5.md", "wb").write(text.encode("big5hkscs", errors="strict"))
'
