"""The access log for auditors (監査), and a person's "who read my data" list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from jichitai.domain.errors import invalid
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.security import CurrentActor, app_of
from jichitai.services.audit import AccessSearch, Operation, Outcome, is_night_or_holiday

router = APIRouter(prefix="/api/v1", tags=["access log"])
ERRORS = s.error_responses(403, 404)


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise invalid(
            "request.naive_datetime",
            "日時はタイムゾーン付きで指定してください（例: 2026-11-26T09:00:00+09:00）",
            field,
        )
    return value


@router.get(
    "/access-log",
    operation_id="searchAccessLog",
    response_model=s.AccessEntries,
    responses=ERRORS,
    summary="アクセスログの検索（監査）",
)
def search_access_log(
    request: Request,
    actor: CurrentActor,
    atena_number: Annotated[str | None, Query(pattern=r"^\d{10}$")] = None,
    user_login: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9._@-]{2,63}$")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    operation: Operation | None = None,
    outcome: Outcome | None = None,
    night_or_holiday: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> s.AccessEntries:
    entries = app_of(request).access_log.search(
        actor,
        AccessSearch(
            atena_number=atena_number or "",
            user_login=user_login or "",
            since=_aware(since, "since"),
            until=_aware(until, "until"),
            operation=operation,
            outcome=outcome,
            night_or_holiday=night_or_holiday,
            limit=limit,
        ),
    )
    return s.AccessEntries(
        count=len(entries),
        entries=[
            s.AccessEntry(
                seq=e.seq,
                entry_id=e.entry_id,
                at=e.at,
                user_login=e.user_login,
                roles=list(e.roles),
                terminal=e.terminal,
                place=e.place,
                operation=e.operation.value,
                purpose=e.purpose,
                target=e.target,
                atena_numbers=list(e.atena_numbers),
                person_count=e.person_count,
                my_number_shown=e.my_number_shown,
                outcome=e.outcome.value,
                detail=e.detail,
                night_or_holiday=is_night_or_holiday(e.at),
            )
            for e in entries
        ],
    )


@router.get(
    "/access-log/mass-searches",
    operation_id="listMassSearches",
    response_model=s.UserActivities,
    responses=ERRORS,
    summary="大量検索の分析（監査）",
)
def mass_searches(
    request: Request,
    actor: CurrentActor,
    since: datetime,
    until: datetime,
    threshold: Annotated[int, Query(ge=1, le=1_000_000)] = 100,
) -> s.UserActivities:
    rows = app_of(request).access_log.mass_searches(
        actor, _aware(since, "since") or since, _aware(until, "until") or until, threshold
    )
    return s.UserActivities(
        count=len(rows),
        users=[
            s.UserActivity(user_login=r.user_login, entries=r.entries, persons=r.persons)
            for r in rows
        ],
    )


@router.get(
    "/access-log/verify",
    operation_id="verifyAccessLog",
    response_model=s.ChainVerified,
    responses=ERRORS,
    summary="アクセスログのハッシュ連鎖の検証（監査）",
)
def verify_access_log(request: Request, actor: CurrentActor) -> s.ChainVerified:
    app = app_of(request)
    count = app.access_log.verify(actor)
    app.access_log.record(actor, Operation.READ_ACCESS_LOG, target="verify")
    return s.ChainVerified(municipality_code=actor.municipality_code, entries=count)


@router.get(
    "/residents/{atena_number}/access-log",
    operation_id="getResidentDisclosure",
    response_model=s.Disclosure,
    responses=ERRORS,
    summary="本人の情報を誰がなぜ見たか（本人開示用）",
)
def resident_disclosure(
    request: Request,
    actor: CurrentActor,
    atena_number: Annotated[str, Path(pattern=r"^\d{10}$")],
) -> s.Disclosure:
    rows = app_of(request).access_log.disclosure(actor, atena_number)
    return s.Disclosure(
        atena_number=atena_number,
        count=len(rows),
        rows=[
            s.DisclosureRow(
                at=r.at,
                municipality_code=r.municipality_code,
                role=r.role,
                operation=r.operation.value,
                operation_label=r.operation_label,
                purpose=r.purpose,
            )
            for r in rows
        ],
    )
