"""Account settings: the password policy with every AWS option."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.actions import run
from core.errors import NoSuchEntity
from core.http import ConsoleRequest
from identities.lookups import caller_account
from identities.operations import console_sessions, password_policy


def account_settings(request: ConsoleRequest):
    try:
        policy = password_policy.get_account_password_policy(request.caller)
    except NoSuchEntity:
        policy = None
    return render(request, "identities/account_settings.html", {
        "policy": policy, "editing": request.GET.get("edit") == "1",
        "require_mfa": caller_account(request.caller).require_mfa_for_console})


def _int_or_none(value: str):
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isascii() and value.isdigit() else -1


@require_POST
def password_policy_update(request: ConsoleRequest):
    post = request.POST
    if post.get("do") == "default":
        run(request, password_policy.delete_account_password_policy,
            "The password policy is back to the default.")
        return redirect("identities:account-settings")
    expire = post.get("expire") == "on"
    reuse = post.get("prevent_reuse") == "on"
    if run(request, password_policy.update_account_password_policy,
           "Password policy updated.",
           minimum_password_length=_int_or_none(post.get("minimum_password_length")),
           require_uppercase_characters=post.get("require_uppercase_characters") == "on",
           require_lowercase_characters=post.get("require_lowercase_characters") == "on",
           require_numbers=post.get("require_numbers") == "on",
           require_symbols=post.get("require_symbols") == "on",
           allow_users_to_change_password=post.get("allow_users_to_change_password") == "on",
           max_password_age=_int_or_none(post.get("max_password_age")) if expire else None,
           password_reuse_prevention=_int_or_none(post.get("password_reuse_prevention")) if reuse else None,
           hard_expiry=post.get("hard_expiry") == "on"):
        return redirect("identities:account-settings")
    messages.info(request, "Nothing was changed.")
    return redirect("/iam/account-settings/?edit=1")


@require_POST
def require_mfa_update(request: ConsoleRequest):
    required = request.POST.get("required") == "on"
    run(request, console_sessions.set_require_mfa_for_console,
        "Console users must now use MFA." if required else "MFA is no longer required.",
        required=required)
    return redirect("identities:account-settings")
