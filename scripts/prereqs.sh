#!/usr/bin/env bash
# Checks, in seconds and before anything is compiled, what the README's
# commands need: `prereqs.sh release` (Go) or `prereqs.sh test` (Go, gcc for
# the DuckDB client's cgo, npm for the Frictionless schemas, Debian's pandas).
# Prints what is missing with the command that installs it; exit code 2.
set -u
what=${1:-test}
python=${PYTHON:-/usr/bin/python3}
cd "$(dirname "$0")/.."
missing=() apt=() other=()

want=$(awk '/^go [0-9]/ {print $2; exit}' go.mod)
if ! command -v go >/dev/null 2>&1; then
  missing+=("go $want"); other+=("install Go $want or newer from https://go.dev/dl/ (Debian's golang package is older)")
else
  have=$(go env GOVERSION | sed 's/^go//')
  if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1)" != "$want" ]; then
    missing+=("go $want (found $have)"); other+=("install Go $want or newer from https://go.dev/dl/")
  fi
fi
if [ "$what" = test ]; then
  command -v gcc >/dev/null 2>&1 || { missing+=(gcc); apt+=(gcc); }
  command -v npm >/dev/null 2>&1 || { missing+=(npm); apt+=(npm); }
  "$python" -c 'import pandas' >/dev/null 2>&1 || { missing+=("pandas for $python"); apt+=(python3-pandas); }
  { [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; } ||
    { missing+=("chromium (the report page's browser test)"); apt+=(chromium); }
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "policyledger: make $what needs: ${missing[*]}" >&2
if [ ${#apt[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo "
  echo "  install with: ${sudo}apt-get install -y ${apt[*]}" >&2
fi
for o in "${other[@]}"; do echo "  $o" >&2; done
exit 2
