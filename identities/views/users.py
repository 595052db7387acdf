"""Users: the list, the detail page with its tabs, and delete."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.filters import USER_FILTERS, parse_days
from audit.operations import access_advisor_tab
from core.actions import all_or_nothing, update_tags
from core.http import ConsoleRequest
from identities.models import AccessKey, GroupMembership, LoginProfile, MFADevice
from identities.operations import credentials, groups, mfa, pages, users

TABS = [("permissions", "Permissions"), ("groups", "Groups"), ("tags", "Tags"),
        ("security_credentials", "Security credentials"), ("access_advisor", "Access Advisor")]


def user_list(request: ConsoleRequest):
    """Users: filter by name or access key id, sort by any column, paginate."""
    search = request.GET.get("q", "")
    security_filter = request.GET.get("filter", "")
    days = parse_days(request.GET.get("days"))
    page = pages.users_page(request.caller, search=search, sort=request.GET.get("sort", "name"),
                            page=request.GET.get("page", 1), security_filter=security_filter,
                            days=days)
    label = USER_FILTERS.get(security_filter, "").replace("N days", f"{days} days")
    return render(request, "identities/user_list.html", {
        "page_obj": page, "search": search, "default_sort": "name", "filter_label": label,
        "filters": [(key, text.replace("N days", f"{days} days")) for key, text in USER_FILTERS.items()],
        "security_filter": security_filter,
    })


def user_detail(request: ConsoleRequest, user_name: str):
    """A user's summary and the Permissions, Groups, Tags and Security credentials tabs."""
    details = pages.user_details(request.caller, user_name=user_name)
    tab = request.GET.get("tab", "permissions")
    if tab not in dict(TABS):
        tab = "permissions"
    advisor = (access_advisor_tab(request.caller, entity_kind="user", name=user_name)
               if tab == "access_advisor" else None)
    return render(request, "identities/user_detail.html", {
        "details": details, "user_obj": details.user, "tab": tab, "tabs": TABS, "advisor": advisor,
        "sign_in_url": request.build_absolute_uri(
            reverse("identities:signin-account", args=[details.user.account.sign_in_slug])),
    })


@require_POST
def user_delete(request: ConsoleRequest, user_name: str):
    """Delete a user and what the AWS console removes with it, after a typed confirmation."""
    if request.POST.get("confirm") != user_name:
        messages.error(request, f"Type {user_name} to confirm the deletion.")
        return redirect("identities:user-detail", user_name=user_name)
    if delete_with_dependents(request, user_name):
        messages.success(request, f"User {user_name} deleted.")
        return redirect("identities:user-list")
    return redirect("identities:user-detail", user_name=user_name)


@require_POST
def user_delete_selected(request: ConsoleRequest):
    """Delete the users selected in the list (typed "delete" to confirm)."""
    names = request.POST.getlist("users")[:50]
    if request.POST.get("confirm") != "delete" or not names:
        messages.error(request, "Type delete to confirm the deletion.")
        return redirect("identities:user-list")
    deleted = [name for name in names if delete_with_dependents(request, name)]
    if deleted:
        messages.success(request, f"Deleted {len(deleted)} user(s): {', '.join(deleted)}.")
    return redirect("identities:user-list")


def delete_with_dependents(request: ConsoleRequest, user_name: str) -> bool:
    """What the AWS console does: remove the user's credentials, memberships and
    policies, then the user, each step its own authorized operation; all or nothing."""
    from policies import operations as policy_ops
    from policies.models import InlinePolicy, PermissionsBoundary, PolicyAttachment

    caller = request.caller

    def steps():
        user = users.get_user(caller, user_name=user_name)
        if LoginProfile.objects.filter(user=user).exists():
            credentials.delete_login_profile(caller, user_name=user.name)
        for key in AccessKey.objects.filter(user=user):
            credentials.delete_access_key(caller, user_name=user.name,
                                          access_key_id=key.access_key_id)
        for device in MFADevice.objects.filter(user=user):
            mfa.deactivate_mfa_device(caller, user_name=user.name,
                                      serial_number=device.serial_number)
            mfa.delete_virtual_mfa_device(caller, serial_number=device.serial_number)
        for membership in GroupMembership.objects.filter(user=user).select_related("group"):
            groups.remove_user_from_group(caller, group_name=membership.group.name,
                                          user_name=user.name)
        for inline in InlinePolicy.objects.filter(user=user):
            policy_ops.delete_user_policy(caller, user_name=user.name, policy_name=inline.name)
        for attachment in PolicyAttachment.objects.filter(user=user).select_related("policy"):
            policy_ops.detach_user_policy(caller, user_name=user.name,
                                          policy_arn=attachment.policy.arn)
        if PermissionsBoundary.objects.filter(user=user).exists():
            policy_ops.delete_user_permissions_boundary(caller, user_name=user.name)
        users.delete_user(caller, user_name=user.name)

    return all_or_nothing(request, steps, action="iam:DeleteUser",
                          parameters={"user_name": user_name},
                          failure=f"User {user_name} was not deleted")


@require_POST
def user_tags_update(request: ConsoleRequest, user_name: str):
    """Add or change one tag, or remove one."""
    update_tags(request, tag=users.tag_user, untag=users.untag_user, user_name=user_name)
    return redirect(f"{reverse('identities:user-detail', args=[user_name])}?tab=tags")
