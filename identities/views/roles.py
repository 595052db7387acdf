"""Roles: list, the create-role wizard, detail (permissions, trust relationships,
tags, revoke sessions) and delete."""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.operations import access_advisor_tab
from core.actions import all_or_nothing, run, update_tags
from core.errors import InvalidInput
from core.http import ConsoleRequest
from identities import trust_templates
from identities.operations import pages, roles

TABS = [("permissions", "Permissions"), ("trust", "Trust relationships"), ("tags", "Tags"),
        ("access_advisor", "Access Advisor"), ("revoke", "Revoke sessions")]


def _back(role_name: str, tab: str):
    return redirect(f"{reverse('identities:role-detail', args=[role_name])}?tab={tab}")


def role_list(request: ConsoleRequest):
    page = pages.roles_page(request.caller, search=request.GET.get("q", ""),
                            page=request.GET.get("page", 1))
    for role in page:
        role.trusted = trust_templates.trusted_entities(role.trust_policy)
    return render(request, "identities/role_list.html", {
        "page_obj": page, "search": request.GET.get("q", "")})


def role_create(request: ConsoleRequest):
    """Trusted entity, permissions, name and details: one form, one transaction."""
    from policies.views.editor import findings_for

    choices = pages.permission_choices(request.caller)
    post = request.POST
    shown = post.get("trust_policy") or trust_templates.account_trust_policy(request.caller.account_id)
    if request.method == "POST":
        document = shown if post.get("entity") == "custom" else _account_trust_policy(request)
        shown = document or shown
        name = post.get("role_name", "")
        if all_or_nothing(request, lambda: _create_role(request, document),
                          action="iam:CreateRole", parameters={"role_name": name},
                          failure="The role was not created"):
            messages.success(request, f"Role {name} created.")
            return redirect("identities:role-detail", role_name=name)
    return render(request, "identities/role_create.html", {
        "choices": choices, "post": post, "document": shown,
        "findings": findings_for(shown, "trust"), "account_id": request.caller.account_id,
    })


def _account_trust_policy(request: ConsoleRequest) -> str | None:
    """The trust policy of the "AWS account" choice; None when the account id is not one."""
    post = request.POST
    account = (post.get("trusted_account", "").strip() if post.get("which") == "other"
               else request.caller.account_id)
    if not (account.isascii() and account.isdigit() and len(account) == 12):
        return None
    return trust_templates.account_trust_policy(
        account, external_id=post.get("external_id", "").strip()
        if post.get("require_external_id") else "",
        require_mfa=bool(post.get("require_mfa")))


def _create_role(request: ConsoleRequest, document: str | None) -> None:
    """The wizard's steps, each its own authorized operation."""
    from policies import operations as policy_ops

    post = request.POST
    if document is None:
        raise InvalidInput("Enter the 12-digit ID of the account to trust.")
    duration = post.get("max_session_duration") or "3600"
    if not (duration.isascii() and duration.isdigit()):
        raise InvalidInput("Enter the maximum session duration as a whole number of seconds.")
    role = roles.create_role(
        request.caller, role_name=post.get("role_name", ""), assume_role_policy_document=document,
        description=post.get("description", ""), max_session_duration=int(duration),
        tags=[{"Key": post["tag_key"], "Value": post.get("tag_value", "")}]
        if post.get("tag_key") else None)
    for policy_arn in post.getlist("policies")[:10]:
        policy_ops.attach_role_policy(request.caller, role_name=role.name, policy_arn=policy_arn)


def role_detail(request: ConsoleRequest, role_name: str):
    details = pages.role_details(request.caller, role_name=role_name)
    tab = request.GET.get("tab", "permissions")
    role = details.role
    advisor = (access_advisor_tab(request.caller, entity_kind="role", name=role_name)
               if tab == "access_advisor" else None)
    return render(request, "identities/role_detail.html", {
        "details": details, "role": role, "tabs": TABS, "advisor": advisor,
        "tab": tab if tab in dict(TABS) else "permissions",
        "trust_document": _pretty(role.trust_policy),
        "switch_link": request.build_absolute_uri(
            f"{reverse('sts:switch-role')}?account={role.account_id}&roleName={role.name}"),
    })


