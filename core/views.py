"""Views every deployment has: the health check."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.decorators import public


@public
@never_cache
def healthz(request):
    """Answers 200 when the database answers; for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
