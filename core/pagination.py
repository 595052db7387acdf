"""AWS-style list pagination: ``Marker``, ``MaxItems``, ``IsTruncated``.

Keyset pagination on a unique ordering, so a page costs one query however
deep it is. The marker is opaque to clients and only a position: lists are
always filtered to the caller's account before it is applied.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from core.errors import InvalidInput


@dataclass(frozen=True)
class Page:
    items: list[Any]
    is_truncated: bool
    marker: str | None


def _encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(marker: str, width: int) -> list:
    try:
        padded = marker + "=" * (-len(marker) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeError) as exc:
        raise InvalidInput("Invalid Marker.") from exc
    if not isinstance(values, list) or len(values) != width:
        raise InvalidInput("Invalid Marker.")
    if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
        raise InvalidInput("Invalid Marker.")
    return values


def paginate(queryset: QuerySet, *, marker: str | None, max_items: int,
             order: tuple[str, ...] = ("name", "id")) -> Page:
    """One page of ``queryset`` ordered by ``order`` (the last field unique)."""
    queryset = queryset.order_by(*order)
    if marker:
        values = _decode(marker, len(order))
        # (a, b) > (x, y)  <=>  a > x  or  (a == x and b > y)
        condition = Q()
        for index, field in enumerate(order):
            step = Q(**{f"{field}__gt": values[index]})
            for earlier, earlier_field in enumerate(order[:index]):
                step &= Q(**{earlier_field: values[earlier]})
            condition |= step
        queryset = queryset.filter(condition)
    rows = list(queryset[: max_items + 1])
    truncated = len(rows) > max_items
    rows = rows[:max_items]
    next_marker = None
    if truncated and rows:
        last = rows[-1]
        next_marker = _encode([getattr(last, field) for field in order])
    return Page(items=rows, is_truncated=truncated, marker=next_marker)
