"""The signed-in identity's own Security credentials page: password, MFA, access keys."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import quote

import segno
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.actions import run
from core.decorators import allowed_before_mfa_enrolment
from core.errors import AccessDenied, IamError
from core.http import ConsoleRequest
from identities import secrets_display, sessions
from identities.decorators import recent_authentication_required
from identities.operations import account, console_sessions, credentials, mfa, pages

PENDING_SEED = "iam_pending_mfa_seed"


@allowed_before_mfa_enrolment
def security_credentials(request: ConsoleRequest):
    """Console password, MFA devices and access keys of the caller itself."""
    details = pages.own_credentials(request.caller)
    return render(request, "identities/security_credentials.html", {
        "details": details,
        "console_sessions": console_sessions.list_own_console_sessions(request.caller),
        "current_session": request.session.session_key,
    })


@require_POST
def own_sessions_end(request: ConsoleRequest):
    """End one of one's own other sessions, or all of them."""
    from identities.models import ConsoleSession

    current = request.session.session_key
    if request.POST.get("all"):
        ids = list(ConsoleSession.objects.filter(user=request.user).values_list("pk", flat=True))
    else:
        ids = [int(v) for v in request.POST.getlist("session") if v.isdigit()]
    ended = console_sessions.end_own_console_sessions(request.caller, session_ids=ids, keep=current)
    messages.success(request, f"Signed out {ended} other session(s).")
    return redirect("identities:security-credentials")


@require_POST
@recent_authentication_required
def change_password(request: ConsoleRequest):
    """Change the caller's own console password (old, new, confirm)."""
    new = request.POST.get("new_password", "")
    if new != request.POST.get("confirm_password", ""):
        messages.error(request, "The new passwords do not match.")
    elif run(request, account.change_password, "Your password has been changed.",
             old_password=request.POST.get("old_password", ""), new_password=new):
        request.user.refresh_from_db()
        # Other sessions end with the old password hash; this one carries on.
        sessions.keep_current(request, request.user)
    return redirect("identities:security-credentials")


@never_cache
@allowed_before_mfa_enrolment
@recent_authentication_required
def mfa_assign(request: ConsoleRequest):
    """Assign a virtual MFA device: the seed lives in the session until two codes match,
    so an abandoned setup leaves nothing behind."""
    caller = request.caller
    default_name = caller.user.name if not caller.is_root else "root-account-mfa-device"
    if request.method == "POST":
        encoded = request.session.get(PENDING_SEED)
        if not encoded:
            messages.error(request, "The MFA setup expired. Start again.")
            return redirect("identities:mfa-assign")
        try:
            with transaction.atomic():
                created = mfa.create_virtual_mfa_device(
                    caller, virtual_mfa_device_name=request.POST.get("device_name") or default_name,
                    seed=base64.b32decode(encoded))
                mfa.enable_mfa_device(
                    caller, serial_number=created.device.serial_number,
                    authentication_code1=request.POST.get("code1", "").strip(),
                    authentication_code2=request.POST.get("code2", "").strip())
        except IamError as error:
            if error.code == "AccessDenied":
                raise
            messages.error(request, error.message)
        else:
            del request.session[PENDING_SEED]
            # An MFA change ends the user's other sessions; this one goes on.
            request.user.refresh_from_db()
            sessions.keep_current(request, request.user)
            request.session["iam_mfa_enrolled"] = True
            messages.success(request, "MFA device assigned. You will need it at your next sign-in.")
            return redirect("identities:security-credentials")
    else:
        # The page itself must be allowed to create a device before showing a seed.
        pages.can_assign_mfa(caller, device_name=default_name)
        request.session[PENDING_SEED] = base64.b32encode(secrets.token_bytes(20)).decode()
    seed = request.session[PENDING_SEED]
    label = quote(f"IAM Console:{caller.user.display_name}@{caller.account_id}")
    otpauth = f"otpauth://totp/{label}?secret={seed}&issuer=IAM%20Console&digits=6&period=30"
    return render(request, "identities/mfa_assign.html", {
        "seed": seed, "otpauth": otpauth, "default_name": default_name,
        "qr_svg": segno.make(otpauth, error="m").svg_inline(scale=4, dark="#16191f"),
    })


@require_POST
@recent_authentication_required
def mfa_update(request: ConsoleRequest):
    """Resync or remove one of the caller's own MFA devices."""
    serial = request.POST.get("serial_number", "")
    if request.POST.get("do") == "resync":
        run(request, mfa.resync_mfa_device, "MFA device resynchronized.", serial_number=serial,
            authentication_code1=request.POST.get("code1", "").strip(),
            authentication_code2=request.POST.get("code2", "").strip())
    elif run(request, mfa.deactivate_mfa_device, "MFA device removed.", serial_number=serial):
        request.user.refresh_from_db()
        sessions.keep_current(request, request.user)
        try:
            mfa.delete_virtual_mfa_device(request.caller, serial_number=serial)
        except AccessDenied:
            # AWS's self-service policy may deactivate but not delete: the device
            # stays unassigned, as it does in AWS.
            pass
    return redirect("identities:security-credentials")


@require_POST
@recent_authentication_required
def own_access_key_create(request: ConsoleRequest):
    created = run(request, credentials.create_access_key)
    if created:
        secrets_display.remember_access_key(request, created)
        return redirect("identities:access-key-shown")
    return redirect("identities:security-credentials")


@require_POST
@recent_authentication_required
def own_access_key_update(request: ConsoleRequest, access_key_id: str):
    """Activate, deactivate or delete one of the caller's own keys (rotation steps)."""
    choice = request.POST.get("do")
    if choice == "delete":
        if request.POST.get("confirm") != access_key_id:
            messages.error(request, f"Type {access_key_id} to confirm the deletion.")
        else:
            run(request, credentials.delete_access_key, f"Access key {access_key_id} deleted.",
                access_key_id=access_key_id)
    else:
        status = "Active" if choice == "activate" else "Inactive"
        run(request, credentials.update_access_key,
            f"Access key {access_key_id} is {status.lower()}.", access_key_id=access_key_id,
            status=status)
    return redirect("identities:security-credentials")
