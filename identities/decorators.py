"""View decorators for the identity pages."""

from __future__ import annotations

import functools

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from identities import sessions


def recent_authentication_required(view):
    """Changing a password, MFA devices or access keys needs a password or MFA
    proof from the last few minutes (IAM_REAUTHENTICATE_SECONDS)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not sessions.recently_authenticated(request):
            # A redirect to prove identity again reveals and changes nothing:
            # no authorization decision is needed for it.
            request.iam_needs_decision = False
            back = request.path if request.method == "GET" else reverse("identities:security-credentials")
            return redirect(f"{reverse('identities:reauthenticate')}?{urlencode({'next': back})}")
        return view(request, *args, **kwargs)

    return wrapper
