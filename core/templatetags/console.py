"""Template helpers for console pages: sortable headers, query strings, ages."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with ``changes`` applied (None removes a key)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str):
    """A column header that sorts by ``field``, toggling the direction."""
    request = context["request"]
    current = request.GET.get("sort", context.get("default_sort", "name"))
    descending = current.startswith("-")
    active = current.lstrip("-") == field
    target = f"-{field}" if active and not descending else field
    params = request.GET.copy()
    params["sort"] = target
    params.pop("page", None)
    arrow = ("&#9660;" if descending else "&#9650;") if active else "&#8693;"
    state = ("descending" if descending else "ascending") if active else "none"
    return format_html(
        # A no-break space: where a heading wraps, its arrow stays with the last word.
        '<a class="sort-link{}" href="?{}" aria-sort="{}">{}&nbsp;<span class="sort-arrow" '
        'aria-hidden="true">{}</span></a>',
        " is-active" if active else "", params.urlencode(), state, label,
        mark_safe(arrow),
    )


@register.filter
def age(value: datetime | None) -> str:
    """'Today', '1 day', '45 days', or '-' for never."""
    if not value:
        return "-"
    days = (timezone.now() - value).days
    if days <= 0:
        return "Today"
    return "1 day" if days == 1 else f"{days} days"


@register.filter
def ago(value: datetime | None) -> str:
    """A coarse 'how long ago' as the AWS console shows: 'Now', '5 minutes ago'..."""
    if not value:
        return "Never"
    seconds = int((timezone.now() - value).total_seconds())
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "Now"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def days_old(value: datetime | None) -> int:
    """Whole days since ``value`` (0 for never), for age warnings."""
    return (timezone.now() - value).days if value else 0
