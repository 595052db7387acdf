"""The security suite's figures: counted by the tests, printed at the end of the run
(tests/security/conftest.py) and collected by ``python -m bench.security``.

A counter per figure rather than pass/fail counts, because one test tries many
cases (every escalation path, every API action, every fuzzed input).
"""

from __future__ import annotations

import json
import os
from collections import Counter

FIGURES: Counter[str] = Counter()
# Violations are kept with their description, so that a failed run says which.
VIOLATIONS: list[str] = []

LABELS = {
    "escalation_tried": "escalation attempts one permission short (API and console)",
    "escalation_refused": "  of which refused with AccessDenied and nothing changed",
    "escalation_controls": "positive controls with the permission AWS requires that succeeded",
    "isolation_calls": "cross-account calls naming another account's entities",
    "isolation_refused": "  of which NoSuchEntity/AccessDenied/validation and nothing changed",
    "inventory_actions": "API actions called by a principal without a policy",
    "inventory_refused": "  of which AccessDenied with AWS's message and nothing changed",
    "fuzz_inputs": "fuzzed inputs sent (policy parser and API parameters)",
    "fuzz_server_errors": "fuzzed inputs answered with a 5xx, HTML or malformed XML",
    "race_violations": "race invariant violations",
    "secrets_found": "secrets found in the logs of the servers the fault tests ran",
}


def count(name: str, amount: int = 1) -> None:
    FIGURES[name] += amount


def violation(text: str) -> None:
    VIOLATIONS.append(text)
    FIGURES["race_violations"] += 1


def lines() -> list[str]:
    return [f"{label}: {FIGURES[name]}" for name, label in LABELS.items()
            if name in FIGURES or name in ("race_violations", "fuzz_server_errors",
                                           "secrets_found")]


def dump() -> None:
    """Write the figures as JSON where ``IAM_SECURITY_FIGURES`` says (bench/security.py)."""
    path = os.environ.get("IAM_SECURITY_FIGURES")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump({"figures": dict(FIGURES), "violations": VIOLATIONS}, out, indent=2)
