#!/usr/bin/env bash
# Checks the tools the build and the local stack need; says how to install what is missing.
set -u
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
need python3 "install Python 3 (e.g. apt-get install python3 python3-pip)"
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import moto.server, moto.moto_server.werkzeug_app' >/dev/null 2>&1; then
  echo "missing: moto server for python3 — python3 -m pip install 'moto[server]'  (stands in for DynamoDB and SQS)" >&2
  missing=1
fi
need cfn-lint "python3 -m pip install cfn-lint  (lints template.yaml)"
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import samtranslator, cfnlint.decode' >/dev/null 2>&1; then
  echo "missing: AWS SAM's translator for python3 — python3 -m pip install cfn-lint  (brings aws-sam-translator; the template and least-privilege tests run it)" >&2
  missing=1
fi
need openapi-spec-validator "python3 -m pip install openapi-spec-validator  (validates docs/openapi.yaml)"
if command -v java >/dev/null 2>&1; then
  version=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
  major=${version%%.*}
  if [ -n "$major" ] && [ "$major" -lt 17 ] 2>/dev/null; then
    echo "java is version $version; JDK 17 or newer is required" >&2
    missing=1
  fi
fi
if [ "$missing" -ne 0 ]; then
  echo "prerequisites missing: see above" >&2
  exit 1
fi
