#!/usr/bin/env bash
# Side by side: ecoscore and Hugo (Debian package `hugo`) rendering the same
# number of comparable table pages from a data file, on the same machine in
# the same run. Prints pages per second for both.
# Usage: scripts/bench-hugo.sh [UNITS] [YEARS]   (default 3000 × 5 = 15,000 scorecards)
# OUT_DIR=/dev/shm scripts/bench-hugo.sh …  both write their sites there (to
#   leave the disk's cost out: ecoscore writes 3.6 times as many files).
set -euo pipefail
cd "$(dirname "$0")/.."
units=${1:-3000}
years=${2:-5}
pages=$((units * years))
command -v hugo >/dev/null || { echo "hugo not found: apt-get install -y hugo" >&2; exit 1; }
cargo build --quiet --release --bin ecoscore --example fixture
work=${BENCH_DIR:-target/bench}
mkdir -p "$work"

project="$work/fixture-$units-$years"
[ -d "$project" ] || target/release/examples/fixture --units "$units" --years "$years" --seed 1 --out "$project" >/dev/null

# A Hugo site with one page per unit and year, each a 20-row table of
# indicator, target and value looked up in a data file (data/units.json).
hugo_site="$work/hugo-$pages"
if [ ! -d "$hugo_site" ]; then
  mkdir -p "$hugo_site/content/u" "$hugo_site/data" "$hugo_site/layouts/_default"
  python3 - "$hugo_site" "$units" "$years" <<'PY'
import json, random, sys, os
site, units, years = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
indicators = ["good_air_days", "pm25", "heavy_pollution_days", "surface_water_good", "surface_water_inferior",
              "groundwater_class_v", "drinking_water", "co2_intensity_reduction", "energy_intensity_reduction",
              "non_fossil_share", "nox_reduction", "voc_reduction", "cod_reduction", "ammonia_reduction",
              "rural_sewage", "farmland_safe_use", "contaminated_land_safe_use", "eqi", "forest_coverage",
              "redline_rectification"]
data = {}
for u in range(units):
    for y in range(years):
        key = f"u{u+1:05}-{2021+y}"
        data[key] = {"name": f"单位{u+1}", "year": 2021 + y,
                     "rows": [{"id": i, "target": round(random.uniform(10, 100), 1),
                               "value": round(random.uniform(10, 100), 1)} for i in indicators]}
        with open(os.path.join(site, "content", "u", key + ".md"), "w") as f:
            f.write(f"---\ntitle: \"{key}\"\nkey: \"{key}\"\n---\n")
with open(os.path.join(site, "data", "units.json"), "w") as f:
    json.dump(data, f)
with open(os.path.join(site, "config.toml"), "w") as f:
    f.write('baseURL = "https://example.gov.cn/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
with open(os.path.join(site, "layouts", "_default", "single.html"), "w") as f:
    f.write('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>'
            '{{ $d := index site.Data.units .Params.key }}<h1>{{ $d.name }} {{ $d.year }}</h1>'
            '<table><tr><th>指标</th><th>目标</th><th>实际</th><th>完成</th></tr>'
            '{{ range $d.rows }}<tr><td>{{ .id }}</td><td>{{ .target }}</td><td>{{ .value }}</td>'
            '<td>{{ if ge .value .target }}✓{{ else }}✗{{ end }}</td></tr>{{ end }}</table></body></html>')
with open(os.path.join(site, "layouts", "_default", "list.html"), "w") as f:
    f.write('<!DOCTYPE html><html><body>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</body></html>')
PY
fi

time_it() { # label, command...
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
  awk -v label="$label" -v pages="$pages" -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
    /User time/ { user = $2 } /System time/ { sys = $2 }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "%-9s %6d pages  %7.2f s wall  %8.0f pages/s  %7.2f s CPU  %8.0f pages/CPU-s  %6.0f MiB peak\n", label, pages, wall, pages / wall, user + sys, pages / (user + sys), rss }' "$log"
  rm -f "$log"
}

echo "machine: $(nproc) cores; $(hugo version | cut -d' ' -f1-2)"
ecoscore_out="$project/public"
hugo_out="$hugo_site/public"
[ -z "${OUT_DIR:-}" ] || { ecoscore_out="$OUT_DIR/ecoscore-public"; hugo_out="$OUT_DIR/hugo-public"; }
for run in 1 2 3; do
  # Clean: no output, and no validated years kept from an earlier build.
  rm -rf "$ecoscore_out" "$hugo_out" "$project/.ecoscore-cache"
  time_it ecoscore target/release/ecoscore --root "$project" build --out "$ecoscore_out"
  time_it hugo hugo --source "$hugo_site" --destination "$hugo_out" --quiet
done
