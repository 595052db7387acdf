"""Work that the policy operations share. Nothing here authorizes: callers are
operations (which authorize first), data migrations or the operator's commands."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import ids
from core.errors import (
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    ValidationError,
)
from policies.engine import PolicyDocument, PolicyError, PolicyKind, parse_policy
from policies.models import AWS_MANAGED_ACCOUNT, ManagedPolicy, PolicyVersion

MAX_VERSIONS = 5
MAX_DESCRIPTION = 1000

# arn:aws:iam::<12 digits or "aws">:policy<path><name>; the path is "/" or
# "/a/b/" (printable ASCII), the name AWS's policy-name characters.
_POLICY_ARN = re.compile(
    r"^arn:aws:iam::(?P<account>[0-9]{12}|aws):policy"
    r"(?P<path>/|/[\x21-\x7e]*/)(?P<name>[\w+=,.@-]{1,128})$",
    re.ASCII,
)
_VERSION_ID = re.compile(r"^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$")


@dataclass(frozen=True)
class PolicyArn:
    """A parsed managed-policy ARN; ``account`` is 12 digits or "aws"."""

    text: str
    account: str
    path: str
    name: str

    @property
    def is_aws_managed(self) -> bool:
        return self.account == AWS_MANAGED_ACCOUNT

    def in_account(self, account_id: str) -> str:
        """The same policy's ARN as if it were in ``account_id``."""
        return policy_arn(account_id, self.path, self.name)


def policy_arn(account_id: str | None, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id or AWS_MANAGED_ACCOUNT}:policy{path}{name}"


def parse_policy_arn(text) -> PolicyArn:
    """Split a managed-policy ARN, or refuse it as AWS does (InvalidInput)."""
    match = _POLICY_ARN.match(text) if isinstance(text, str) and len(text) <= 2048 else None
    if match is None:
        raise InvalidInput(f"ARN {text} is not valid.")
    return PolicyArn(text, match["account"], match["path"], match["name"])


def version_id(value) -> str:
    """A version id such as ``v3`` (AWS's pattern, ValidationError otherwise)."""
    if not isinstance(value, str) or not _VERSION_ID.match(value):
        raise ValidationError(
            f"1 validation error detected: Value '{str(value)[:80]}' at 'versionId' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?"
        )
    return value


def description(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise ValidationError(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_DESCRIPTION}")
    return value


def check_document(text, kind: PolicyKind) -> PolicyDocument:
    """Parse ``text`` as IAM would, turning the engine's refusal into AWS's error."""
    try:
        return parse_policy(text, kind)
    except PolicyError as error:
        if error.code == LimitExceeded.code:
            raise LimitExceeded(error.message) from error
        raise MalformedPolicyDocument(error.message) from error


def create_managed_policy(*, account_id: str, name: str, path: str, description: str,
                          document: str, tags: list[dict]) -> ManagedPolicy:
    """A customer managed policy with its first version ``v1`` as the default."""
    now = timezone.now()
    policy = ManagedPolicy(account_id=account_id, name=name, path=path,
                           policy_id=ids.unique_id(ids.POLICY_PREFIX), description=description,
                           created_at=now, updated_at=now, default_version_id="v1",
                           default_document=document, next_version_number=2, tags=tags)
    try:
        # A savepoint, so that losing a race for the name leaves the outer
        # transaction usable for the operation's failure event.
        with transaction.atomic():
            policy.save()
    except IntegrityError as exc:
        raise EntityAlreadyExists(
            f"A policy called {name} already exists. Duplicate names are not allowed.") from exc
    PolicyVersion.objects.create(policy=policy, version_id="v1", document=document,
                                 is_default=True, created_at=now)
    policy.attachment_count = 0
    policy.permissions_boundary_usage_count = 0
    return policy


def add_version(policy: ManagedPolicy, document: str, *, set_as_default: bool) -> PolicyVersion:
    """A new version of ``policy``, whose row the caller holds locked.

    The lock is what makes the five-version limit hold when two requests add a
    version at once: the second one waits, then counts five.
    """
    if PolicyVersion.objects.filter(policy=policy).count() >= MAX_VERSIONS:
        raise LimitExceeded(
            "A managed policy can have up to 5 versions. Before you create a new version, "
            "you must delete an existing version.")
    version = PolicyVersion.objects.create(
        policy=policy, version_id=f"v{policy.next_version_number}", document=document,
        is_default=False, created_at=timezone.now())
    policy.next_version_number += 1
    policy.save(update_fields=["next_version_number"])
    if set_as_default:
        make_default(policy, version)
    return version


def make_default(policy: ManagedPolicy, version: PolicyVersion) -> None:
    """Make ``version`` the one in effect, keeping the policy's copy of its document."""
    # Clear the old default first: at most one default version may exist at any moment.
    PolicyVersion.objects.filter(policy=policy, is_default=True).exclude(pk=version.pk).update(
        is_default=False)
    if not version.is_default:
        version.is_default = True
        version.save(update_fields=["is_default"])
    policy.default_version_id = version.version_id
    policy.default_document = version.document
    policy.updated_at = timezone.now()
    policy.save(update_fields=["default_version_id", "default_document", "updated_at"])
