"""Security figures: runs the security suite and Django's deploy checks, prints one summary.

    python -m bench.security

Runs ``pytest tests/security`` (plus the race tests that live with their apps:
five policy versions at most, ten attachments at most, one expiry run's work)
in a subprocess against PostgreSQL (``DATABASE_URL``, default a scratch
``iam_bench_security`` whose test database pytest creates and drops), with a
JUnit report for the outcomes and the suite's own counters as JSON
(``IAM_SECURITY_FIGURES``, written by tests/security/conftest.py); then
``manage.py check --deploy --fail-level WARNING`` with production settings, as
tests/core/test_deploy_security.py does. Prints the figures SECURITY.md quotes.
Exit status 0.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCED_RACES = [
    "tests/policies/test_policy_versions.py::test_two_concurrent_fifth_versions_cannot_make_six",
    "tests/policies/test_attachments.py::test_two_concurrent_tenth_attachments_cannot_make_eleven",
    "tests/sts/test_expiry_tasks.py::test_two_concurrent_expiry_runs_do_no_double_work",
]
SECRET_LEAK_TEST = "test_no_secret_leaks_anywhere"


def _run_suite(workdir: Path) -> tuple[dict, dict, float, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iam_bench_security")
    env.setdefault("IAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    env["IAM_SECURITY_FIGURES"] = str(workdir / "figures.json")
    junit = workdir / "junit.xml"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/security", *REFERENCED_RACES, "-q",
         "-p", "no:cacheprovider", f"--junitxml={junit}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    elapsed = time.monotonic() - started
    figures = json.loads((workdir / "figures.json").read_text()) if (
        workdir / "figures.json").exists() else {"figures": {}, "violations": []}
    return figures, _outcomes(junit), elapsed, result.stdout[-3000:] + result.stderr[-2000:]


def _outcomes(junit: Path) -> dict:
    """Per test id: "passed", "failed", "skipped" or "xfailed"."""
    outcomes = {}
    if not junit.exists():
        return outcomes
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        skipped = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None:
            outcomes[name] = "failed"
        elif skipped is not None:
            xfail = "xfail" in (skipped.get("type", "") + skipped.get("message", "")).lower()
            outcomes[name] = "xfailed" if xfail else "skipped"
        else:
            outcomes[name] = "passed"
    return outcomes


def _deploy_check_issues() -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"IAM_HTTPS", "IAM_SECURE_COOKIES", "DEBUG", "IAM_EMBEDDED",
                        "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({
        "DATABASE_URL": "postgres://iam:secret@db.internal:5432/iam",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "IAM_ENCRYPTION_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "ALLOWED_HOSTS": "iam.example.com",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    })
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    output = result.stdout + result.stderr
    if "no issues" in output and result.returncode == 0:
        return 0, output
    found = re.search(r"identified (\d+) issue", output)
    return (int(found.group(1)) if found else 1), output


def main() -> int:
    with tempfile.TemporaryDirectory() as workdir:
        data, outcomes, elapsed, tail = _run_suite(Path(workdir))
    counts = data["figures"]
    tally = {state: sum(1 for o in outcomes.values() if o == state)
             for state in ("passed", "failed", "skipped", "xfailed")}
    referenced = {name: state for name, state in outcomes.items()
                  if any(name.endswith(race.rsplit("::", 1)[1]) for race in REFERENCED_RACES)}
    race_tests = [n for n in outcomes if "test_races" in n] + list(referenced)
    race_violations = counts.get("race_violations", 0) + sum(
        1 for name in race_tests if outcomes.get(name) == "failed")
    # The journey through every kind of secret (events, logs, pages) must pass, and the
    # fault tests count what the production servers they ran logged.
    leak = [state for name, state in outcomes.items() if name.endswith(SECRET_LEAK_TEST)]
    secrets_found = (str(counts.get("secrets_found", 0)) if leak == ["passed"]
                     else f"unknown (the leak test {leak[0] if leak else 'did not run'})")
    deploy_issues, deploy_output = _deploy_check_issues()

    print(f"security suite: {len(outcomes)} tests in {elapsed:.0f} s: {tally['passed']} passed, "
          f"{tally['failed']} failed, {tally['skipped']} skipped, {tally['xfailed']} xfailed "
          "(known divergences, see SECURITY.md)")
    print(f"escalation cases tried: {counts.get('escalation_tried', 0)}, refused with "
          f"AccessDenied and nothing changed: {counts.get('escalation_refused', 0)}")
    print(f"positive controls (the permission AWS requires) succeeded: "
          f"{counts.get('escalation_controls', 0)}")
    print(f"cross-account calls naming another account's entities: "
          f"{counts.get('isolation_calls', 0)}, found and changed nothing: "
          f"{counts.get('isolation_refused', 0)}")
    print(f"API actions called without a policy: {counts.get('inventory_actions', 0)}, "
          f"AccessDenied in AWS's words and nothing changed: "
          f"{counts.get('inventory_refused', 0)}")
    print(f"race tests: {len(race_tests)} ({len(referenced)} referenced from their apps), "
          f"race invariant violations: {race_violations}")
    print(f"fuzz inputs tried: {counts.get('fuzz_inputs', 0)}, server errors: "
          f"{counts.get('fuzz_server_errors', 0)}")
    print(f"secrets found in logs and events: {secrets_found}")
    print(f"check --deploy issues: {deploy_issues}")
    if tally["failed"] or not outcomes:
        print("\nfailures:\n" + tail)
    if deploy_issues:
        print(deploy_output)
    for violation in data.get("violations", []):
        print(f"violation: {violation}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
