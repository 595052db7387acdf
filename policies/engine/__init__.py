"""The IAM policy engine: parse -> validate -> compile -> evaluate.

Pure Python with no Django imports (a test checks this), so the same decisions come
out of the API, the console, the simulator and the benchmarks.

    doc = parse_policy(text, PolicyKind.MANAGED)            # or raise PolicyError
    findings = validate_policy(text, PolicyKind.MANAGED)    # never raises
    policy = compile_policy(text, PolicyKind.MANAGED, policy_id="ANPA...", name="ReadOnly")
    decision = evaluate(Request("iam:GetUser", user_arn, principal), PolicySet(identity=(policy,)))
    if not decision.allowed:
        raise AccessDenied(decision.message(request))
"""

from __future__ import annotations

from . import catalog
from .compile import (
    CompiledPolicy,
    StatementRef,
    clear_cache,
    compile_document,
    compile_policy,
    context_keys_in,
)
from .context import Principal, Request, build_context
from .document import (
    Condition,
    PolicyDocument,
    PolicyKind,
    PrincipalBlock,
    Statement,
    policy_size,
)
from .evaluate import Decision, DecisionEffect, PolicySet, evaluate
from .grammar import parse_policy
from .problems import Finding, PolicyError
from .validate import validate_policy

__all__ = [
    "CompiledPolicy",
    "Condition",
    "Decision",
    "DecisionEffect",
    "Finding",
    "PolicyDocument",
    "PolicyError",
    "PolicyKind",
    "PolicySet",
    "Principal",
    "PrincipalBlock",
    "Request",
    "Statement",
    "StatementRef",
    "build_context",
    "catalog",
    "clear_cache",
    "compile_document",
    "compile_policy",
    "context_keys_in",
    "evaluate",
    "parse_policy",
    "policy_size",
    "validate_policy",
]
