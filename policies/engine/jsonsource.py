"""A strict JSON reader that remembers where each value starts.

Why not ``json.loads``: policy findings need a line and column for every element,
duplicate keys must be refused rather than silently collapsed, ``NaN``/``Infinity``
and lone surrogates are not JSON, numbers must keep their source text (a condition
value ``10`` is compared as the text "10"), and a hostile document nested ten
thousand deep must produce a clean error instead of ``RecursionError``.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 32

_WS = re.compile(r"[ \t\n\r]*")
_STR_RUN = re.compile(r'[^"\\\x00-\x1f\ud800-\udfff]*')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass(frozen=True, slots=True)
class JsonNumber:
    """A JSON number kept as written, because IAM compares condition values as text."""

    text: str


class JsonSyntaxError(Exception):
    """Bad JSON: ``offset`` is the character index, ``line``/``column`` are 1-based."""

    def __init__(self, message: str, offset: int, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column


def format_path(path: tuple) -> str:
    """("Statement", 0, "Action", 1) -> "Statement[0].Action[1]"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class Positions:
    """Where each value (by JSON path) starts in the text, as line and column."""

    __slots__ = ("_line_starts", "_offsets")

    def __init__(self, text: str = "") -> None:
        self._offsets: dict[tuple, int] = {}
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._line_starts = starts

    def record(self, path: tuple, offset: int) -> None:
        self._offsets[path] = offset

    def line_column_of(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def line_column(self, path: tuple) -> tuple[int | None, int | None]:
        """The position of the nearest recorded ancestor of ``path`` (a missing
        element is reported where its statement starts)."""
        while True:
            offset = self._offsets.get(path)
            if offset is not None:
                return self.line_column_of(offset)
            if not path:
                return None, None
            path = path[:-1]


def load(text: str) -> tuple[Any, Positions]:
    """Parse ``text`` into dicts, lists, str, JsonNumber, bool and None, with positions."""
    reader = _Reader(text)
    return reader.document(), reader.positions


class _Reader:
    __slots__ = ("text", "positions")

    def __init__(self, text: str) -> None:
        self.text = text
        self.positions = Positions(text)

    def fail(self, message: str, offset: int) -> JsonSyntaxError:
        line, column = self.positions.line_column_of(offset)
        return JsonSyntaxError(message, offset, line, column)

    def document(self) -> Any:
        i = _WS.match(self.text, 0).end()
        if i == len(self.text):
            raise self.fail("The policy document is empty", i)
        value, i = self.value(i, (), 0)
        i = _WS.match(self.text, i).end()
        if i != len(self.text):
            raise self.fail("Unexpected text after the end of the JSON document", i)
        return value

    def value(self, i: int, path: tuple, depth: int) -> tuple[Any, int]:
        text = self.text
        if i >= len(text):
            raise self.fail("Unexpected end of the document: a value is missing", i)
        self.positions.record(path, i)
        ch = text[i]
        if ch == "{":
            return self.obj(i, path, depth + 1)
        if ch == "[":
            return self.array(i, path, depth + 1)
        if ch == '"':
            return self.string(i)
        if text.startswith("true", i):
            return True, i + 4
        if text.startswith("false", i):
            return False, i + 5
        if text.startswith("null", i):
            return None, i + 4
        m = _NUMBER.match(text, i)
        if m and m.end() > i:
            return JsonNumber(m.group()), m.end()
        if text.startswith(("NaN", "Infinity", "-Infinity"), i):
            raise self.fail("NaN and Infinity are not valid JSON numbers", i)
        raise self.fail(f"Unexpected character {ch!r}: expected a JSON value", i)

    def obj(self, i: int, path: tuple, depth: int) -> tuple[dict, int]:
        if depth > MAX_DEPTH:
            raise self.fail(f"The document is nested more than {MAX_DEPTH} levels deep", i)
        text = self.text
        result: dict[str, Any] = {}
        i = _WS.match(text, i + 1).end()
        if text.startswith("}", i):
            return result, i + 1
        while True:
            if not text.startswith('"', i):
                raise self.fail("Expected a property name in double quotes", i)
            key_at = i
            key, i = self.string(i)
            if key in result:
                raise self.fail(f"Duplicate key {key!r} in the same object", key_at)
            i = _WS.match(text, i).end()
            if not text.startswith(":", i):
                raise self.fail("Expected ':' after a property name", i)
            i = _WS.match(text, i + 1).end()
            result[key], i = self.value(i, path + (key,), depth)
            i = _WS.match(text, i).end()
            if text.startswith(",", i):
                i = _WS.match(text, i + 1).end()
                continue
            if text.startswith("}", i):
                return result, i + 1
            raise self.fail("Expected ',' or '}' after a property value", i)

    def array(self, i: int, path: tuple, depth: int) -> tuple[list, int]:
        if depth > MAX_DEPTH:
            raise self.fail(f"The document is nested more than {MAX_DEPTH} levels deep", i)
        text = self.text
        result: list[Any] = []
        i = _WS.match(text, i + 1).end()
        if text.startswith("]", i):
            return result, i + 1
        while True:
            item, i = self.value(i, path + (len(result),), depth)
            result.append(item)
            i = _WS.match(text, i).end()
            if text.startswith(",", i):
                i = _WS.match(text, i + 1).end()
                continue
            if text.startswith("]", i):
                return result, i + 1
            raise self.fail("Expected ',' or ']' after an array element", i)

    def string(self, i: int) -> tuple[str, int]:
        text = self.text
        start = i
        i += 1
        parts: list[str] = []
        while True:
            m = _STR_RUN.match(text, i)
            parts.append(m.group())
            i = m.end()
            if i >= len(text):
                raise self.fail("Unterminated string", start)
            ch = text[i]
            if ch == '"':
                return "".join(parts), i + 1
            if ch != "\\":
                if "\ud800" <= ch <= "\udfff":
                    raise self.fail("A lone UTF-16 surrogate is not a valid character", i)
                raise self.fail("Control characters must be escaped in JSON strings", i)
            esc = text[i + 1 : i + 2]
            if esc in _ESCAPES:
                parts.append(_ESCAPES[esc])
                i += 2
                continue
            if esc != "u":
                raise self.fail("Invalid escape sequence in a string", i)
            code = self.hex4(i)
            i += 6
            if 0xD800 <= code <= 0xDBFF and text.startswith("\\u", i):
                low = self.hex4(i)
                if 0xDC00 <= low <= 0xDFFF:
                    parts.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                    i += 6
                    continue
            if 0xD800 <= code <= 0xDFFF:
                raise self.fail("A lone UTF-16 surrogate escape is not a valid character", i - 6)
            parts.append(chr(code))

    def hex4(self, i: int) -> int:
        digits = self.text[i + 2 : i + 6]
        if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise self.fail("Invalid \\u escape: four hex digits expected", i)
        return int(digits, 16)


class LazyPositions(Positions):
    """Positions computed only when an error needs one: the fast path (below) parses
    with the C ``json`` module, which does not report where values are."""

    __slots__ = ("_text", "_ready")

    def __init__(self, text: str) -> None:
        self._text = text
        self._ready = False

    def line_column(self, path: tuple) -> tuple[int | None, int | None]:
        if not self._ready:
            _, real = load(self._text)
            self._offsets = real._offsets
            self._line_starts = real._line_starts
            self._ready = True
        return Positions.line_column(self, path)


class _Refused(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Refused
    return result


def _constant(_name: str) -> Any:
    raise _Refused


_RAW_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def load_fast(text: str) -> tuple[Any, Positions]:
    """Same result as ``load``, but through the C ``json`` module with hooks for the
    strict rules; anything it refuses is read again by ``load`` so that the error
    is the same, with its line and column."""
    if ("\\u" in text and _ESCAPED_SURROGATE.search(text)) or (
        not text.isascii() and _RAW_SURROGATE.search(text)
    ):
        return load(text)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_float=JsonNumber,
            parse_int=JsonNumber,
            parse_constant=_constant,
        )
    except (ValueError, RecursionError, _Refused):
        return load(text)
    # Nesting deeper than MAX_DEPTH cannot pass the grammar, which type-checks every
    # element it reads, so unlike ``load`` this path need not measure it.
    return value, LazyPositions(text)
