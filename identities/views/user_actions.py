"""Buttons on a user's detail page: console access, access keys, MFA, groups, policies."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.actions import run
from core.http import ConsoleRequest
from identities import secrets_display
from identities.operations import console_sessions, credentials, groups, mfa
from identities.passwords import generate_password


def _back(user_name: str, tab: str):
    return redirect(f"{reverse('identities:user-detail', args=[user_name])}?tab={tab}")


@require_POST
def console_access(request: ConsoleRequest, user_name: str):
    """Enable, reset or disable a user's console password."""
    choice = request.POST.get("do")
    if choice == "disable":
        run(request, credentials.delete_login_profile, "Console access disabled.",
            user_name=user_name)
        return _back(user_name, "security_credentials")
    custom = request.POST.get("password", "")
    password = custom if request.POST.get("password_kind") == "custom" else generate_password()
    reset = request.POST.get("password_reset_required") == "on"
    operation = credentials.update_login_profile if choice == "reset" \
        else credentials.create_login_profile
    if run(request, operation, user_name=user_name, password=password,
           password_reset_required=reset):
        secrets_display.remember_console_password(request, user_name, password)
        return redirect("identities:user-password-shown", user_name=user_name)
    return _back(user_name, "security_credentials")


@require_POST
def access_key_create(request: ConsoleRequest, user_name: str):
    """Create an access key for a user; its secret is shown once, on the next page."""
    created = run(request, credentials.create_access_key, user_name=user_name)
    if created:
        secrets_display.remember_access_key(request, created)
        return redirect("identities:access-key-shown")
    return _back(user_name, "security_credentials")


@require_POST
def access_key_update(request: ConsoleRequest, user_name: str, access_key_id: str):
    """Activate, deactivate or delete one access key."""
    if request.POST.get("do") == "delete":
        if request.POST.get("confirm") != access_key_id:
            messages.error(request, f"Type {access_key_id} to confirm the deletion.")
        else:
            run(request, credentials.delete_access_key, f"Access key {access_key_id} deleted.",
                user_name=user_name, access_key_id=access_key_id)
    else:
        status = "Active" if request.POST.get("do") == "activate" else "Inactive"
        run(request, credentials.update_access_key, f"Access key {access_key_id} is {status.lower()}.",
            user_name=user_name, access_key_id=access_key_id, status=status)
    return _back(user_name, "security_credentials")


@require_POST
def mfa_remove(request: ConsoleRequest, user_name: str):
    """Remove (deactivate and delete) one of a user's MFA devices."""
    serial = request.POST.get("serial_number", "")
    if run(request, mfa.deactivate_mfa_device, user_name=user_name, serial_number=serial):
        run(request, mfa.delete_virtual_mfa_device, "MFA device removed.", serial_number=serial)
    return _back(user_name, "security_credentials")


@require_POST
def groups_update(request: ConsoleRequest, user_name: str):
    """Add the user to the chosen groups, or remove them from one."""
    if request.POST.get("remove"):
        run(request, groups.remove_user_from_group, "Removed from the group.",
            group_name=request.POST["remove"], user_name=user_name)
    for group_name in request.POST.getlist("add")[:10]:
        run(request, groups.add_user_to_group, f"Added to {group_name}.",
            group_name=group_name, user_name=user_name)
    return _back(user_name, "groups")


@require_POST
def policies_update(request: ConsoleRequest, user_name: str):
    """Attach or detach a managed policy, delete an inline one, or set/remove the boundary."""
    from policies import operations as policy_ops

    if request.POST.get("detach"):
        run(request, policy_ops.detach_user_policy, "Policy detached.", user_name=user_name,
            policy_arn=request.POST["detach"])
    elif request.POST.get("delete_inline"):
        run(request, policy_ops.delete_user_policy, "Inline policy deleted.",
            user_name=user_name, policy_name=request.POST["delete_inline"])
    elif request.POST.get("boundary") == "remove":
        run(request, policy_ops.delete_user_permissions_boundary, "Permissions boundary removed.",
            user_name=user_name)
    elif request.POST.get("boundary"):
        run(request, policy_ops.put_user_permissions_boundary, "Permissions boundary set.",
            user_name=user_name, permissions_boundary=request.POST["boundary"])
    for policy_arn in request.POST.getlist("attach")[:10]:
        run(request, policy_ops.attach_user_policy, "Policy attached.", user_name=user_name,
            policy_arn=policy_arn)
    return _back(user_name, "permissions")


@require_POST
def sessions_update(request: ConsoleRequest, user_name: str):
    """Sign a user out everywhere, or clear their failed sign-in counter."""
    if request.POST.get("do") == "unlock":
        run(request, console_sessions.unlock_sign_in, "Sign-in unlocked.", user_name=user_name)
    else:
        run(request, console_sessions.sign_out_everywhere, f"{user_name} was signed out everywhere.",
            user_name=user_name)
    return _back(user_name, "security_credentials")
