"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``, ``${*}``.

AWS substitutes variables only in documents whose Version is 2012-10-17; in older
documents ``${...}`` is literal text.  A variable takes the value of the request
context key of the same name (names are case-insensitive).  A key that is absent
or multi-valued gives no value; then the default (``${key, 'default'}``) is used,
and with no default the pattern or condition value that holds the variable matches
nothing - AWS: "the variable ... is not replaced and the statement may be invalid".

``${*}``, ``${?}`` and ``${$}`` stand for a literal ``*``, ``?`` and ``$``: they
never act as wildcards.  A substituted value is literal too, so a user named
``a*`` cannot widen a pattern.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .matching import Piece

VARIABLE_VERSION = "2012-10-17"

_SPECIALS = {"*": "*", "?": "?", "$": "$"}

#: How a template asks for a value: lowercased key -> single value or None.
Lookup = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class Variable:
    key: str
    name: str
    default: str | None


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string split into wild text, literal text and variables."""

    parts: tuple[Piece | Variable, ...]
    variables: tuple[Variable, ...]

    def static(self) -> tuple[Piece, ...]:
        """The pieces of a template without variables (its parts, then)."""
        if not self.variables:
            return self.parts  # type: ignore[return-value]
        return tuple(p for p in self.parts if not isinstance(p, Variable))  # type: ignore[misc]

    def resolve(self, lookup: Lookup) -> tuple[Piece, ...] | None:
        """Pieces with every variable substituted, or None if one has no value."""
        out: list[Piece] = []
        for part in self.parts:
            if isinstance(part, Variable):
                value = lookup(part.key)
                if value is None:
                    value = part.default
                    if value is None:
                        return None
                out.append((value, False))
            else:
                out.append(part)
        return tuple(out)

    def resolve_text(self, lookup: Lookup) -> str | None:
        pieces = self.resolve(lookup)
        return None if pieces is None else "".join(text for text, _ in pieces)


def parse_template(text: str, *, variables: bool = True) -> Template:
    """Split ``text`` into pieces; with ``variables=False`` (2008-10-17) it is all
    wild text."""
    if not variables or "${" not in text:
        return Template(((text, True),), ())
    parts: list[Piece | Variable] = []
    found: list[Variable] = []
    buf: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        start = text.find("${", i)
        if start == -1:
            buf.append(text[i:])
            break
        buf.append(text[i:start])
        parsed = _parse_variable(text, start)
        if parsed is None:
            buf.append("${")
            i = start + 2
            continue
        item, i = parsed
        if buf:
            joined = "".join(buf)
            if joined:
                parts.append((joined, True))
            buf = []
        if isinstance(item, Variable):
            found.append(item)
            parts.append(item)
        else:
            parts.append((item, False))
    joined = "".join(buf)
    if joined:
        parts.append((joined, True))
    return Template(tuple(parts), tuple(found))


def _parse_variable(text: str, start: int) -> tuple[Variable | str, int] | None:
    """Parse ``${...}`` at ``start``; None when it is not a well-formed variable, in
    which case the characters are kept as ordinary text."""
    i = start + 2
    if i + 1 < len(text) and text[i] in _SPECIALS and text[i + 1] == "}":
        return _SPECIALS[text[i]], i + 2
    end_key = i
    while end_key < len(text) and text[end_key] not in ",}":
        end_key += 1
    if end_key >= len(text):
        return None
    name = text[i:end_key].strip()
    if not name or "${" in name:
        return None
    if text[end_key] == "}":
        return Variable(name.lower(), name, None), end_key + 1
    j = end_key + 1
    while j < len(text) and text[j] == " ":
        j += 1
    if j >= len(text) or text[j] != "'":
        return None
    j += 1
    default: list[str] = []
    while True:
        q = text.find("'", j)
        if q == -1:
            return None
        default.append(text[j:q])
        if text.startswith("''", q):
            default.append("'")
            j = q + 2
            continue
        j = q + 1
        break
    while j < len(text) and text[j] == " ":
        j += 1
    if j >= len(text) or text[j] != "}":
        return None
    return Variable(name.lower(), name, "".join(default)), j + 1


def variables_in(text: str) -> tuple[Variable, ...]:
    return parse_template(text).variables
