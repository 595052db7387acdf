"""Policies: the list, create and edit in the JSON editor, detail, versions,
attached entities, delete."""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.actions import all_or_nothing, run
from core.http import ConsoleRequest
from policies import operations as ops
from policies import pages
from policies.forms import EXAMPLE_DOCUMENT, CreatePolicyForm, PolicyDocumentForm
from policies.models import PermissionsBoundary, PolicyAttachment, PolicyVersion
from policies.views.editor import findings_for

TABS = [("permissions", "Permissions"), ("entities", "Entities attached"),
        ("versions", "Policy versions")]


def detail_url(policy_arn: str, tab: str = "") -> str:
    url = reverse("policies:policy-detail", args=[policy_arn])
    return f"{url}?tab={tab}" if tab else url


def policy_list(request: ConsoleRequest):
    page = pages.policies_page(
        request.caller, search=request.GET.get("q", ""), policy_type=request.GET.get("type", ""),
        used_as=request.GET.get("used", ""), page=request.GET.get("page", 1))
    return render(request, "policies/policy_list.html", {
        "page_obj": page, "search": request.GET.get("q", ""), "types": pages.TYPES,
        "uses": pages.USES, "type": request.GET.get("type", ""), "used": request.GET.get("used", ""),
    })


def policy_create(request: ConsoleRequest):
    """Create a customer managed policy from the JSON editor."""
    pages.can_create_policy(request.caller)
    form = CreatePolicyForm(request.POST or None,
                            initial={"policy_document": EXAMPLE_DOCUMENT, "path": "/"})
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        policy = run(request, ops.create_policy, f"Policy {data['policy_name']} created.",
                     policy_name=data["policy_name"], policy_document=data["policy_document"],
                     path=data["path"] or "/", description=data["description"])
        if policy:
            return redirect(detail_url(policy.arn))
    document = form.data.get("policy_document", EXAMPLE_DOCUMENT) if form.is_bound else EXAMPLE_DOCUMENT
    return render(request, "policies/policy_form.html", {
        "form": form, "error": error, "findings": findings_for(document), "creating": True,
    })


def policy_detail(request: ConsoleRequest, policy_arn: str):
    details = pages.policy_details(request.caller, policy_arn=policy_arn)
    tab = request.GET.get("tab", "permissions")
    return render(request, "policies/policy_detail.html", {
        "details": details, "policy": details.policy, "tabs": TABS,
        "tab": tab if tab in dict(TABS) else "permissions",
        "document": _pretty(details.policy.default_document),
    })


def policy_edit(request: ConsoleRequest, policy_arn: str):
    """Edit: saving creates a new version and makes it the default, as the console does."""
    details = pages.policy_details(request.caller, policy_arn=policy_arn)
    policy = details.policy
    form = PolicyDocumentForm(request.POST or None,
                              initial={"policy_document": _pretty(policy.default_document)})
    if request.method == "POST" and form.is_valid():
        if run(request, ops.create_policy_version,
               f"Policy {policy.name} updated: a new default version was created.",
               policy_arn=policy.arn, policy_document=form.cleaned_data["policy_document"],
               set_as_default=True):
            return redirect(detail_url(policy.arn))
    document = form.data.get("policy_document") if form.is_bound else _pretty(policy.default_document)
    return render(request, "policies/policy_form.html", {
        "form": form, "policy": policy, "findings": findings_for(document or ""), "creating": False,
    })


@require_POST
def policy_versions_update(request: ConsoleRequest, policy_arn: str):
    version_id = request.POST.get("version_id", "")
    if request.POST.get("do") == "default":
        run(request, ops.set_default_policy_version, f"Version {version_id} is now the default.",
            policy_arn=policy_arn, version_id=version_id)
    else:
        run(request, ops.delete_policy_version, f"Version {version_id} deleted.",
            policy_arn=policy_arn, version_id=version_id)
    return redirect(detail_url(policy_arn, "versions"))


@require_POST
def policy_entities_update(request: ConsoleRequest, policy_arn: str):
    """Attach to or detach from a user, group or role (kind:name)."""
    kind, _, name = request.POST.get("entity", "").partition(":")
    attach = request.POST.get("do") == "attach"
    operation = {
        ("user", True): ops.attach_user_policy, ("user", False): ops.detach_user_policy,
        ("group", True): ops.attach_group_policy, ("group", False): ops.detach_group_policy,
        ("role", True): ops.attach_role_policy, ("role", False): ops.detach_role_policy,
    }.get((kind, attach))
    if operation is None:
        messages.error(request, "Choose a user, group or role.")
    else:
        run(request, operation, f"Policy {'attached to' if attach else 'detached from'} {name}.",
            policy_arn=policy_arn, **{f"{kind}_name": name})
    return redirect(detail_url(policy_arn, "entities"))


@require_POST
def policy_delete(request: ConsoleRequest, policy_arn: str):
    """Delete as the console does: detach everywhere, delete old versions, then the policy."""
    details = pages.policy_details(request.caller, policy_arn=policy_arn)
    policy = details.policy
    if request.POST.get("confirm") != policy.name:
        messages.error(request, f"Type {policy.name} to confirm the deletion.")
        return redirect(detail_url(policy.arn))
    caller = request.caller

    def steps():
        for attachment in PolicyAttachment.objects.filter(policy=policy).select_related(
                "user", "group", "role"):
            if attachment.user:
                ops.detach_user_policy(caller, user_name=attachment.user.name, policy_arn=policy.arn)
            elif attachment.group:
                ops.detach_group_policy(caller, group_name=attachment.group.name,
                                        policy_arn=policy.arn)
            else:
                ops.detach_role_policy(caller, role_name=attachment.role.name, policy_arn=policy.arn)
        for boundary in PermissionsBoundary.objects.filter(policy=policy).select_related("user", "role"):
            if boundary.user:
                ops.delete_user_permissions_boundary(caller, user_name=boundary.user.name)
            else:
                ops.delete_role_permissions_boundary(caller, role_name=boundary.role.name)
        for version in PolicyVersion.objects.filter(policy=policy, is_default=False):
            ops.delete_policy_version(caller, policy_arn=policy.arn, version_id=version.version_id)
        ops.delete_policy(caller, policy_arn=policy.arn)

    if not all_or_nothing(request, steps, action="iam:DeletePolicy",
                          parameters={"policy_arn": policy.arn},
                          failure=f"Policy {policy.name} was not deleted"):
        return redirect(detail_url(policy.arn))
    messages.success(request, f"Policy {policy.name} deleted.")
    return redirect("policies:policy-list")


def _pretty(document: str) -> str:
    """The stored document, indented for reading (text that fails to parse is shown as is)."""
    try:
        return json.dumps(json.loads(document), indent=4)
    except ValueError:
        return document
