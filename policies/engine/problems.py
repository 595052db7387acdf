"""What can be wrong with a policy document, in the two shapes callers need.

``PolicyError`` is what the API and the console turn into AWS's
``MalformedPolicyDocument`` / ``LimitExceeded`` errors: the first problem stops the
parse.  ``Finding`` is what the policy editor shows beside the JSON: every problem,
each with a JSON path and a line and column, in Access Analyzer's vocabulary.

Both come out of the same grammar walk (see ``document.py``): the walk reports each
problem to a *sink*; the strict sink raises, the collecting sink keeps going.  That
way the rules that reject a document and the findings that explain it never drift
apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .jsonsource import Positions, format_path

MALFORMED = "MalformedPolicyDocument"
LIMIT_EXCEEDED = "LimitExceeded"

FindingType = Literal["ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"]


class PolicyError(Exception):
    """A document IAM would refuse: ``code`` is the AWS error code, ``message`` a sentence
    that says what is wrong and where (JSON path, and line/column when known)."""

    def __init__(
        self,
        message: str,
        *,
        code: str = MALFORMED,
        path: str = "",
        line: int | None = None,
        column: int | None = None,
        issue_code: str = "",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.issue_code = issue_code

    def __repr__(self) -> str:
        return f"PolicyError(code={self.code!r}, message={self.message!r})"


@dataclass(frozen=True, slots=True)
class Finding:
    """One validation finding, shaped like an Access Analyzer ``ValidatePolicy`` finding."""

    finding_type: FindingType
    issue_code: str
    message: str
    path: str
    line: int | None = None
    column: int | None = None


def locate(message: str, path: str, line: int | None, column: int | None) -> str:
    """Append "(at Statement[0].Effect, line 4, column 17)" to a sentence, so a
    reader of an API error can find the problem without a validator."""
    where = []
    if path:
        where.append(f"at {path}")
    if line is not None:
        where.append(f"line {line}, column {column}")
    sentence = message.rstrip(".")
    return f"{sentence} ({', '.join(where)})." if where else f"{sentence}."


class StrictSink:
    """Raise on the first error: this is ``parse_policy``'s behaviour."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions

    def error(self, issue_code: str, message: str, path: tuple) -> None:
        line, column = self.positions.line_column(path)
        text = format_path(path)
        raise PolicyError(
            locate(message, text, line, column),
            path=text,
            line=line,
            column=column,
            issue_code=issue_code,
        )

    def note(self, finding_type: FindingType, issue_code: str, message: str, path: tuple) -> None:
        """Warnings and suggestions do not stop a parse."""


class CollectingSink:
    """Keep every problem as a ``Finding``: this is ``validate_policy``'s behaviour."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.findings: list[Finding] = []

    def error(self, issue_code: str, message: str, path: tuple) -> None:
        self.note("ERROR", issue_code, message, path)

    def note(self, finding_type: FindingType, issue_code: str, message: str, path: tuple) -> None:
        line, column = self.positions.line_column(path)
        self.findings.append(
            Finding(finding_type, issue_code, message, format_path(path), line, column)
        )

    @property
    def has_errors(self) -> bool:
        return any(f.finding_type == "ERROR" for f in self.findings)
