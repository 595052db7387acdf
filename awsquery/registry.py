"""Which operation answers ``(service, Action)``, and how its result becomes the output shape.

Routes name their operation by dotted path and are resolved on first use: an
action whose operation does not exist (yet) is "not implemented" rather than
an import error for the whole endpoint. A handler passes the parsed
parameters to the operation as snake_case keyword arguments; a parameter the
operation does not take is refused by name, never silently dropped.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from botocore import xform_name

from awsquery import shapes
from awsquery.errors import InvalidAction, NotImplementedAction, UnsupportedParameter
from core.caller import Caller
from core.errors import InvalidInput, ValidationError
from core.pagination import Page

log = logging.getLogger(__name__)
_MARKER_PREFIX = "offset-"


@dataclass(frozen=True)
class Route:
    action: str
    target: str  # "package.module:function"
    shape: Callable[[Any], dict] | None = None  # the operation's result -> output-shape dict
    # The operation returns its whole (small, bounded) list: Marker and MaxItems
    # are applied here, so that every List action pages as AWS's does.
    paged_here: bool = False


def route(action: str, target: str, shape: Callable[[Any], dict] | None = None, *,
          paged_here: bool = False) -> Route:
    return Route(action, target, shape, paged_here)


@dataclass(frozen=True)
class Handler:
    service: str
    route: Route
    operation: Callable
    accepted: frozenset[str] | None  # None: the operation takes **kwargs
    # Keywords the operation cannot do without, though the model may call them
    # optional (botocore's CreateLoginProfile no longer requires Password).
    required: tuple[str, ...] = ()

    def __call__(self, caller: Caller, params: dict) -> dict | None:
        if self.route.paged_here:
            params = dict(params)
            start = _offset(params.pop("Marker", None))  # refused before the operation runs
            max_items = params.pop("MaxItems", None) or 100
        kwargs = {}
        for name, value in params.items():
            keyword = xform_name(name)
            if self.accepted is not None and keyword not in self.accepted:
                raise UnsupportedParameter(self.route.action, name)
            kwargs[keyword] = value
        missing = [keyword for keyword in self.required if keyword not in kwargs]
        if missing:
            raise ValidationError(
                f"{len(missing)} validation error{'s' if len(missing) > 1 else ''} detected: "
                + "; ".join(f"Value null at '{_camel(keyword)}' failed to satisfy constraint: "
                            "Member must not be null" for keyword in missing))
        result = self.operation(caller, **kwargs)
        if self.route.paged_here:
            result = _page(list(result), start, max_items)
        return self.route.shape(result) if self.route.shape is not None else None


def _offset(marker: str | None) -> int:
    if not marker:
        return 0
    raw = marker[len(_MARKER_PREFIX):] if marker.startswith(_MARKER_PREFIX) else ""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
        raise InvalidInput("Invalid Marker.")
    return int(raw)


def _page(items: list, start: int, size: int) -> Page:
    """One page of a list the operation returned whole; the marker is the next offset."""
    end = start + size
    truncated = end < len(items)
    return Page(items=items[start:end], is_truncated=truncated,
                marker=f"{_MARKER_PREFIX}{end}" if truncated else None)


@lru_cache(maxsize=1)
def routes() -> dict[tuple[str, str], Route]:
    # Imported here because the route modules import Route from this one.
    from awsquery import iam, iam_policies, sts

    table: dict[tuple[str, str], Route] = {}
    for service, module_routes in (("iam", iam.ROUTES), ("iam", iam_policies.ROUTES),
                                   ("sts", sts.ROUTES)):
        for entry in module_routes:
            table[(service, entry.action)] = entry
    return table


@lru_cache(maxsize=None)
def _resolve(target: str) -> Callable | None:
    module_name, _, function_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None  # not written yet
        log.warning("operation module %s fails to import", module_name, exc_info=True)
        return None
    except Exception:
        log.warning("operation module %s fails to import", module_name, exc_info=True)
        return None
    return getattr(module, function_name, None)


def _camel(keyword: str) -> str:
    first, *rest = keyword.split("_")
    return first + "".join(part.title() for part in rest)


def _required(operation: Callable) -> tuple[str, ...]:
    parameters = list(inspect.signature(operation).parameters.values())[1:]
    return tuple(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY
                 and p.default is inspect.Parameter.empty)


def _accepted(operation: Callable) -> frozenset[str] | None:
    parameters = list(inspect.signature(operation).parameters.values())[1:]  # after the caller
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters)


@lru_cache(maxsize=512)
def handler(service: str, action: str) -> Handler:
    """The handler for ``action``; InvalidAction when the model has no such action."""
    if shapes.operation_model(service, action) is None:
        raise InvalidAction(f"Could not find operation {action[:128]} for version "
                            f"{shapes.SERVICES[service].version}")
    entry = routes().get((service, action))
    operation = _resolve(entry.target) if entry is not None else None
    if operation is None:
        raise NotImplementedAction(service, action)
    return Handler(service, entry, operation, _accepted(operation), _required(operation))


def implemented_actions() -> list[tuple[str, str, str]]:
    """``(service, Action, operation)`` for every action this server answers, sorted."""
    rows = []
    for (service, action), entry in sorted(routes().items()):
        if _resolve(entry.target) is not None:
            rows.append((service, action, entry.target.replace(":", ".")))
    return rows


def implemented_table() -> str:
    """The implemented actions as a Markdown table (for the README)."""
    lines = ["| Service | Action | Operation |", "|---|---|---|"]
    lines += [f"| {service.upper()} | {action} | `{target}` |"
              for service, action, target in implemented_actions()]
    return "\n".join(lines)
