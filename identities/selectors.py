"""Read models for console pages: rows with everything a list shows, in a
constant number of queries. Selectors do not authorize: operations call them
after authorizing."""

from __future__ import annotations

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest, Lower

from identities.models import AccessKey, Group, MFADevice, User

USER_SORTS = {
    "name": Lower("name"),
    "path": "path",
    "created": "created_at",
    "last_activity": "last_activity",
    "last_sign_in": "last_login",
    "password_age": "password_changed_at",
}


def user_rows(account_id: str, *, search: str = "", sort: str = "name") -> QuerySet[User]:
    """The account's IAM users with groups, keys, MFA and login profile for the list."""
    rows = (User.objects.filter(account_id=account_id, kind=User.Kind.IAM)
            .select_related("login_profile")
            .prefetch_related(
                Prefetch("iam_groups", queryset=Group.objects.order_by(Lower("name"))),
                Prefetch("access_keys", queryset=AccessKey.objects.order_by("created_at")),
                Prefetch("mfa_devices", queryset=MFADevice.objects.filter(confirmed=True),
                         to_attr="enabled_mfa_devices"))
            # A correlated subquery rather than a join and GROUP BY: the database
            # computes it for the page's rows only, and counting ignores it.
            .annotate(last_key_use=Subquery(
                AccessKey.objects.filter(user=OuterRef("pk"), last_used_at__isnull=False)
                .order_by("-last_used_at").values("last_used_at")[:1]))
            .annotate(last_activity=Greatest(Coalesce("last_login", "last_key_use"),
                                             Coalesce("last_key_use", "last_login"))))
    search = search.strip()
    if search:
        matching_key = AccessKey.objects.filter(access_key_id=search.upper()).values("user_id")
        rows = rows.filter(Q(name__icontains=search) | Q(pk__in=matching_key))
    key = USER_SORTS.get(sort.lstrip("-"), USER_SORTS["name"])
    expression = F(key) if isinstance(key, str) else key
    if sort.startswith("-"):
        return rows.order_by(expression.desc(nulls_last=True), "-pk")
    return rows.order_by(expression.asc(nulls_last=True), "pk")


def group_rows(account_id: str, *, search: str = "") -> QuerySet[Group]:
    rows = (Group.objects.filter(account_id=account_id)
            .annotate(user_count=Count("memberships", distinct=True)))
    if search.strip():
        rows = rows.filter(name__icontains=search.strip())
    return rows.order_by(Lower("name"), "pk")
