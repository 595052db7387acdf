"""Reading policy data: lookups, usage counts and policy sets. Nothing here authorizes."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from policies.engine import CompiledPolicy, PolicyKind, PolicySet, compile_policy, policy_size
from policies.models import InlinePolicy, ManagedPolicy, PermissionsBoundary, PolicyAttachment
from policies.services import PolicyArn, policy_arn


def _count_in_account(model, account_id: str, owners: tuple[str, ...]) -> Coalesce:
    """A correlated count of ``model`` rows for each policy, owned in ``account_id``.

    AWS counts an AWS managed policy's attachments in the caller's account only,
    so the owner's account is part of the count. One subquery per column keeps
    a list page a single query however many policies it shows.
    """
    in_account = Q()
    for owner in owners:
        in_account |= Q(**{f"{owner}__account_id": account_id})
    counted = (model.objects.filter(in_account, policy=OuterRef("pk")).order_by()
               .values("policy").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_usage(queryset: QuerySet, account_id: str) -> QuerySet:
    """``attachment_count`` and ``permissions_boundary_usage_count`` as AWS reports them."""
    return queryset.annotate(
        attachment_count=_count_in_account(PolicyAttachment, account_id, ("user", "group", "role")),
        permissions_boundary_usage_count=_count_in_account(PermissionsBoundary, account_id,
                                                           ("user", "role")),
    )


def visible_policies(account_id: str) -> QuerySet:
    """The account's own managed policies and the AWS managed ones."""
    return ManagedPolicy.objects.filter(Q(account_id=account_id) | Q(account__isnull=True))


def policy_by_arn(account_id: str, arn: PolicyArn, *, for_update: bool = False,
                  usage: bool = False) -> ManagedPolicy | None:
    """The policy ``arn`` names, if it is ``account_id``'s own or AWS managed.

    Another account's policies are never returned: to this caller they do not exist.
    """
    if arn.is_aws_managed:
        rows = ManagedPolicy.objects.filter(account__isnull=True)
    elif arn.account == account_id:
        rows = ManagedPolicy.objects.filter(account_id=account_id)
    else:
        return None
    rows = rows.filter(path=arn.path, name__iexact=arn.name)
    if for_update:
        rows = rows.select_for_update()
    if usage:
        rows = with_usage(rows, account_id)
    return rows.first()


def inline_size(*, exclude_name: str | None = None, **owner) -> int:
    """Characters (without whitespace) of the inline policies of one user, group or role,
    leaving out the one named ``exclude_name`` (the one a Put replaces)."""
    rows = InlinePolicy.objects.filter(**owner)
    if exclude_name is not None:
        rows = rows.exclude(name=exclude_name)
    return sum(policy_size(text) for text in rows.values_list("document", flat=True))


def _compile_managed(rows, kind: PolicyKind) -> list[CompiledPolicy]:
    compiled = []
    for name, account_id, path, document in rows:
        compiled.append(compile_policy(document, kind, policy_id=policy_arn(account_id, path, name),
                                       name=name))
    return compiled


def _attached_and_inline(owner_field: str, owner, inline_kind: PolicyKind) -> list[CompiledPolicy]:
    identity = []
    for name, document in (InlinePolicy.objects.filter(**{owner_field: owner})
                           .values_list("name", "document").order_by("name")):
        identity.append(compile_policy(document, inline_kind, policy_id=f"inline:{name}",
                                       name=name))
    attached = (PolicyAttachment.objects.filter(**{owner_field: owner})
                .values_list("policy__name", "policy__account_id", "policy__path",
                             "policy__default_document").order_by("policy__name"))
    identity.extend(_compile_managed(attached, PolicyKind.MANAGED))
    return identity


def load_group_policy_set(group) -> PolicySet:
    """A group's inline and attached policies (groups have no boundary)."""
    return PolicySet(identity=tuple(_attached_and_inline("group", group, PolicyKind.GROUP_INLINE)))


def load_role_policy_set(role) -> PolicySet:
    """A role's inline and attached policies and its permissions boundary."""
    identity = _attached_and_inline("role", role, PolicyKind.ROLE_INLINE)
    boundary_rows = (PermissionsBoundary.objects.filter(role=role)
                     .values_list("policy__name", "policy__account_id", "policy__path",
                                  "policy__default_document")[:1])
    boundaries = _compile_managed(boundary_rows, PolicyKind.BOUNDARY)
    return PolicySet(identity=tuple(identity), boundary=boundaries[0] if boundaries else None)


def boundary_arn_of(**owner) -> str | None:
    """The ARN of the boundary of the user or role matching ``owner``, if any."""
    row = (PermissionsBoundary.objects.filter(**owner)
           .values_list("policy__account_id", "policy__path", "policy__name").first())
    return policy_arn(*row) if row else None

