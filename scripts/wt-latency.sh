#!/usr/bin/env bash
# Write-through put p50 against its floor (issue 14): a raw autocommitted MariaDB upsert and a raw
# Lettuce GET, measured by WriteThroughLatencyBench in one JVM session each round; with several
# jars (e.g. before and after a change), the rounds alternate between them so load drifts hit both.
#
#   scripts/wt-latency.sh [-n ROUNDS] JAR [JAR...]     (default 3 rounds; build a jar with
#   mvn -q -B -pl benchmarks -am package -DskipTests, never mvn install)
set -euo pipefail
rounds=3
if [[ "${1:-}" == "-n" ]]; then rounds=$2; shift 2; fi
[[ $# -ge 1 ]] || { echo "usage: $0 [-n ROUNDS] JAR [JAR...]" >&2; exit 2; }
out=$(mktemp -d /tmp/wt-latency.XXXXXX)
echo "date: $(date -u)  load: $(cut -d' ' -f1-3 /proc/loadavg)  results: $out"
printf '%-5s %-14s %8s %8s %8s %8s %9s %9s  %s\n' round build upsert get writer put put-upsert put-writer 'target: put <= upsert + 2 x get (p50, us)'
for r in $(seq 1 "$rounds"); do
  for jar in "$@"; do
    # one file per round and jar, named after the jar's whole path (any path will do)
    json="$out/r$r-$(printf '%s' "$jar" | tr -c 'A-Za-z0-9' '_').json"
    java -cp "$jar" org.openjdk.jmh.Main 'WriteThroughLatencyBench' \
      -f 1 -wi 2 -w 2s -i 3 -r 3s -rf json -rff "$json" > "$json.log" 2>&1
    python3 - "$r" "$jar" "$json" <<'PY'
import json, sys
r, jar, path = sys.argv[1:]
p50 = {b["params"]["mode"]: b["primaryMetric"]["scorePercentiles"]["50.0"] for b in json.load(open(path))}
u, g, w, p = (p50[m] for m in ("upsert", "redis-get", "writer", "write-through"))
build = jar.split("/benchmarks/target/")[0].rsplit("/", 1)[-1] if "/benchmarks/target/" in jar else jar.rsplit("/", 1)[-1]
print(f"{r:<5} {build[-14:]:<14} {u:8.0f} {g:8.0f} {w:8.0f} {p:8.0f} {p-u:9.0f} {p-w:9.0f}  "
      f"{'ok' if p <= u + 2*g else 'ABOVE'} (put - upsert = {(p-u)/g:.1f} x get)")
PY
    grep -h "^write-through:" "$json.log" | sed 's/^/      /' || true
  done
done
