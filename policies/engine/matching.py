"""Wildcard matching for actions, resources and ``*Like`` condition values.

Only ``*`` (any run of characters) and ``?`` (exactly one character) are special;
every other character - ``.``, ``+``, ``(``, ``\\`` ... - means itself.  Patterns are
compiled once into the cheapest test that is exact: equality, ``startswith`` for a
single trailing ``*``, or a regex built from ``re.escape``d pieces.

Resource ARNs are matched segment by segment, as AWS documents: a wildcard stays
inside its colon-separated segment, except that a ``*`` that is the last character of
a segment "can expand to match beyond the colon boundaries" - which is why
``arn:aws:iam::*`` matches every IAM ARN while ``arn:aws:iam::*x:user/a`` does not
match an account part containing a colon.

A matcher is a callable ``matcher(text) -> truthy``.  Case-insensitive matching
(actions, ``StringLike`` is case-sensitive) is done by lowering both sides first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

Matcher = Callable[[str], object]

#: One piece of a pattern: (text, wild).  In a wild piece ``*`` and ``?`` are
#: wildcards; a literal piece (a policy variable's value, ``${*}``) matches itself.
Piece = tuple[str, bool]


def always(_text: str) -> bool:
    return True


def never(_text: str) -> bool:
    return False


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def compile_glob(pattern: str) -> Matcher:
    """A matcher for a plain wildcard pattern (actions, ``StringLike``)."""
    return compile_pieces(((pattern, True),), False)


def compile_arn(pattern: str) -> Matcher:
    """A matcher for an ARN pattern (``Resource``, ``ArnLike``)."""
    return compile_pieces(((pattern, True),), True)


@lru_cache(maxsize=8192)
def compile_pieces(pieces: tuple[Piece, ...], arn_aware: bool) -> Matcher:
    """Compile a pattern made of wild and literal pieces.

    Cached: resource patterns with policy variables are compiled per request value,
    and the same few user names and tags come back again and again.
    """
    chars: list[tuple[str, bool]] = []
    for text, wild in pieces:
        chars.extend((c, wild and c in "*?") for c in text)
    if not any(w for _, w in chars):
        literal = "".join(c for c, _ in chars)
        return literal.__eq__
    if len(chars) == 1 and chars[0] == ("*", True):
        return always
    if chars[-1] == ("*", True) and not any(w for _, w in chars[:-1]):
        prefix = "".join(c for c, _ in chars[:-1])
        return lambda text: text.startswith(prefix)
    return re.compile(_regex(chars, arn_aware), re.DOTALL).fullmatch


def _regex(chars: list[tuple[str, bool]], arn_aware: bool) -> str:
    out = []
    last = len(chars) - 1
    for i, (c, wild) in enumerate(chars):
        if not wild:
            out.append(re.escape(c))
        elif not arn_aware:
            out.append(".*" if c == "*" else ".")
        elif c == "?":
            out.append("[^:]")
        elif i == last or chars[i + 1][0] == ":":
            out.append(".*")
        else:
            out.append("[^:]*")
    return "".join(out)


def compile_any(patterns: list[tuple[Piece, ...]], arn_aware: bool) -> Matcher:
    """One matcher for "matches any of these patterns": a set lookup when they are
    all literal, else a single alternation regex, so a statement with twenty
    resources costs one C call instead of twenty Python calls."""
    if not patterns:
        return never
    if len(patterns) == 1:
        return compile_pieces(patterns[0], arn_aware)
    literals: list[str] = []
    sources: list[str] = []
    for pieces in patterns:
        chars: list[tuple[str, bool]] = []
        for text, wild in pieces:
            chars.extend((c, wild and c in "*?") for c in text)
        if not any(w for _, w in chars):
            literals.append("".join(c for c, _ in chars))
        elif len(chars) == 1:
            return always
        else:
            sources.append(_regex(chars, arn_aware))
    if not sources:
        return frozenset(literals).__contains__
    sources.extend(re.escape(text) for text in literals)
    return re.compile("|".join(f"(?:{s})" for s in sources), re.DOTALL).fullmatch
