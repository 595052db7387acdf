"""Managed policy versions: Create, Get, List, Delete and SetDefault PolicyVersion."""

from __future__ import annotations

from django.db.models import F

from audit.recording import operation
from core.caller import Caller
from core.errors import DeleteConflict, NoSuchEntity
from core.pagination import Page, paginate
from identities import validation
from policies import policyset, services
from policies.engine import PolicyKind
from policies.models import ManagedPolicy, PolicyVersion
from policies.operations._lookup import find_policy, refuse_aws_managed


def _version(policy: ManagedPolicy, policy_arn: str, version_id: str) -> PolicyVersion:
    version = PolicyVersion.objects.filter(policy=policy, version_id=version_id).first()
    if version is None:
        raise NoSuchEntity(
            f"Policy {policy_arn} version {version_id} does not exist or is not attachable.")
    return version


@operation("iam:CreatePolicyVersion")
def create_policy_version(caller: Caller, *, policy_arn: str, policy_document: str,
                          set_as_default: bool = False) -> PolicyVersion:
    """CreatePolicyVersion (iam:CreatePolicyVersion on the policy ARN).

    At most five versions: the sixth is LimitExceeded. The policy row is locked
    so that concurrent requests cannot both see four and make six.
    """
    policy = find_policy(caller, policy_arn, "iam:CreatePolicyVersion", for_update=True)
    refuse_aws_managed(caller, policy, "iam:CreatePolicyVersion")
    services.check_document(policy_document, PolicyKind.MANAGED)
    version = services.add_version(policy, policy_document, set_as_default=bool(set_as_default))
    if set_as_default:
        policyset.bump(caller.account_id)
    return version


@operation("iam:GetPolicyVersion")
def get_policy_version(caller: Caller, *, policy_arn: str, version_id: str) -> PolicyVersion:
    """GetPolicyVersion (iam:GetPolicyVersion on the policy ARN): the document as stored."""
    services.version_id(version_id)
    policy = find_policy(caller, policy_arn, "iam:GetPolicyVersion")
    return _version(policy, policy_arn, version_id)


@operation("iam:ListPolicyVersions")
def list_policy_versions(caller: Caller, *, policy_arn: str, marker: str | None = None,
                         max_items: int | None = None) -> Page:
    """ListPolicyVersions (iam:ListPolicyVersions on the policy ARN), newest first."""
    size = validation.max_items(max_items)
    policy = find_policy(caller, policy_arn, "iam:ListPolicyVersions")
    # Keyset pagination only walks upwards: order by the negated id for newest first.
    rows = PolicyVersion.objects.filter(policy=policy).annotate(newest_first=-F("id"))
    return paginate(rows, marker=marker, max_items=size, order=("newest_first",))


@operation("iam:DeletePolicyVersion")
def delete_policy_version(caller: Caller, *, policy_arn: str, version_id: str) -> None:
    """DeletePolicyVersion (iam:DeletePolicyVersion on the policy ARN); never the default."""
    services.version_id(version_id)
    policy = find_policy(caller, policy_arn, "iam:DeletePolicyVersion", for_update=True)
    refuse_aws_managed(caller, policy, "iam:DeletePolicyVersion")
    version = _version(policy, policy_arn, version_id)
    if version.is_default:
        raise DeleteConflict("Cannot delete the default version of a policy.")
    # A non-default version is in nobody's policy set: no bump needed.
    version.delete()


@operation("iam:SetDefaultPolicyVersion")
def set_default_policy_version(caller: Caller, *, policy_arn: str, version_id: str) -> None:
    """SetDefaultPolicyVersion (iam:SetDefaultPolicyVersion on the policy ARN).

    Every user, group and role the policy is attached to gets the new document
    on its next request.
    """
    services.version_id(version_id)
    policy = find_policy(caller, policy_arn, "iam:SetDefaultPolicyVersion", for_update=True)
    refuse_aws_managed(caller, policy, "iam:SetDefaultPolicyVersion")
    version = _version(policy, policy_arn, version_id)
    if not version.is_default:
        services.make_default(policy, version)
        policyset.bump(caller.account_id)
