"""The dashboard's security recommendations, counted in two queries.

Each recommendation is a dict the dashboard template already understands
(``ok``, ``title``, ``text``, ``ok_text``) plus ``key``, ``count``, ``url`` and
``link_text``: where to go to fix it (the Users list filtered with
``audit.filters``, or the root's Security credentials page).

Nothing here authorizes: the dashboard operation decides who sees the counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from identities.models import AccessKey, LoginProfile, MFADevice, User

STALE_DAYS = 90


def _url(name: str, query: str = "") -> str:
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:  # a page not wired yet: no link rather than a broken one
        return ""


def security_recommendations(account_id: str, *, now: datetime | None = None) -> list[dict]:
    """Root MFA, root keys, console users without MFA, old keys, unused keys, never signed in."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=STALE_DAYS)
    enabled_mfa = MFADevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    console = LoginProfile.objects.filter(user=OuterRef("pk"))
    users = (User.objects.filter(account_id=account_id)
             .annotate(has_mfa=Exists(enabled_mfa), has_console=Exists(console))
             .aggregate(
                 root_mfa=Count("pk", filter=Q(kind=User.Kind.ROOT, has_mfa=True)),
                 console_without_mfa=Count("pk", filter=Q(kind=User.Kind.IAM, has_console=True,
                                                          has_mfa=False)),
                 never_signed_in=Count("pk", filter=Q(kind=User.Kind.IAM, has_console=True,
                                                      last_login__isnull=True))))
    active = Q(status=AccessKey.Status.ACTIVE)
    unused = Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True, created_at__lt=cutoff)
    keys = (AccessKey.objects.filter(user__account_id=account_id)
            .aggregate(root=Count("pk", filter=Q(user__kind=User.Kind.ROOT)),
                       old=Count("pk", filter=active & Q(user__kind=User.Kind.IAM,
                                                         created_at__lt=cutoff)),
                       unused=Count("pk", filter=active & Q(user__kind=User.Kind.IAM) & unused)))
    own_credentials = _url("identities:security-credentials")
    return [
        _item("root_mfa", 0 if users["root_mfa"] else 1, "Add MFA for root user",
              "Add multi-factor authentication to the root user to protect the account.",
              "The root user has MFA.", own_credentials, "Add MFA"),
        _item("root_access_keys", keys["root"], "Remove root user access keys",
              f"The root user has {keys['root']} access key(s). Use IAM users or roles for "
              "programmatic access instead.",
              "The root user has no access keys.", own_credentials, "Manage access keys"),
        _item("console_without_mfa", users["console_without_mfa"],
              "Require MFA for console users",
              f"{users['console_without_mfa']} user(s) with console access have no MFA device.",
              "Every user with console access has MFA.",
              _url("identities:user-list", "filter=no_mfa"), "Show users"),
        _item("old_access_keys", keys["old"], f"Rotate access keys older than {STALE_DAYS} days",
              f"{keys['old']} active access key(s) were created more than {STALE_DAYS} days ago.",
              f"No active access key is older than {STALE_DAYS} days.",
              _url("identities:user-list", f"filter=key_older_than&days={STALE_DAYS}"),
              "Show users"),
        _item("unused_access_keys", keys["unused"], "Remove unused access keys",
              f"{keys['unused']} active access key(s) have not been used for {STALE_DAYS} days.",
              f"Every active access key was used in the last {STALE_DAYS} days.",
              _url("identities:user-list", f"filter=key_unused&days={STALE_DAYS}"),
              "Show users"),
        _item("never_signed_in", users["never_signed_in"], "Review users who never signed in",
              f"{users['never_signed_in']} user(s) have a console password but never signed in.",
              "Every user with console access has signed in.",
              _url("identities:user-list", "filter=never_signed_in"), "Show users"),
    ]


def _item(key: str, count: int, title: str, text: str, ok_text: str, url: str,
          link_text: str) -> dict:
    return {"key": key, "ok": count == 0, "count": count, "title": title, "text": text,
            "ok_text": ok_text, "url": url, "link_text": link_text}
