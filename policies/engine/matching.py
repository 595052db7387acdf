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
    return _guarded(re.compile(_regex(chars, arn_aware), re.DOTALL).fullmatch, [chars], arn_aware)


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
    wild = [chars for chars in (_chars(p) for p in patterns) if any(w for _, w in chars)]
    return _guarded(re.compile("|".join(f"(?:{s})" for s in sources), re.DOTALL).fullmatch,
                    wild, arn_aware, frozenset(literals))


def _chars(pieces: tuple[Piece, ...]) -> list[tuple[str, bool]]:
    return [(c, wild and c in "*?") for text, wild in pieces for c in text]


# A regex built from a pattern with k stars backtracks in about n**k steps on a
# text of n characters that almost matches ("a*a*a*a*a*a*a*a*b" against sixty a's
# takes seconds; against a 2,048-character ARN in SimulateCustomPolicy, hours). The
# regex is kept where that bound is small - nearly every real pattern and text -
# and longer texts go to an automaton that takes n steps whatever the pattern.
_BACKTRACK_BUDGET = 100_000


def _guarded(fullmatch: Matcher, patterns: list[list[tuple[str, bool]]], arn_aware: bool,
             literals: frozenset[str] = frozenset()) -> Matcher:
    stars = max((sum(1 for c, w in chars if w and c == "*") for chars in patterns), default=0)
    if stars < 2:
        return fullmatch
    safe_length = int(_BACKTRACK_BUDGET ** (1 / stars))
    automata = [_automaton(chars, arn_aware) for chars in patterns]

    def match(text: str) -> bool:
        if len(text) <= safe_length:
            return bool(fullmatch(text))
        return text in literals or any(automaton(text) for automaton in automata)

    return match


def _automaton(chars: list[tuple[str, bool]], arn_aware: bool) -> Callable[[str], bool]:
    """A bit-parallel NFA for one pattern: bit i set means "the first i pattern
    characters are matched". The same semantics as ``_regex``."""
    literal: dict[str, int] = {}
    one = loop_any = loop_segment = star = 0
    last = len(chars) - 1
    for i, (c, wild) in enumerate(chars):
        bit = 1 << i
        if not wild:
            literal[c] = literal.get(c, 0) | bit
        elif c == "?":
            one |= bit
        else:
            star |= bit
            if not arn_aware or i == last or chars[i + 1][0] == ":":
                loop_any |= bit
            else:
                loop_segment |= bit
    accept = 1 << len(chars)

    def close(states: int) -> int:
        while True:  # a star may match nothing: its successor is active too
            wider = states | ((states & star) << 1)
            if wider == states:
                return states
            states = wider

    def automaton(text: str) -> bool:
        states = close(1)
        for c in text:
            colon = arn_aware and c == ":"  # "?" and a segment's "*" stop at a colon
            step = literal.get(c, 0) | (0 if colon else one)
            states = close(((states & step) << 1)
                          | (states & (loop_any | (0 if colon else loop_segment))))
            if not states:
                return False
        return bool(states & accept)

    return automaton
