"""User groups: list, create with members and policies, detail, members, delete."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.operations import access_advisor_tab
from core.actions import all_or_nothing, run
from core.http import ConsoleRequest
from identities.forms_users import CreateGroupForm
from identities.models import GroupMembership
from identities.operations import groups, pages


def group_list(request: ConsoleRequest):
    search = request.GET.get("q", "")
    page = pages.groups_page(request.caller, search=search, page=request.GET.get("page", 1))
    return render(request, "identities/group_list.html", {"page_obj": page, "search": search})


def group_create(request: ConsoleRequest):
    """Create a group, add users to it and attach policies, together or not at all."""
    from policies import operations as policy_ops

    choices = pages.permission_choices(request.caller)
    form = CreateGroupForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        caller = request.caller

        def steps():
            groups.create_group(caller, group_name=data["group_name"], path=data["path"] or "/")
            for user_name in data["users"]:
                groups.add_user_to_group(caller, group_name=data["group_name"], user_name=user_name)
            for policy_arn in data["policies"]:
                policy_ops.attach_group_policy(caller, group_name=data["group_name"],
                                               policy_arn=policy_arn)

        if all_or_nothing(request, steps, action="iam:CreateGroup",
                          parameters={"group_name": data["group_name"]},
                          failure="The group was not created"):
            messages.success(request, f"{data['group_name']} user group created.")
            return redirect("identities:group-detail", group_name=data["group_name"])
    return render(request, "identities/group_create.html", {
        "form": form, "choices": choices})


def group_detail(request: ConsoleRequest, group_name: str):
    details = pages.group_details(request.caller, group_name=group_name)
    tab = request.GET.get("tab", "users")
    advisor = (access_advisor_tab(request.caller, entity_kind="group", name=group_name)
               if tab == "access_advisor" else None)
    return render(request, "identities/group_detail.html", {
        "details": details, "group": details.group,
        "tab": tab if tab in ("users", "permissions", "access_advisor") else "users",
        "advisor": advisor,
    })


@require_POST
def group_members_update(request: ConsoleRequest, group_name: str):
    if request.POST.get("remove"):
        run(request, groups.remove_user_from_group, f"Removed {request.POST['remove']} from the group.",
            group_name=group_name, user_name=request.POST["remove"])
    for user_name in request.POST.getlist("add")[:50]:
        run(request, groups.add_user_to_group, f"Added {user_name} to the group.",
            group_name=group_name, user_name=user_name)
    return redirect(f"{reverse('identities:group-detail', args=[group_name])}?tab=users")


@require_POST
def group_policies_update(request: ConsoleRequest, group_name: str):
    from policies import operations as policy_ops

    if request.POST.get("detach"):
        run(request, policy_ops.detach_group_policy, "Policy detached.", group_name=group_name,
            policy_arn=request.POST["detach"])
    elif request.POST.get("delete_inline"):
        run(request, policy_ops.delete_group_policy, "Inline policy deleted.",
            group_name=group_name, policy_name=request.POST["delete_inline"])
    for policy_arn in request.POST.getlist("attach")[:10]:
        run(request, policy_ops.attach_group_policy, "Policy attached.", group_name=group_name,
            policy_arn=policy_arn)
    return redirect(f"{reverse('identities:group-detail', args=[group_name])}?tab=permissions")


@require_POST
def group_delete(request: ConsoleRequest, group_name: str):
    """Delete a group as the console does: members removed and policies detached first."""
    from policies import operations as policy_ops
    from policies.models import InlinePolicy, PolicyAttachment

    if request.POST.get("confirm") != group_name:
        messages.error(request, f"Type {group_name} to confirm the deletion.")
        return redirect("identities:group-detail", group_name=group_name)
    caller = request.caller

    def steps():
        group = groups.get_group(caller, group_name=group_name).group
        for membership in GroupMembership.objects.filter(group=group).select_related("user"):
            groups.remove_user_from_group(caller, group_name=group.name,
                                          user_name=membership.user.name)
        for inline in InlinePolicy.objects.filter(group=group):
            policy_ops.delete_group_policy(caller, group_name=group.name, policy_name=inline.name)
        for attachment in PolicyAttachment.objects.filter(group=group).select_related("policy"):
            policy_ops.detach_group_policy(caller, group_name=group.name,
                                           policy_arn=attachment.policy.arn)
        groups.delete_group(caller, group_name=group.name)

    if not all_or_nothing(request, steps, action="iam:DeleteGroup",
                          parameters={"group_name": group_name},
                          failure=f"Group {group_name} was not deleted"):
        return redirect("identities:group-detail", group_name=group_name)
    messages.success(request, f"User group {group_name} deleted.")
    return redirect("identities:group-list")
