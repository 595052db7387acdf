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


def decode_marker(marker: str, width: int, kinds: tuple[type, ...] | None = None) -> list:
    """The position a marker holds: ``width`` strings or 64-bit integers (of ``kinds``,
    one per value, when given); InvalidInput for anything else, forged or stale."""
    try:
        padded = marker + "=" * (-len(marker) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeError) as exc:
        raise InvalidInput("Invalid Marker.") from exc
    if not isinstance(values, list) or len(values) != width:
        raise InvalidInput("Invalid Marker.")
    if not all(_is_position(value) for value in values):
        raise InvalidInput("Invalid Marker.")
    if kinds and not all(type(value) is kind for value, kind in zip(values, kinds)):
        raise InvalidInput("Invalid Marker.")
    return values


def _is_position(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, str) or (isinstance(value, int) and -2**63 <= value < 2**63)


def paginate(queryset: QuerySet, *, marker: str | None, max_items: int,
             order: tuple[str, ...] = ("name", "id")) -> Page:
    """One page of ``queryset`` ordered by ``order`` (the last field unique)."""
    queryset = queryset.order_by(*order)
    if marker:
        values = decode_marker(marker, len(order))
        # (a, b) > (x, y)  <=>  a > x  or  (a == x and b > y)
        condition = Q()
        for index, field in enumerate(order):
            step = Q(**{f"{field}__gt": values[index]})
            for earlier, earlier_field in enumerate(order[:index]):
                step &= Q(**{earlier_field: values[earlier]})
            condition |= step
        queryset = queryset.filter(condition)
    return page_of(list(queryset[: max_items + 1]), max_items=max_items, order=order)


def page_of(rows: list, *, max_items: int, order: tuple[str, ...] = ("name", "id")) -> Page:
    """The page of ``rows``, read in ``order`` with one row more than ``max_items``:
    that row, when there is one, tells that the list goes on after the page."""
    truncated = len(rows) > max_items
    rows = rows[:max_items]
    next_marker = None
    if truncated and rows:
        last = rows[-1]
        next_marker = _encode([getattr(last, field) for field in order])
    return Page(items=rows, is_truncated=truncated, marker=next_marker)
