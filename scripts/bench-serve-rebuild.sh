#!/bin/sh
# How long `ecoscore serve` takes to show a one-file edit of the sample.
#
# Starts serve on a copy of the repository's sample project, then RUNS times
# flips one unit's satisfaction figure (data/2024/results/changchun.yaml,
# 89.2 <-> 80.2) and polls the unit's scorecard until the new section score
# is served. Prints, for each run and as medians:
#   rebuild  — serve's own "rebuilt in N ms" (load + validate + score + render
#              of the whole site in memory, drafts included)
#   visible  — from the write to the new figure being served over HTTP
#              (includes the 100 ms debounce and the polling interval)
#
# Usage: cargo build --release && scripts/bench-serve-rebuild.sh
#        ECOSCORE=path/to/ecoscore RUNS=31 scripts/bench-serve-rebuild.sh
# Needs curl. Run it from the repository root.
set -eu

bin=${ECOSCORE:-target/release/ecoscore}
runs=${RUNS:-21}
work=$(mktemp -d)
cp -r site.yaml data content themes "$work"/
log="$work/serve.log"

"$bin" --root "$work" serve --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT

url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^serving \(http[^ ]*\).*/\1/p' "$log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "serve did not start:"; cat "$log"; exit 1; }
page="${url}2024/regions/changchun/index.html"
file="$work/data/2024/results/changchun.yaml"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

visible=""
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 1 ]; then from=89.2 to=80.2 expect=12.03; else from=80.2 to=89.2 expect=13.38; fi
  start=$(now_ms)
  sed -i "s/^satisfaction: $from\$/satisfaction: $to/" "$file"
  until curl -fs "$page" | grep -q "$expect"; do sleep 0.005; done
  took=$(( $(now_ms) - start ))
  visible="$visible $took"
  sleep 0.3
done

rebuilds=$(sed -n 's/.*rebuilt in \([0-9]*\) ms.*/\1/p' "$log")
echo "machine: $(nproc) cores, $(uname -sr); runs: $runs"
echo "rebuild ms: $(echo "$rebuilds" | tr '\n' ' ')"
echo "visible ms: $visible"
echo "median rebuild: $(echo "$rebuilds" | median) ms"
echo "median visible: $(echo "$visible" | tr ' ' '\n' | grep . | median) ms"
