"""Console sign-in, the MFA step, the forced password change, sign-out and sign-up.

No half-signed-in session: after the password step the pending identity is
kept in the session with a timestamp; ``login`` happens only once the MFA
code (when a device is enabled) has been verified.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.recording import record
from core.caller import Caller
from core.decorators import (
    allowed_before_mfa_enrolment,
    allowed_during_password_reset,
    public,
    signed_in_only,
)
from core.errors import IamError
from core.http import client_address
from identities import operations, passwords, services, sessions, throttle
from identities.backends import find_account
from identities.forms import ChangePasswordForm, MFAForm, SignInForm, SignUpForm
from identities.models import LoginProfile, MFADevice, User

# AWS's sentence for every kind of wrong sign-in: it never says which part.
SIGNIN_ERROR = "Your authentication information is incorrect. Please try again."
# Shown only after a right password, as AWS does.
PASSWORD_EXPIRED_ERROR = ("Your password has expired and the account's password policy requires "
                          "an administrator to reset it. Contact your administrator.")
PENDING = "iam_pending_signin"


def _address(request) -> str:
    return client_address(request, settings.IAM_TRUSTED_PROXIES)


def _sign_in_caller(request, *, account_id: str = "", arn: str = "", kind: str = "") -> Caller:
    """A caller for sign-in events, before anyone is signed in."""
    return Caller(account_id=account_id, principal_arn=arn, principal_type=kind,
                  via="console", source_ip=_address(request),
                  user_agent=request.META.get("HTTP_USER_AGENT", ""))


def _claimed_identity(data: dict) -> tuple[str, str, str, str]:
    """(throttle key, account id, ARN, type) for the identity the form names, as typed."""
    if data["kind"] == "root":
        email = data["email"].strip().lower()
        root = User.objects.filter(kind=User.Kind.ROOT, email__iexact=email).first()
        return (throttle.identity_key("root", email), root.account_id if root else "",
                root.arn if root else "", "Root")
    account = find_account(data["account"])
    name = data["user_name"].strip()
    account_ref = account.id if account else data["account"].strip()
    arn = f"arn:aws:iam::{account.id}:user/{name}" if account else ""
    return (throttle.identity_key(account_ref, name), account.id if account else "", arn, "IAMUser")


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return fallback


@public
@never_cache
def signin(request, account_ref: str | None = None):
    """The sign-in page; ``/signin/<account id or alias>/`` pre-fills the account."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect("identities:dashboard")
    initial = {"kind": "iam", "account": account_ref} if account_ref else {}
    if request.session.get("signup_email"):
        initial = {"kind": "root", "email": request.session.pop("signup_email")}
    form = SignInForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        error = _attempt_password(request, form.cleaned_data)
        if not error:
            if PENDING in request.session:
                return redirect(f"{reverse('identities:signin-mfa')}?next={_safe_next(request, '')}")
            return redirect(_safe_next(request, reverse("identities:dashboard")))
    return render(request, "identities/signin.html", {
        "form": form, "error": error, "account_ref": account_ref,
        "next": request.GET.get("next", ""),
    })


def _attempt_password(request, data: dict) -> str:
    """Check the password step; return the error to show, or "" on success."""
    identity_key, account_id, arn, kind = _claimed_identity(data)
    keys = (identity_key, throttle.address_key(_address(request)))
    caller = _sign_in_caller(request, account_id=account_id, arn=arn, kind=kind)
    params = {"kind": data["kind"], "email": data.get("email", ""),
              "account": data.get("account", ""), "user_name": data.get("user_name", "")}
    if throttle.is_blocked(*keys):
        record(caller, "signin:ConsoleLogin", outcome="Throttled", parameters=params,
               error_message="Too many failed attempts: refused until the window passes.")
        return SIGNIN_ERROR
    credentials = ({"email": data["email"]} if data["kind"] == "root"
                   else {"account": data["account"], "user_name": data["user_name"]})
    user = authenticate(request, password=data["password"], **credentials)
    if user is None:
        throttle.record_failure(*keys)
        record(caller, "signin:ConsoleLogin", outcome="Failure", parameters=params,
               error_message=_failure_reason(data, arn))
        return SIGNIN_ERROR
    throttle.reset(identity_key)
    expiry = passwords.expiry_state(user)
    if expiry == passwords.EXPIRED_HARD:
        record(caller, "signin:ConsoleLogin", outcome="Failure", parameters=params,
               error_message="Password expired; the password policy requires an administrator reset.")
        return PASSWORD_EXPIRED_ERROR
    device = MFADevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        # A fresh session key for the pending step, then only the user's pk
        # and the time: nothing here grants access to any page.
        request.session.cycle_key()
        request.session[PENDING] = {"user": user.pk, "at": time.time(), "key": identity_key}
        return ""
    _complete_sign_in(request, user, mfa=False)
    return ""


def _failure_reason(data: dict, arn: str) -> str:
    """For the administrator's event history only; never shown at sign-in."""
    if not arn:
        return "Failed authentication: no such account or root email."
    if data["kind"] == "iam":
        user = (User.objects.filter(account_id=arn.split(":")[4], kind=User.Kind.IAM,
                                    name__iexact=data["user_name"].strip())
                .select_related("login_profile").first())
        if user is None:
            return "Failed authentication: no such user."
        if not LoginProfile.objects.filter(user=user).exists():
            return "Failed authentication: the user has no console password."
    return "Failed authentication: wrong password."


