#!/usr/bin/env bash
# Runs the benchmarks: Cascade side by side with raw Lettuce and Redisson's JCache, against one
# private redis-server (never the system Redis on 6379), and prints the ratio table of DESIGN.md
# "Performance targets" plus the commands and round trips per call; then the write-behind part
# against the test database (MariaDB/MySQL): put latency write-behind vs write-through, flush rate
# vs a raw JDBC batched upsert, and coalescing on a Zipf stream.
#
#   scripts/bench.sh [quick|full] [--only REGEX] [--no-counts] [--write-behind | --no-write-behind]
#
#   quick  (default) cache part -f 1 -wi 1 -w 2s -i 2 -r 2s: about 11-12 minutes on 2 cores (8.5 of
#                    JMH: 44 forks, each with ~5 s of JVM start, client start-up and 10,000-key
#                    populate); then the write-behind part, about 4 minutes: 16 in all
#   full             -f 1 -wi 3 -w 3s -i 5 -r 3s: about 25 minutes, write-behind about 8 more (estimated)
#   --only REGEX     JMH include pattern over all JMH benchmarks, e.g. 'CascadeBench.T1.get.*' or
#                    'WriteBehindFlushBench' (the tables show what ran)
#   --no-counts      skip the commands-per-call counting that follows JMH (about 2 minutes)
#   --write-behind   only the write-behind part (about 4 minutes in quick)
#   --no-write-behind  skip the write-behind part
#   --wb-parts LIST  some of latency,flush,coalescing (default all three)
#
#   scripts/bench.sh memory [...]  Redis memory per entry (MemoryBench; docs/benchmarks.md "Memory per entry")
#   scripts/bench.sh near [--seconds 2] [--rounds 3] [--keys 1000] [--topologies standalone,cluster]
#                    a near-cache hit vs a remote get, one thread, on one server and on a 3-master
#                    cluster, eternal and with an accessed expiry (NearBench; docs/benchmarks.md); no JMH
#   scripts/bench.sh scale [--parts bulk,entries,drain] [--repeats 3] [--sizes 10,100,1000,10000]
#                          [--entries 1000000] [--entry-systems cascade,redisson]
#                          [--backlogs 100000,300000,1000000] [--batch 500]
#                    how cost grows with the work (ScaleBench; docs/benchmarks.md "Scale"): getAll/putAll
#                    at growing sizes, clear/removeAll/iteration over 1M entries with SLOWLOG/LATENCY,
#                    a write-behind backlog draining into the database; no JMH
#
# Results land in benchmarks/target/bench-results/: report.txt (what is printed), jmh-result.json,
# jmh-output.txt (JMH's log of every iteration), machine.txt, and wb-*.json / wb-details.tsv /
# wb-jmh-output.txt for the write-behind part. Reprint the tables with
#   java -jar benchmarks/target/benchmarks.jar report benchmarks/target/bench-results
#
# Needs redis-server on the PATH (else the one in the embedded-redis jar is used), a JDK 17 and,
# for the write-behind part, the database of CASCADE_TEST_JDBC_URL (default
# jdbc:mysql://127.0.0.1:3306/test?user=root); its tables are named wbb_<run>_* and dropped.
# Builds with the reactor only; it never runs `mvn install`.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

echo "[bench.sh] building benchmarks/target/benchmarks.jar"
mvn -q -B -ntp -pl benchmarks -am package -DskipTests

exec java -jar benchmarks/target/benchmarks.jar --out benchmarks/target/bench-results "$@"
