"""Residents: search, current record, record as of a date, history, removed records, households."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from jichitai.domain.residents.search import MAX_SEARCH_RESULTS, SearchBy
from jichitai.entrypoints.api import schemas as s
from jichitai.entrypoints.api.inputs import query_text
from jichitai.entrypoints.api.present import as_json, resident, search_hit
from jichitai.entrypoints.api.security import CurrentActor, app_of

router = APIRouter(prefix="/api/v1", tags=["residents"])

ERRORS = s.error_responses(403, 404)
AtenaPath = Annotated[str, Path(pattern=r"^\d{10}$", description="宛名番号 (10 digits)")]
HouseholdPath = Annotated[str, Path(pattern=r"^\d{10}$", description="世帯番号 (10 digits)")]
Acknowledged = Annotated[
    list[str],
    Query(
        max_length=20, description="alert codes the user has confirmed (e.g. suppression alerts)"
    ),
]
SearchText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=200,
        description="kana, name (variant kanji folded), 和暦/西暦 birth date, address or an ID",
    ),
]


@router.get(
    "/residents",
    operation_id="searchResidents",
    response_model=s.SearchResults,
    responses=ERRORS,
    summary="住民検索（漢字・カナ・生年月日・住所・各種番号）",
)
def search_residents(
    request: Request,
    actor: CurrentActor,
    q: SearchText,
    by: SearchBy = SearchBy.AUTO,
    include_removed: bool = True,
    limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_RESULTS)] = 50,
) -> Response:
    found = app_of(request).register_access.search(
        actor, query_text(q, "q"), by=by, include_removed=include_removed, limit=limit
    )
    return as_json(s.SearchResults(count=len(found), results=[search_hit(h) for h in found]))


@router.get(
    "/removed-records",
    operation_id="searchRemovedRecords",
    response_model=s.SearchResults,
    responses=ERRORS,
    summary="除票の検索",
)
def search_removed_records(
    request: Request,
    actor: CurrentActor,
    q: SearchText,
    by: SearchBy = SearchBy.AUTO,
    limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_RESULTS)] = 50,
) -> Response:
    found = app_of(request).register_access.search(
        actor, query_text(q, "q"), by=by, only_removed=True, limit=limit
    )
    return as_json(s.SearchResults(count=len(found), results=[search_hit(h) for h in found]))


@router.get(
    "/residents/{atena_number}",
    operation_id="getResident",
    response_model=s.Resident,
    responses=ERRORS,
    summary="住民票（現在、又は指定日時点）",
)
def get_resident(
    request: Request,
    actor: CurrentActor,
    atena_number: AtenaPath,
    acknowledged: Acknowledged = [],  # noqa: B006 - FastAPI copies query defaults
    as_of: Annotated[date | None, Query(description="the record as stated on this date")] = None,
) -> Response:
    shown = app_of(request).register_access.record(
        actor, atena_number, as_of=as_of, acknowledged=frozenset(acknowledged)
    )
    return as_json(resident(shown))


@router.get(
    "/residents/{atena_number}/history",
    operation_id="getResidentHistory",
    response_model=s.History,
    responses=ERRORS,
    summary="異動履歴（履歴番号順）",
)
def get_resident_history(
    request: Request,
    actor: CurrentActor,
    atena_number: AtenaPath,
    acknowledged: Acknowledged = [],  # noqa: B006
) -> Response:
    records = app_of(request).register_access.history(
        actor, atena_number, acknowledged=frozenset(acknowledged)
    )
    return as_json(s.History(atena_number=atena_number, records=[resident(r) for r in records]))


@router.get(
    "/households/{household_number}",
    operation_id="getHousehold",
    response_model=s.Household,
    responses=ERRORS,
    summary="世帯（続柄の表示順）",
)
def get_household(
    request: Request,
    actor: CurrentActor,
    household_number: HouseholdPath,
    acknowledged: Acknowledged = [],  # noqa: B006
) -> Response:
    members = app_of(request).register_access.household(
        actor, household_number, acknowledged=frozenset(acknowledged)
    )
    return as_json(
        s.Household(
            household_number=household_number,
            version=members[0].household_version if members else None,
            members=[resident(m) for m in members],
        )
    )
