"""The IAM dashboard and the account alias."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.recommendations import security_recommendations
from core.errors import IamError
from core.http import ConsoleRequest
from identities import operations
from identities.forms import AccountAliasForm
from identities.lookups import caller_account
from identities.operations import pages


def dashboard(request: ConsoleRequest):
    """Account id and alias, the sign-in URL, counts and security recommendations."""
    board = pages.dashboard(request.caller)
    account = caller_account(request.caller)
    sign_in_url = request.build_absolute_uri(
        reverse("identities:signin-account", args=[account.sign_in_slug])
    )
    summary = board.summary.rows[0] if board.summary.rows else None
    # Seen with the summary: whoever may read the counts sees the recommendations.
    recommendations = [] if summary is None else security_recommendations(request.caller.account_id)
    return render(request, "identities/dashboard.html", {
        "board": board,
        "summary": summary,
        "account": account,
        "sign_in_url": sign_in_url,
        "recommendations": recommendations,
    })


@require_POST
def account_alias_update(request: ConsoleRequest):
    """Create, replace or (with an empty value) delete the account alias."""
    form = AccountAliasForm(request.POST)
    if form.is_valid():
        alias = form.cleaned_data["alias"].strip()
        try:
            current = next(iter(operations.list_account_aliases(request.caller)), None)
            if alias:
                operations.create_account_alias(request.caller, account_alias=alias)
                messages.success(request, f"Account alias {alias} created.")
            elif current:
                operations.delete_account_alias(request.caller, account_alias=current)
                messages.success(request, f"Account alias {current} deleted.")
        except IamError as exc:
            if exc.code == "AccessDenied":
                raise
            messages.error(request, exc.message)
    return redirect("identities:dashboard")
