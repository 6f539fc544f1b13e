#!/usr/bin/env bash
# validate-json.sh <lab log>...: every JSON document the lab printed, checked
# against docs/schema/pcifront-diag.schema.json with Debian's
# python3-jsonschema (scripts/setup-host.sh installs it). Documents are the
# module's reports (domU| lines, as the lab's domU prints its debugfs report)
# and the dom0 command's --json outputs (pfd| lines); each is validated
# against the $defs entry of its kind: module_report, dom0, dom0_all, check
# (with the module's reports it carries), host. Fails on any document that
# does not validate, and if no document of a kind was found: then the lab
# no longer prints it, and nothing was checked. A line that starts a
# document but does not parse (a loaded lab's console can break a long
# line) is counted and named, not validated.
source "$(dirname "$0")/lib.sh"
[ $# -gt 0 ] || die "usage: $0 <lab log>..."
# Debian's interpreter and package, whatever python3 comes first on PATH.
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
	die "python3-jsonschema is not installed (scripts/setup-host.sh installs it)"
exec /usr/bin/python3 - "$TOP/docs/schema/pcifront-diag.schema.json" "$@" <<'PY'
import json
import re
import sys

import jsonschema

KINDS = ("module_report", "dom0", "dom0_all", "check", "host")
# "[  12.34] domU| {...}" or "[  12.34] pfd| {...}": the lab log's timestamp,
# the console's tag, and a JSON object.
LINE = re.compile(r"^\[ *[0-9.]+\] (domU|pfd)\| (\{.*)$")


def kind_of(doc):
    """The $defs entry a document is checked against, by the fields that tell them apart."""
    if "context" in doc:
        return "module_report"
    if "all" in doc:
        return "dom0_all"
    if "config" in doc:
        return "check"
    if "domid" in doc:
        return "dom0"
    if "strict" in doc:
        return "host"
    return None


def deepest(error):
    """Inside anyOf (a module report or null): the branches' error that reached deepest."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def validator(schema, kind):
    sub = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/" + kind}
    return jsonschema.Draft202012Validator(sub)


def main(schema_path, logs):
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validators = {k: validator(schema, k) for k in KINDS}
    found = {k: 0 for k in KINDS}
    bad = unreadable = 0
    for log in logs:
        try:
            f = open(log, errors="replace")
        except OSError as e:
            print(f"{log}: {e.strerror}: not checked")
            bad += 1
            continue
        with f:
            for n, line in enumerate(f, 1):
                m = LINE.match(line.rstrip("\r\n"))
                if not m:
                    continue
                where = f"{log}:{n}"
                try:
                    doc = json.loads(m.group(2))
                except ValueError as e:
                    unreadable += 1
                    print(f"{where}: not one JSON line (broken by the console?): {e}")
                    continue
                kind = kind_of(doc) if isinstance(doc, dict) else None
                if kind is None:
                    continue
                errors = sorted(validators[kind].iter_errors(doc), key=lambda e: list(e.path))
                for e in map(deepest, errors[:5]):
                    path = "/".join(str(p) for p in e.absolute_path)
                    print(f"{where}: {kind} INVALID at /{path}: {e.message[:300]}")
                bad += bool(errors)
                found[kind] += 1
                if kind == "check":
                    found["module_report"] += sum(1 for d in doc["devices"] if d.get("guest"))
    print("documents:", ", ".join(f"{k} {v}" for k, v in found.items()),
          f"; invalid {bad}; unreadable lines {unreadable}")
    missing = [k for k, v in found.items() if v == 0]
    if missing:
        print("no document of kind:", ", ".join(missing), "(the lab no longer prints it?)")
    return 1 if bad or missing else 0


sys.exit(main(sys.argv[1], sys.argv[2:]))
PY
