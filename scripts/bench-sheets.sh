#!/usr/bin/env bash
# Spreadsheet benchmark: `forms` and `import` for a synthetic project of
# UNITS units (default 3000), timed with /usr/bin/time -v.
# Usage: scripts/bench-sheets.sh [UNITS]     RUNS=3 by default.
# Prints one line per run: units, what, wall seconds, user+sys CPU seconds, peak RSS MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
units=${1:-3000}
runs=${RUNS:-3}
cargo build --quiet --release --bin ecoscore --example fixture --example fill_forms
bin=target/release/ecoscore
work=${BENCH_DIR:-target/bench}
mkdir -p "$work"
project="$work/fixture-$units"
[ -d "$project" ] || target/release/examples/fixture --units "$units" --years 5 --seed 1 --out "$project" >/dev/null
year=2025
filled="$work/filled-$units"
rm -rf "$filled"
target/release/examples/fill_forms --root "$project" --year "$year" --out "$filled" >/dev/null
# import --force rewrites the fixture's results; each run starts from the generated ones.
results="$project/data/$year/results"
[ -d "$work/results-$units.orig" ] || cp -r "$results" "$work/results-$units.orig"

measure() { # label, then the command
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
  awk -v label="$label" -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
    /User time/ { user = $2 } /System time/ { sys = $2 }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "%s\t%.2f\t%.2f\t%.0f\n", label, wall, user + sys, rss }' "$log"
  rm -f "$log"
}

printf "units\twhat\twall_s\tcpu_s\tpeak_MiB\n"
for i in $(seq "$runs"); do
  rm -rf "$work/forms-$units"
  measure "$units	forms (write all)" "$bin" --root "$project" forms --year "$year" --out "$work/forms-$units"
  measure "$units	forms (all unchanged)" "$bin" --root "$project" forms --year "$year" --out "$work/forms-$units"
  # Every form read and checked; no field changed, so nothing is written.
  measure "$units	import (check only)" "$bin" --root "$project" import "$filled"
  # The same, and every results file rewritten.
  rm -rf "$results" && cp -r "$work/results-$units.orig" "$results"
  measure "$units	import --force" "$bin" --root "$project" import --force "$filled"
done
rm -rf "$results" && cp -r "$work/results-$units.orig" "$results"
