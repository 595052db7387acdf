"""The typed console request: what the middleware attaches."""

from __future__ import annotations

from django.http import HttpRequest

from core.caller import Caller


class ConsoleRequest(HttpRequest):
    """A request that passed ConsoleMiddleware: ``caller`` is always set."""

    caller: Caller


def client_address(request: HttpRequest, trusted_proxies: list[str]) -> str:
    """The client's address; X-Forwarded-For counts only behind a named proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in trusted_proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        # The right-most address that is not one of our own proxies is the
        # first one we did not write ourselves.
        for hop in reversed(hops):
            if hop not in trusted_proxies:
                return hop
    return remote
