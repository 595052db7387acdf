"""Policy data: managed policies and their versions, attachments, inline
policies and permissions boundaries, with AWS's names, ARNs and limits."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from identities.models import Account, Group, Role, User

AWS_MANAGED_ACCOUNT = "aws"


class ManagedPolicy(models.Model):
    """A managed policy: customer managed (``account`` set) or AWS managed (none)."""

    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="managed_policies")
    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    policy_id = models.CharField(max_length=32, unique=True)
    description = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The default version's document, kept beside the versions so that a
    # principal's policy set loads without a join per policy.
    default_version_id = models.CharField(max_length=8, default="v1")
    default_document = models.TextField()
    next_version_number = models.PositiveIntegerField(default=2)
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="policy_name_unique_per_account_any_case"),
            models.UniqueConstraint(Lower("name"), condition=Q(account__isnull=True),
                                    name="aws_managed_policy_name_unique"),
        ]

    def __str__(self) -> str:
        return self.arn

    @property
    def is_aws_managed(self) -> bool:
        return self.account_id is None

    @property
    def arn(self) -> str:
        owner = self.account_id or AWS_MANAGED_ACCOUNT
        return f"arn:aws:iam::{owner}:policy{self.path}{self.name}"


class PolicyVersion(models.Model):
    policy = models.ForeignKey(ManagedPolicy, on_delete=models.CASCADE, related_name="versions")
    version_id = models.CharField(max_length=8)
    document = models.TextField()
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint("policy", "version_id", name="one_version_id_per_policy"),
            models.UniqueConstraint("policy", condition=Q(is_default=True), name="one_default_version"),
        ]
        ordering = ["policy", "-created_at"]


class _OwnedByPrincipal(models.Model):
    """Exactly one of user, group or role owns the row."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    @property
    def owner(self):
        return self.user or self.group or self.role


def _exactly_one_owner(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(Q(user__isnull=False, group__isnull=True, role__isnull=True)
                   | Q(user__isnull=True, group__isnull=False, role__isnull=True)
                   | Q(user__isnull=True, group__isnull=True, role__isnull=False)),
        name=name,
    )


class PolicyAttachment(_OwnedByPrincipal):
    """A managed policy attached to a user, group or role."""

    policy = models.ForeignKey(ManagedPolicy, on_delete=models.CASCADE, related_name="attachments")
    attached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            _exactly_one_owner("attachment_has_one_owner"),
            models.UniqueConstraint("policy", "user", name="attach_once_to_user"),
            models.UniqueConstraint("policy", "group", name="attach_once_to_group"),
            models.UniqueConstraint("policy", "role", name="attach_once_to_role"),
        ]


class InlinePolicy(_OwnedByPrincipal):
    """A policy embedded in one user, group or role."""

    name = models.CharField(max_length=128)
    document = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            _exactly_one_owner("inline_has_one_owner"),
            models.UniqueConstraint("user", "name", name="inline_name_unique_per_user"),
            models.UniqueConstraint("group", "name", name="inline_name_unique_per_group"),
            models.UniqueConstraint("role", "name", name="inline_name_unique_per_role"),
        ]


class PermissionsBoundary(models.Model):
    """The managed policy that bounds a user's or a role's permissions."""

    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="permissions_boundary")
    role = models.OneToOneField(Role, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="permissions_boundary")
    policy = models.ForeignKey(ManagedPolicy, on_delete=models.PROTECT, related_name="boundaries")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, role__isnull=True)
                           | Q(user__isnull=True, role__isnull=False)),
                name="boundary_has_one_owner",
            ),
        ]
