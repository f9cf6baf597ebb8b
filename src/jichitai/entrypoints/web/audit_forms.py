"""The audit screens' forms: what an auditor types turned into the access log's queries, and
the log's entries as table rows.

Dates are typed as clerks type them (和暦 or 西暦) and mean whole days in Japan time: a period
from 11月1日 to 11月30日 covers both days entirely. The 宛名番号 is posted, never in a URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from jichitai.domain.access.roles import ROLE_LABELS, Role
from jichitai.domain.common.dates import format_wareki, parse_japanese_date
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError, Violation
from jichitai.entrypoints.web.session import Posted
from jichitai.entrypoints.web.templating import Problems, problems_of
from jichitai.services.audit import (
    JST,
    OPERATION_LABELS,
    AccessEntry,
    AccessSearch,
    Operation,
    Outcome,
    UserActivity,
    is_night_or_holiday,
)

SEARCH_FIELDS = (
    "atena_number",
    "user_login",
    "since",
    "until",
    "operation",
    "outcome",
    "night_or_holiday",
    "limit",
)
MASS_FIELDS = ("mass_since", "mass_until", "threshold")
LIMITS = ("100", "300", "1000")
OPERATION_OPTIONS = (
    ("", "すべての操作"),
    *((op.value, label) for op, label in OPERATION_LABELS.items()),
)
OUTCOME_LABELS = {Outcome.OK: "成功", Outcome.REFUSED: "拒否"}
OUTCOME_OPTIONS = (("", "すべて"), *((o.value, label) for o, label in OUTCOME_LABELS.items()))
LIMIT_OPTIONS = tuple((n, f"{n}件まで") for n in LIMITS)
MAX_TEXT = 100
MAX_THRESHOLD = 1_000_000


@dataclass
class _Reading:
    """Values read from a form so far, and the faults found, by field."""

    values: dict[str, str]
    faults: list[Violation] = field(default_factory=list)

    def fault(self, code: str, message: str, name: str) -> None:
        self.faults.append(Violation(code, message, name))

    def day(self, name: str) -> date | None:
        text = self.values.get(name, "")
        if not text:
            return None
        try:
            return parse_japanese_date(text, field=name)
        except DomainError as e:
            self.faults.extend(_moved(e.violations, name))
            return None

    def problems(self, known: tuple[str, ...]) -> Problems:
        return problems_of(self.faults, known)


def _moved(violations: tuple[Violation, ...], name: str) -> list[Violation]:
    return [Violation(v.code, v.message, name, v.severity) for v in violations]


def _text(posted: Posted, name: str) -> str:
    return posted.get(name).strip()[:MAX_TEXT]


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=JST)


def end_of(day: date) -> datetime:
    """The first moment after ``day`` in Japan time (periods include their last day)."""
    return start_of(day + timedelta(days=1))


def search_values(posted: Posted) -> dict[str, str]:
    values = {name: _text(posted, name) for name in SEARCH_FIELDS}
    values["night_or_holiday"] = "on" if posted.get("night_or_holiday") == "on" else ""
    return values


def read_search(posted: Posted) -> tuple[dict[str, str], AccessSearch | None, Problems]:
    """The search form as a query, or its faults next to their fields."""
    reading = _Reading(search_values(posted))
    values = reading.values
    atena = ""
    if values["atena_number"]:
        try:
            atena = AtenaNumber.parse(values["atena_number"], "atena_number").value
        except DomainError as e:
            reading.faults.extend(e.violations)
    since = reading.day("since")
    until = reading.day("until")
    if since and until and since > until:
        reading.fault("audit.period", "期間の開始は終了より前の日にしてください", "since")
    operation = _choice(reading, "operation", Operation)
    outcome = _choice(reading, "outcome", Outcome)
    if values["limit"] not in LIMITS:
        values["limit"] = LIMITS[0]
    if reading.faults:
        return values, None, reading.problems(SEARCH_FIELDS)
    query = AccessSearch(
        atena_number=atena,
        user_login=values["user_login"],
        since=start_of(since) if since else None,
        until=end_of(until) if until else None,
        operation=Operation(operation) if operation else None,
        outcome=Outcome(outcome) if outcome else None,
        night_or_holiday=values["night_or_holiday"] == "on",
        limit=int(values["limit"]),
    )
    return values, query, reading.problems(SEARCH_FIELDS)


def _choice(reading: _Reading, name: str, kind: type[Operation] | type[Outcome]) -> str:
    value = reading.values[name]
    if value and value not in {member.value for member in kind}:
        reading.fault(f"audit.{name}_unknown", "一覧から選んでください", name)
        return ""
    return value


def mass_defaults(today: date) -> dict[str, str]:
    return {
        "mass_since": format_wareki(today - timedelta(days=30)),
        "mass_until": format_wareki(today),
        "threshold": "100",
    }


def read_mass(
    posted: Posted,
) -> tuple[dict[str, str], tuple[datetime, datetime, int] | None, Problems]:
    """The mass-search form: a period of whole days and the threshold of persons."""
    reading = _Reading({name: _text(posted, name) for name in MASS_FIELDS})
    since = reading.day("mass_since")
    until = reading.day("mass_until")
    for name, day in (("mass_since", since), ("mass_until", until)):
        if day is None and not reading.values[name]:
            reading.fault("audit.date_required", "日付を入力してください", name)
    if since and until and since > until:
        reading.fault("audit.period", "期間の開始は終了より前の日にしてください", "mass_since")
    threshold = _threshold(reading)
    if reading.faults or since is None or until is None or threshold is None:
        return reading.values, None, reading.problems(MASS_FIELDS)
    return (
        reading.values,
        (start_of(since), end_of(until), threshold),
        reading.problems(MASS_FIELDS),
    )


def _threshold(reading: _Reading) -> int | None:
    text = reading.values["threshold"].translate(
        str.maketrans("０１２３４５６７８９", "0123456789")
    )
    if not text.isdigit() or not 1 <= int(text) <= MAX_THRESHOLD:
        reading.fault(
            "audit.threshold",
            f"人数は1から{MAX_THRESHOLD:,}までの数字で入力してください",
            "threshold",
        )
        return None
    return int(text)


def mass_problems(error: DomainError) -> Problems:
    """The service's refusal of a mass search, next to this form's own date fields."""
    renamed = {"since": "mass_since", "until": "mass_until"}
    return problems_of(
        [
            Violation(v.code, v.message, renamed.get(v.field or "", v.field), v.severity)
            for v in error.violations
        ],
        MASS_FIELDS,
    )


# --- rows -----------------------------------------------------------------------------------


def _role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def entry_row(entry: AccessEntry) -> dict[str, Any]:
    local = entry.at.astimezone(JST)
    return {
        "seq": entry.seq,
        "at": f"{format_wareki(local.date())} {local:%H:%M:%S}",
        "user_login": entry.user_login,
        "roles": "・".join(_role_label(r) for r in entry.roles),
        "place": "／".join(p for p in (entry.place, entry.terminal) if p),
        "operation": OPERATION_LABELS.get(entry.operation, entry.operation.value),
        "target": entry.target,
        "atena_numbers": entry.atena_numbers,
        "person_count": entry.person_count,
        "my_number_shown": entry.my_number_shown,
        "refused": entry.outcome is Outcome.REFUSED,
        "outcome": OUTCOME_LABELS.get(entry.outcome, entry.outcome.value),
        "detail": entry.detail,
        "night_or_holiday": is_night_or_holiday(entry.at),
    }


def activity_row(activity: UserActivity) -> dict[str, Any]:
    return {
        "user_login": activity.user_login,
        "entries": activity.entries,
        "persons": activity.persons,
    }
