"""Rendering the counter's pages: Jinja2 templates, the headers every page carries, and the
refusals of the services turned into messages next to their fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jichitai.domain.access.actor import Forbidden, Unauthenticated
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.errors import DomainError, NotFound, Violation
from jichitai.entrypoints.web.session import CSRF_FIELD, Counter
from jichitai.services.ports import receipt_number

SECURITY_HEADERS = {
    # Personal data must not stay in the browser's cache or back/forward cache on disk.
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}

environment = Environment(
    loader=PackageLoader("jichitai.entrypoints.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals["CSRF_FIELD"] = CSRF_FIELD
environment.filters["wareki"] = format_wareki
environment.filters["receipt_number"] = receipt_number


@dataclass(frozen=True, slots=True)
class Problems:
    """A refusal laid out for a form: messages by field, the ones of no field, and the alerts
    the clerk may acknowledge."""

    by_field: Mapping[str, tuple[Violation, ...]] = field(default_factory=dict)
    general: tuple[Violation, ...] = ()
    alerts: tuple[Violation, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general or self.alerts)

    def of(self, name: str) -> tuple[Violation, ...]:
        return self.by_field.get(name, ())

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.by_field.values()) + len(self.general)


NO_PROBLEMS = Problems()


def problems_of(
    violations: Iterable[Violation], known_fields: Iterable[str] | None = None
) -> Problems:
    """Errors go next to their field when the form has it, else to the top; alerts apart."""
    known = set(known_fields) if known_fields is not None else None
    by_field: dict[str, list[Violation]] = {}
    general: list[Violation] = []
    alerts: list[Violation] = []
    for v in violations:
        if not v.is_error:
            alerts.append(v)
        elif v.field and (known is None or v.field in known):
            by_field.setdefault(v.field, []).append(v)
        else:
            general.append(v)
    return Problems({k: tuple(v) for k, v in by_field.items()}, tuple(general), tuple(alerts))


def one_problem(code: str, message: str, field: str) -> Problems:
    """A form's own check (before any service is asked) shown next to ``field``."""
    return problems_of([Violation(code, message, field)])


def for_the_form(error: DomainError) -> bool:
    """Whether a refusal is about what was typed (shown next to the fields) rather than about
    who asks or what exists (a page of its own, logged as a refusal by the error handler)."""
    return not isinstance(error, (Forbidden, NotFound, Unauthenticated))


def refusal(error: DomainError, known_fields: Iterable[str] | None = None) -> Problems:
    return problems_of(error.violations, known_fields)


def page(
    request: Request,
    template: str,
    counter: Counter | None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A whole page: the template with the user, the municipality and the CSRF token."""
    body = environment.get_template(template).render(
        request=request,
        counter=counter,
        csrf=counter.csrf if counter else context.pop("csrf", ""),
        problems=context.pop("problems", NO_PROBLEMS),
        **context,
    )
    return HTMLResponse(body, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


def fragment(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A part of a page (the live check's messages), with the same headers."""
    body = environment.get_template(template).render(**context)
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)
