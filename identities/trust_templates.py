"""Trust policies the create-role wizard writes for "AWS account" trusted entities."""

from __future__ import annotations

import json


def account_trust_policy(account_id: str, *, external_id: str = "", require_mfa: bool = False) -> str:
    """Trust ``account_id`` (its identity policies then decide who), optionally with
    an external id and MFA, as the AWS console writes it."""
    statement: dict = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": "sts:AssumeRole",
    }
    condition: dict = {}
    if external_id:
        condition["StringEquals"] = {"sts:ExternalId": external_id}
    if require_mfa:
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def trusted_entities(document: str) -> list[str]:
    """A short list of who a trust policy lets in, for the roles list."""
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return []
    if isinstance(statements, dict):
        statements = [statements]
    found: list[str] = []
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal", {})
        if principal == "*":
            found.append("Anyone")
            continue
        for kind, values in (principal.items() if isinstance(principal, dict) else []):
            for value in values if isinstance(values, list) else [values]:
                if kind == "AWS" and isinstance(value, str):
                    parts = value.split(":")
                    found.append(f"Account: {parts[4]}" if value.endswith(":root") and len(parts) > 4
                                 else value)
                else:
                    found.append(f"{kind}: {value}")
    return found
