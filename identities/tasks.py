"""Background bookkeeping for identities. Thin: the work lives in services."""

from __future__ import annotations

from celery import shared_task

from identities import throttle


@shared_task(name="identities.purge_sign_in_throttles")
def purge_sign_in_throttles() -> int:
    """Forget sign-in failure counters whose window has passed.

    Cleanup only: an expired counter is already ignored by every check.
    """
    return throttle.purge_expired()
