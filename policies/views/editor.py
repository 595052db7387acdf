"""The JSON policy editor's findings, rendered by the server beside the editor."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_POST

from core.decorators import signed_in_only
from policies.engine import PolicyKind, validate_policy

KINDS = {
    "managed": PolicyKind.MANAGED,
    "user-inline": PolicyKind.USER_INLINE,
    "group-inline": PolicyKind.GROUP_INLINE,
    "role-inline": PolicyKind.ROLE_INLINE,
    "trust": PolicyKind.TRUST,
}
ORDER = {"ERROR": 0, "SECURITY_WARNING": 1, "WARNING": 2, "SUGGESTION": 3}


def findings_for(text: str, kind: str = "managed") -> list:
    findings = validate_policy(text, KINDS.get(kind, PolicyKind.MANAGED))
    return sorted(findings, key=lambda f: (ORDER.get(f.finding_type, 9), f.line or 0))


@signed_in_only
@require_POST
def validate(request):
    """Findings for the posted document (a pure function of the text: it reads no
    account data, so any signed-in identity may ask)."""
    text = request.POST.get("policy_document", "")[:131072]
    return render(request, "policies/_findings.html", {
        "findings": findings_for(text, request.POST.get("kind", "managed"))})
