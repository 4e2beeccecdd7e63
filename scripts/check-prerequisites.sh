#!/usr/bin/env bash
# Checks the tools the build and the local stack need and says how to install what is missing. The Python
# tools (moto server, cfn-lint, openapi-spec-validator) are decided by the same code the build runs
# (infra/python-tools' PythonTools, run from source): python3's own when it has them, else the project's
# virtual environment under ~/.cache/agent-tasks, created here with pinned versions if it is not there yet.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
missing=0
need() {
  local tool=$1 hint=$2
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "missing: $tool — $hint" >&2
    missing=1
  fi
}
need java "install JDK 17 or newer (e.g. apt-get install openjdk-17-jdk)"
need mvn "install Maven 3.8+ (e.g. apt-get install maven)"
java_ok=0
if command -v java >/dev/null 2>&1; then
  version=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
  major=${version%%.*}
  if [ -n "$major" ] && [ "$major" -lt 17 ] 2>/dev/null; then
    echo "java is version $version; JDK 17 or newer is required" >&2
    missing=1
  else
    java_ok=1
  fi
fi
if [ "$java_ok" -eq 1 ]; then
  if ! java "$root/infra/python-tools/src/main/java/dev/agenttasks/pythontools/PythonTools.java" --quiet; then
    missing=1
  fi
fi
if [ "$missing" -ne 0 ]; then
  echo "prerequisites missing: see above" >&2
  exit 1
fi