@require_POST
def role_trust_update(request: ConsoleRequest, role_name: str):
    run(request, roles.update_assume_role_policy, "Trust policy updated.", role_name=role_name,
        policy_document=request.POST.get("policy_document", ""))
    return _back(role_name, "trust")


@require_POST
def role_policies_update(request: ConsoleRequest, role_name: str):
    from policies import operations as policy_ops

    if request.POST.get("detach"):
        run(request, policy_ops.detach_role_policy, "Policy detached.", role_name=role_name,
            policy_arn=request.POST["detach"])
    elif request.POST.get("delete_inline"):
        run(request, policy_ops.delete_role_policy, "Inline policy deleted.", role_name=role_name,
            policy_name=request.POST["delete_inline"])
    for policy_arn in request.POST.getlist("attach")[:10]:
        run(request, policy_ops.attach_role_policy, "Policy attached.", role_name=role_name,
            policy_arn=policy_arn)
    return _back(role_name, "permissions")


@require_POST
def role_settings_update(request: ConsoleRequest, role_name: str):
    """Description and maximum session duration."""
    try:
        duration = int(request.POST.get("max_session_duration", "3600"))
    except ValueError:
        messages.error(request, "Enter the maximum session duration in seconds.")
        return _back(role_name, "permissions")
    run(request, roles.update_role, "Role updated.", role_name=role_name,
        description=request.POST.get("description", ""), max_session_duration=duration)
    return _back(role_name, "permissions")


@require_POST
def role_tags_update(request: ConsoleRequest, role_name: str):
    update_tags(request, tag=roles.tag_role, untag=roles.untag_role, role_name=role_name)
    return _back(role_name, "tags")


@require_POST
def role_revoke_sessions(request: ConsoleRequest, role_name: str):
    """AWS's Revoke active sessions: a deny for sessions issued before now."""
    from sts import operations as sts_ops

    cutoff = run(request, sts_ops.revoke_role_sessions, role_name=role_name)
    if cutoff:
        messages.success(request, f"Sessions of {role_name} issued before "
                                  f"{cutoff:%Y-%m-%d %H:%M:%S} UTC are revoked.")
    return _back(role_name, "revoke")


@require_POST
def role_delete(request: ConsoleRequest, role_name: str):
    """Delete as the console does: policies removed first, all or nothing."""
    from policies import operations as policy_ops
    from policies.models import InlinePolicy, PermissionsBoundary, PolicyAttachment

    if request.POST.get("confirm") != role_name:
        messages.error(request, f"Type {role_name} to confirm the deletion.")
        return redirect("identities:role-detail", role_name=role_name)
    caller = request.caller

    def steps():
        role = roles.get_role(caller, role_name=role_name)
        for inline in InlinePolicy.objects.filter(role=role):
            policy_ops.delete_role_policy(caller, role_name=role.name, policy_name=inline.name)
        for attachment in PolicyAttachment.objects.filter(role=role).select_related("policy"):
            policy_ops.detach_role_policy(caller, role_name=role.name,
                                          policy_arn=attachment.policy.arn)
        if PermissionsBoundary.objects.filter(role=role).exists():
            policy_ops.delete_role_permissions_boundary(caller, role_name=role.name)
        roles.delete_role(caller, role_name=role.name)

    if not all_or_nothing(request, steps, action="iam:DeleteRole",
                          parameters={"role_name": role_name},
                          failure=f"Role {role_name} was not deleted"):
        return redirect("identities:role-detail", role_name=role_name)
    messages.success(request, f"Role {role_name} deleted.")
    return redirect("identities:role-list")


def _pretty(document: str) -> str:
    try:
        return json.dumps(json.loads(document), indent=4)
    except ValueError:
        return document
