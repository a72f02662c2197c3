#!/usr/bin/env bash
# End-to-end build benchmark: generate synthetic projects of several sizes and
# time clean builds, no-change rebuilds, rebuilds after a one-file edit (a
# unit's results in the latest year; a narrative of the earliest year) and
# `check` with /usr/bin/time -v.
# Usage: scripts/bench.sh [UNITS...]   (default: 12 300 3000; 5 years each)
# OUT_DIR=/dev/shm scripts/bench.sh …  builds into a folder there instead of
#   <project>/public (to tell the file system's cost from ecoscore's).
# Prints one line per run: units, what, wall seconds, user+sys CPU seconds, peak RSS MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(12 300 3000)
runs=${RUNS:-3}
cargo build --quiet --release --bin ecoscore --example fixture
bin=target/release/ecoscore
work=${BENCH_DIR:-target/bench}
mkdir -p "$work"

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
for units in "${sizes[@]}"; do
  project="$work/fixture-$units"
  [ -d "$project" ] || target/release/examples/fixture --units "$units" --years 5 --seed 1 --out "$project" >/dev/null
  out="$project/public"
  [ -z "${OUT_DIR:-}" ] || out="$OUT_DIR/public-$units"
  # The earliest year's first narrative (every later year sees that year, so
  # every year is rendered again) and a unit's results in the latest year
  # (the earlier years are kept from the previous output).
  narrative=$(find "$project/content" -path '*/regions/*.md' | LC_ALL=C sort | sed -n 1p) # sed reads all: no SIGPIPE under pipefail
  latest=$(find "$project/data" -mindepth 1 -maxdepth 1 -name '[0-9][0-9][0-9][0-9]' | LC_ALL=C sort | tail -n 1)
  results=$(find "$latest/results" -name '*.yaml' | LC_ALL=C sort | sed -n 1p)
  for i in $(seq "$runs"); do
    # Clean: no output, and no validated years kept from an earlier build.
    rm -rf "$out" "$project/.ecoscore-cache"
    measure "$units	clean build" "$bin" --root "$project" build --out "$out"
    measure "$units	no-change rebuild" "$bin" --root "$project" build --out "$out"
    cp "$results" "$work/results.orig"
    sed -i 's/^satisfaction: .*/satisfaction: 77.7/' "$results"
    measure "$units	results edit rebuild (latest year)" "$bin" --root "$project" build --out "$out"
    mv "$work/results.orig" "$results"
    cp "$narrative" "$work/narrative.orig"
    echo "补充说明（基准测试）。" >>"$narrative"
    measure "$units	narrative edit rebuild (earliest year)" "$bin" --root "$project" build --out "$out"
    mv "$work/narrative.orig" "$narrative"
    measure "$units	check" "$bin" --root "$project" check
  done
done
