#!/usr/bin/env bash
# Logging start-up: a fresh JVM (the template's JAVA_TOOL_OPTIONS) runs bench/LoggingStartup with only a function's
# deployable jar on the class path, or slf4j-api + slf4j-simple for comparison, and reports the time from before
# the first LoggerFactory.getLogger to after the first line. Prints the median (min-max) of each configuration.
# Run from the repo root after `mvn -B -o -q -DskipTests package`.
# Usage: bench/logging-startup.sh [runs] [another-submit-function.jar, e.g. one built before a change]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
other=${2:-}
jar=functions/submit/target/submit-function.jar
m2=${MAVEN_REPO:-$HOME/.m2/repository}
slf4j=$(sed -n 's:.*<slf4j.version>\(.*\)</slf4j.version>.*:\1:p' pom.xml)
simple="$m2/org/slf4j/slf4j-api/$slf4j/slf4j-api-$slf4j.jar:$m2/org/slf4j/slf4j-simple/$slf4j/slf4j-simple-$slf4j.jar"
mkdir -p bench/target/logging-startup
javac -d bench/target/logging-startup -cp "$jar" bench/LoggingStartup.java
opts=(-XX:+TieredCompilation -XX:TieredStopAtLevel=1)

measure() {
  local label=$1 cp=$2
  shift 2
  local times=()
  for _ in $(seq 1 "$runs"); do
    times+=("$(java "${opts[@]}" "$@" -cp "$cp:bench/target/logging-startup" LoggingStartup 2>&1 >/dev/null | tail -1)")
  done
  python3 - "$label" "${times[@]}" <<'PY'
import statistics, sys
label, times = sys.argv[1], [float(t) for t in sys.argv[2:]]
print("%-58s median %5.0f ms  (%.0f-%.0f, %d runs)" % (label, statistics.median(times), min(times), max(times), len(times)))
PY
}

measure "slf4j-simple" "$simple"
measure "$jar, text" "$jar" -Dagenttasks.log.format=text
measure "$jar, JSON" "$jar" -Dagenttasks.log.format=json
if [ -n "$other" ]; then
  measure "$other, text" "$other" -Dagenttasks.log.format=text
  measure "$other, JSON" "$other" -Dagenttasks.log.format=json
fi
