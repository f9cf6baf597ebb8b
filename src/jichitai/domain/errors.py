"""One error family for the whole register.

Every refusal carries a stable English dotted ``code``, a Japanese ``message`` for the user and the
``field`` (or ``line``) at fault. A rule is either an *error* (the change cannot be finalised) or an
*alert* (it may be finalised once the operator acknowledges it), as the standard's §11.1 (1440)
distinguishes. Nothing here knows about HTTP: entry points map these to their own shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """エラー (cannot finalise) or アラート (finalise after acknowledging)."""

    ERROR = "error"
    ALERT = "alert"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: code, Japanese message, the field (or line) at fault, and its severity."""

    code: str
    message: str
    field: str | None = None
    severity: Severity = Severity.ERROR
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class DomainError(Exception):
    """A refusal with one or more violations; the first one names the error."""

    def __init__(self, *violations: Violation) -> None:
        if not violations:
            raise ValueError("DomainError needs at least one violation")
        self.violations: tuple[Violation, ...] = violations
        first = violations[0]
        super().__init__(
            f"{first.code}: {first.message}" + (f" ({first.field})" if first.field else "")
        )

    @property
    def code(self) -> str:
        return self.violations[0].code

    @property
    def message(self) -> str:
        return self.violations[0].message

    @property
    def field(self) -> str | None:
        return self.violations[0].field


class InvalidValue(DomainError):
    """A single value is malformed: wrong digits, impossible code, unknown term."""


class RuleViolations(DomainError):
    """A change breaks register rules: errors, or alerts the operator has not acknowledged."""


class NotFound(DomainError):
    """The person, household, event or municipality asked for does not exist (in this tenant)."""


class ConflictError(DomainError):
    """Optimistic concurrency: the change was based on a version that is no longer current."""


class TooManyRequests(DomainError):
    """Refused for a while: too many attempts from one place (a rate limit). Nothing was done;
    the same request may succeed after ``retry_after_seconds``."""

    def __init__(self, *violations: Violation, retry_after_seconds: int) -> None:
        super().__init__(*violations)
        self.retry_after_seconds = max(1, retry_after_seconds)


class Unavailable(DomainError):
    """Refused for now: the system is at capacity. Nothing was done; try again after
    ``retry_after_seconds``."""

    def __init__(self, *violations: Violation, retry_after_seconds: int) -> None:
        super().__init__(*violations)
        self.retry_after_seconds = max(1, retry_after_seconds)


def invalid(code: str, message: str, field: str | None = None) -> InvalidValue:
    """Shorthand for the common case of one malformed value."""
    return InvalidValue(Violation(code=code, message=message, field=field))
