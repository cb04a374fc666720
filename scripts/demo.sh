#!/usr/bin/env bash
# Runs Cascade's demo on a machine with only a JDK and Maven: builds the provider and the samples
# (without tests), then runs the demo, which starts its own redis-server on a free port.
#
#   scripts/demo.sh [demo arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -ntp -DskipTests -pl samples -am install
exec mvn -q -B -ntp -pl samples exec:java -Dexec.args="$*"
