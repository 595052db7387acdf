"""The console chrome: side navigation and the account menu for base.html."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

# (section, label, url name). A url name that does not resolve yet is a page
# a later release adds: it shows as plainly disabled, never as a broken link.
NAVIGATION = [
    (None, "Dashboard", "identities:dashboard"),
    ("Access management", "User groups", "identities:group-list"),
    ("Access management", "Users", "identities:user-list"),
    ("Access management", "Roles", "identities:role-list"),
    ("Access management", "Policies", "policies:policy-list"),
    ("Access management", "Account settings", "identities:account-settings"),
    ("Access reports", "Credential report", "audit:credential-report"),
    ("Access reports", "Event history", "audit:event-list"),
    ("Access reports", "Policy simulator", "policies:simulator"),
]


def _resolve(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def console(request) -> dict:
    """Context for every page: the navigation with the current item marked."""
    caller = getattr(request, "caller", None)
    if caller is None:
        return {}
    sections: list[dict] = []
    for section, label, url_name in NAVIGATION:
        url = _resolve(url_name)
        if not sections or sections[-1]["title"] != section:
            sections.append({"title": section, "items": []})
        active = bool(url) and (
            request.path == url or (url != reverse("identities:dashboard")
                                    and request.path.startswith(url))
        )
        sections[-1]["items"].append({"label": label, "url": url, "active": active})
    user = caller.user
    role = getattr(request, "role_label", None)
    account = caller.session.account if role else (user.account if user is not None else None)
    return {
        "nav_sections": sections,
        "chrome": {
            "account_id": caller.account_id,
            "account_alias": account.alias if account is not None else "",
            "principal_label": user.display_name if user is not None else caller.principal_arn,
            "is_root": caller.is_root,
            "role": role,
            "recent_roles": _recent_roles(user),
            "security_credentials_url": _resolve("identities:security-credentials"),
            "switch_role_url": _resolve("sts:switch-role"),
        },
    }


def _recent_roles(user) -> list[dict]:
    """Recently used roles grouped by account, for the account menu (one query)."""
    if user is None or user.is_root:
        return []
    from sts import console

    groups: dict[str, list] = {}
    for entry in console.recent(user):
        groups.setdefault(entry.account_id, []).append(entry)
    return [{"account_id": account, "roles": roles} for account, roles in groups.items()]
