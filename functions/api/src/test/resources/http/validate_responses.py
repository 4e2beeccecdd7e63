"""Checks recorded HTTP responses against docs/openapi.yaml.

usage: validate_responses.py SPEC CASES

CASES is a JSON array of {"name", "method", "path", "status", "headers", "body"} where "path" is
the spec's path template (e.g. "/tasks/{id}") and "body" is the response body as text. For each
case this finds the operation's response for that status (following $refs), checks that the
Content-Type is one the spec lists, that every required response header is present and matches
its schema, and validates the parsed body against the media type's schema (JSON Schema 2020-12,
formats checked, $refs resolved inside the spec). Prints one line per failure; exits 1 if any.
"""
import json
import sys

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:agent-tasks:openapi"


def pointer_escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def follow(spec, pointer):
    node = spec
    for raw in pointer.lstrip("#/").split("/"):
        node = node[raw.replace("~1", "/").replace("~0", "~")]
    return node


def resolve(spec, node, pointer):
    """Follows local $refs; returns (node, pointer of node)."""
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        node = follow(spec, pointer)
    return node, pointer


def validator_for(registry, pointer):
    return Draft202012Validator({"$ref": SPEC_URI + pointer}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def check(spec, registry, case):
    failures = []
    name = case["name"]
    operation = spec["paths"].get(case["path"], {}).get(case["method"].lower())
    if operation is None:
        return [f"{name}: no operation {case['method']} {case['path']} in the spec"]
    status = str(case["status"])
    base = f"#/paths/{pointer_escape(case['path'])}/{case['method'].lower()}/responses/{status}"
    if status not in operation["responses"]:
        return [f"{name}: status {status} is not documented for {case['method']} {case['path']}"]
    response, pointer = resolve(spec, operation["responses"][status], base)

    headers = {k.lower(): v for k, v in case["headers"].items()}
    for header_name, header in response.get("headers", {}).items():
        header, header_pointer = resolve(spec, header, f"{pointer}/headers/{pointer_escape(header_name)}")
        value = headers.get(header_name.lower())
        if value is None:
            if header.get("required"):
                failures.append(f"{name}: required header {header_name} missing")
            continue
        for error in validator_for(registry, header_pointer + "/schema").iter_errors(value):
            failures.append(f"{name}: header {header_name}={value!r}: {error.message}")

    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    content = response.get("content", {})
    if not content:
        if case["body"]:
            failures.append(f"{name}: the spec documents no body, but one was sent: {case['body']!r}")
        return failures
    if content_type not in content:
        failures.append(f"{name}: Content-Type {content_type!r} not among {sorted(content)}")
        return failures
    try:
        body = json.loads(case["body"])
    except (TypeError, ValueError) as e:
        failures.append(f"{name}: body is not JSON ({e}): {case['body']!r}")
        return failures
    schema_pointer = f"{pointer}/content/{pointer_escape(content_type)}/schema"
    for error in validator_for(registry, schema_pointer).iter_errors(body):
        where = "/".join(str(p) for p in error.absolute_path)
        failures.append(f"{name}: body at /{where}: {error.message}")
    return failures


def main():
    spec_path, cases_path = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
    registry = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec))
    failures = []
    for case in cases:
        failures.extend(check(spec, registry, case))
    for failure in failures:
        print(failure)
    print(f"{len(cases)} responses checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
