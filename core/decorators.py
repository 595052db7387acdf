"""Markers for console views that step outside the default.

By default every console view needs a signed-in principal and must take at
least one authorization decision through the engine, or its response is
refused (see ConsoleMiddleware).
"""

from __future__ import annotations


def public(view):
    """No sign-in needed: sign-in, sign-up, health check, the API endpoint."""
    view.iam_public = True
    return view


def signed_in_only(view):
    """Sign-in needed but no IAM action: sign-out, the forced password change."""
    view.iam_signed_in_only = True
    return view


def allowed_during_password_reset(view):
    """Reachable while the user still has to change a forced password."""
    view.iam_password_reset_ok = True
    return view


def allowed_before_mfa_enrolment(view):
    """Reachable while the account requires MFA and the user has none yet."""
    view.iam_enrolment_ok = True
    return view