def _complete_sign_in(request, user: User, *, mfa: bool) -> None:
    # login() gives the session a new key; sessions.started tracks it.
    login(request, user, backend="identities.backends.ConsoleBackend")
    request.iam_source_ip = _address(request)
    sessions.started(request, user, mfa=mfa)
    if mfa:
        request.session["iam_mfa_at"] = timezone.now().isoformat()
    reset_required = LoginProfile.objects.filter(user=user, password_reset_required=True).exists()
    if reset_required or passwords.expiry_state(user) == passwords.EXPIRED:
        request.session["iam_password_reset"] = True
    caller = Caller.for_user(user, via="console", source_ip=_address(request),
                             user_agent=request.META.get("HTTP_USER_AGENT", ""))
    record(caller, "signin:ConsoleLogin", parameters={"mfa_used": mfa})


@public
@never_cache
def signin_mfa(request):
    """The second step: a code from the identity's virtual MFA device."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("identities:signin")
    if time.time() - pending["at"] > settings.IAM_MFA_PENDING_SECONDS:
        del request.session[PENDING]
        messages.error(request, "Your sign-in timed out. Sign in again.")
        return redirect("identities:signin")
    user = User.objects.select_related("account").filter(pk=pending["user"]).first()
    device = MFADevice.objects.filter(user=user, confirmed=True).first() if user else None
    if device is None:
        del request.session[PENDING]
        return redirect("identities:signin")
    form = MFAForm(request.POST or None)
    error = ""
    if request.method == "POST":
        keys = (pending["key"], throttle.address_key(_address(request)))
        caller = _sign_in_caller(request, account_id=user.account_id, arn=user.arn,
                                 kind="Root" if user.is_root else "IAMUser")
        if throttle.is_blocked(*keys):
            record(caller, "signin:ConsoleLogin", outcome="Throttled",
                   error_message="Too many failed MFA attempts.")
            error = "The MFA code is not valid. Please try again."
        elif form.is_valid() and device.verify_token(form.cleaned_data["code"]):
            del request.session[PENDING]
            _complete_sign_in(request, user, mfa=True)
            return redirect(_safe_next(request, reverse("identities:dashboard")))
        else:
            throttle.record_failure(*keys)
            record(caller, "signin:ConsoleLogin", outcome="MFAFailure",
                   error_message="Wrong, reused or throttled MFA code.")
            error = "The MFA code is not valid. Please try again."
    return render(request, "identities/signin_mfa.html", {
        "form": form, "error": error, "user": user, "next": request.GET.get("next", ""),
    })


@signed_in_only
@allowed_during_password_reset
@allowed_before_mfa_enrolment
@never_cache
def signin_change_password(request):
    """The password change forced at sign-in (and the user's own change later)."""
    form = ChangePasswordForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            operations.change_password(
                request.caller,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except IamError as exc:
            error = exc.message
        else:
            # The password hash changed: other sessions end, this one goes on
            # with a new key.
            request.user.refresh_from_db()
            sessions.keep_current(request, request.user)
            request.session.pop("iam_password_reset", None)
            messages.success(request, "Your password has been changed.")
            return redirect("identities:dashboard")
    return render(request, "identities/signin_change_password.html", {
        "form": form, "error": error,
    })


@require_POST
@signed_in_only
@allowed_during_password_reset
@allowed_before_mfa_enrolment
def signout(request):
    """Sign out: the session is deleted on the server, not just forgotten."""
    caller = request.caller
    record(caller, "signin:ConsoleLogout")
    sessions.forget(request.session.session_key)
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("identities:signin")


@public
@never_cache
def signup(request):
    """Create an account and its root user from the browser."""
    form = SignUpForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_account(
                email=form.cleaned_data["email"], password=form.cleaned_data["password"],
                name=form.cleaned_data["account_name"],
            )
        except IamError as exc:
            error = exc.message
        else:
            caller = Caller.for_user(created.root, via="console", source_ip=_address(request),
                                     user_agent=request.META.get("HTTP_USER_AGENT", ""))
            record(caller, "signup:CreateAccount", resources=[created.account.root_arn])
            request.session["signup_email"] = created.root.email
            messages.success(request, f"Account {created.account.id} is ready. "
                                      "Sign in as the root user.")
            return redirect("identities:signin")
    return render(request, "identities/signup.html", {"form": form, "error": error})


@signed_in_only
@allowed_before_mfa_enrolment
@never_cache
def reauthenticate(request):
    """Prove it is still you (password, or an MFA code) before changing credentials."""
    user = request.user
    device = MFADevice.objects.filter(user=user, confirmed=True).first()
    error = ""
    if request.method == "POST":
        key = throttle.identity_key(user.account_id if not user.is_root else "root",
                                    user.name if not user.is_root else user.email)
        keys = (key, throttle.address_key(_address(request)))
        password = request.POST.get("password", "")
        code = request.POST.get("code", "").strip()
        proven = False
        if not throttle.is_blocked(*keys):
            proven = bool(password) and user.check_password(password)
            if not proven and device is not None and code:
                proven = device.verify_token(code)
        if proven:
            sessions.reauthenticated(request)
            record(request.caller, "signin:Reauthenticate")
            return redirect(_safe_next(request, reverse("identities:security-credentials")))
        throttle.record_failure(*keys)
        record(request.caller, "signin:Reauthenticate", outcome="Failure",
               error_message="Wrong password or MFA code at re-authentication.")
        error = SIGNIN_ERROR
    return render(request, "identities/reauthenticate.html", {
        "error": error, "has_mfa": device is not None, "next": request.GET.get("next", ""),
    })
