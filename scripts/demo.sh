#!/usr/bin/env bash
# Runs Cascade's shop demo on a machine with only a JDK 17 and Maven: builds the provider and the
# samples with the reactor (no tests, no `mvn install`), then runs dev.cascade.samples.demo.ShopDemo.
# With no options the demo starts its own redis-server on a free port (the system one, else the
# Redis 6.2 binary shipped in the embedded-redis jar) and uses an in-memory H2 database.
#
#   scripts/demo.sh [demo options]
#   scripts/demo.sh --duration 10s --jdbc-url 'jdbc:mysql://127.0.0.1:3306/test?user=root'
#   scripts/demo.sh --help
#
# The HTML report goes to samples/target/cascade-demo-report.html unless --report says otherwise.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

command -v java >/dev/null 2>&1 || { echo "[demo.sh] java not found: install a JDK 17 or newer" >&2; exit 1; }
command -v mvn >/dev/null 2>&1 || { echo "[demo.sh] mvn not found: install Maven 3.8 or newer" >&2; exit 1; }

echo "[demo.sh] building the provider and the samples (mvn -q, about a minute the first time)"
if ! mvn -q -B -ntp -pl samples -am package -Dmaven.test.skip=true >/tmp/cascade-demo-build.log 2>&1; then
  tail -n 40 /tmp/cascade-demo-build.log >&2
  echo "[demo.sh] the build failed; the full log is /tmp/cascade-demo-build.log" >&2
  exit 1
fi

# target/lib holds the runtime dependencies (copied at package time), the provider jar among them
exec java -Dcascade.demo.report="$repo_root/samples/target/cascade-demo-report.html" \
  -cp "samples/target/classes:samples/target/lib/*" dev.cascade.samples.demo.ShopDemo "$@"
