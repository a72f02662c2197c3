#!/bin/sh
# How long `ecoscore serve` takes to show a one-file edit, and its memory.
#
# Starts serve on a copy of the repository's sample project (or on PROJECT,
# used in place: e.g. the 3,000-unit fixture), then RUNS times flips one
# unit's satisfaction figure in FILE (default data/2024/results/changchun.yaml
# of the sample, 89.2 <-> 80.2; for PROJECT the first unit's results in the
# latest year, its figure <-> 77.7) and polls the unit's scorecard until the
# page carries a new live-reload version and the new figure. Prints, for each
# run and as medians:
#   rebuild  — serve's own "rebuilt in N ms" (load + validate + score +
#              render in memory of what changed, drafts included)
#   visible  — from the write to the new figure being served over HTTP
#              (includes the 100 ms debounce and the polling interval)
#   CPU      — serve's CPU time (user + system) from the write to the figure
#   peak RSS — serve's resident high-water mark (VmHWM) at the end
#   stages   — serve's own per-stage timings of each build (`-v`)
#
# Usage: cargo build --release && scripts/bench-serve-rebuild.sh
#        ECOSCORE=path/to/ecoscore RUNS=31 scripts/bench-serve-rebuild.sh
#        PROJECT=target/bench/fixture-3000 RUNS=5 scripts/bench-serve-rebuild.sh
# Needs curl. Run it from the repository root.
set -eu

bin=${ECOSCORE:-target/release/ecoscore}
runs=${RUNS:-21}
scratch=$(mktemp -d)
log="$scratch/serve.log"
if [ -n "${PROJECT:-}" ]; then
  work=$PROJECT
  latest=$(find "$work/data" -mindepth 1 -maxdepth 1 -name '[0-9][0-9][0-9][0-9]' | LC_ALL=C sort | tail -n 1)
  file=$(find "$latest/results" -name '*.yaml' | LC_ALL=C sort | sed -n 1p)
  unit=$(basename "$file" .yaml)
  one=$(sed -n 's/^satisfaction: //p' "$file")
  two=77.7
  cp "$file" "$scratch/results.orig"
  restore="cp '$scratch/results.orig' '$file'"
else
  work=$scratch/project
  mkdir "$work"
  cp -r site.yaml data content themes "$work"/
  latest=$work/data/2024
  file="$work/data/2024/results/changchun.yaml"
  unit=changchun
  one=89.2 two=80.2
  restore=true
fi
year=$(basename "$latest")

"$bin" -v --root "$work" serve --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; eval "$restore"; rm -rf "$scratch"' EXIT

url=""
for _ in $(seq 1 6000); do # the first render of a national project takes a while
  url=$(sed -n 's/^serving \(http[^ ]*\).*/\1/p' "$log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "serve did not start:"; cat "$log"; exit 1; }
page="${url}$year/regions/$unit/index.html"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
version() { curl -fs "$page" | sed -n 's/.*data-ecoscore-version="\([^"]*\)".*/\1/p'; }
# serve's CPU time so far (user + system), in ms: steadier than wall time on a busy machine.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$pid/stat"; }

visible=""
cpu=""
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 1 ]; then from=$one to=$two; else from=$two to=$one; fi
  before=$(version)
  start=$(now_ms)
  cpu_before=$(cpu_ms)
  sed -i "s/^satisfaction: $from\$/satisfaction: $to/" "$file"
  until v=$(version) && [ -n "$v" ] && [ "$v" != "$before" ]; do sleep 0.005; done
  took=$(( $(now_ms) - start ))
  curl -fs "$page" | grep -q "$to" || { echo "the new figure $to is not on $page"; exit 1; }
  visible="$visible $took"
  cpu="$cpu $(( $(cpu_ms) - cpu_before ))"
  sleep 0.3
done

peak=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
rebuilds=$(sed -n 's/.*rebuilt in \([0-9]*\) ms.*/\1/p' "$log")
echo "machine: $(nproc) cores, $(uname -sr); runs: $runs"
echo "rebuild ms: $(echo "$rebuilds" | tr '\n' ' ')"
echo "visible ms: $visible"
echo "median rebuild: $(echo "$rebuilds" | median) ms"
echo "median visible: $(echo "$visible" | tr ' ' '\n' | grep . | median) ms"
echo "CPU ms per edit: $cpu (median $(echo "$cpu" | tr ' ' '\n' | grep . | median))"
echo "peak RSS: $((peak / 1024)) MiB"
echo "stages (first build, then each rebuild):"
grep -E '^load [0-9]+ ms' "$log" || true
