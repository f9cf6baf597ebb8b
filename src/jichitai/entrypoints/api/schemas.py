"""The API's request and response bodies (pydantic), separate from the tables and the domain.

Requests refuse unknown fields. A change is sent as the register's command in its JSON form
(``{"type": "MoveIn", "header": {...}, ...}``, the same form the journal stores and
``docs/api.md`` describes); the codec checks it strictly and names the path at fault.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jichitai.domain.inbound.text import STAFF_NAME, SUPPRESSION_REASON


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorItem(BaseModel):
    code: str = Field(examples=["person.not_found"])
    message: str = Field(examples=["宛名番号 0000000019 の住民は登録されていません"])
    field: str | None = None
    level: Literal["error", "alert"] = "error"


class ErrorBody(BaseModel):
    errors: list[ErrorItem]


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds until the token expires")


class Me(BaseModel):
    login: str
    display_name: str
    municipality_code: str
    municipality_name: str
    roles: list[str]
    role_labels: list[str]
    permissions: list[str]


class Municipality(BaseModel):
    code: str
    name: str


# --- residents --------------------------------------------------------------------------------


class ForeignView(BaseModel):
    roman_name: str | None = None
    nationality: str
    category: str
    residence_status: str | None = None
    period_of_stay: str | None = None
    stay_expires_on: str | None = None
    residence_card_number: str | None = None
    became_foreign_resident_on: str
    alias: str | None = None


class MoveOutView(BaseModel):
    planned_on: str
    onward_address: str
    notice_on: str | None = None
    confirmed_address: str | None = None
    confirmed_on: str | None = None


class PendingChange(BaseModel):
    effective_on: date
    reason: str
    reason_label: str
    history_number: int


class Resident(BaseModel):
    """One record as staff see it: Japanese labels, 和暦 (西暦 for a foreign resident's birth
    and expiry dates); ``individual_number`` is masked unless the role may see it."""

    atena_number: str
    history_number: int
    household_number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    name: str
    name_kana: str
    kana_confirmed: bool
    birth_date: str
    birth_date_kind: str
    sex: str
    relationship: str
    address: str
    postcode: str | None = None
    became_resident_on: str
    address_set_on: str
    filed_on: str | None = None
    previous_address: str | None = None
    reason: str
    reason_label: str
    effective_on: str
    resident_code: str | None = None
    individual_number: str | None = None
    individual_number_shown: bool = False
    registered_domicile: str | None = None
    family_register_head: str | None = None
    former_surname: str | None = None
    foreign: ForeignView | None = None
    move_out: MoveOutView | None = None
    removal_reason: str | None = None
    removed_on: str | None = None
    removal_event_date: str | None = None
    retained_until: str | None = None
    remarks: str | None = None
    flags: list[str] = Field(
        default_factory=list, description="suppressions on the person: suppression, dv_support …"
    )
    alerts: list[ErrorItem] = Field(default_factory=list)
    household_version: int | None = Field(
        default=None,
        description="the version of the person's household; a change prepared from this answer "
        "sends it in header.expected_versions, and history_number in header.expected_histories",
    )
    pending: PendingChange | None = Field(
        default=None,
        description="a change recorded for the person that takes effect only later (a planned "
        "転出): until effective_on the record above is the one in effect",
    )
    data: dict[str, Any] = Field(
        description="the full record in the register's JSON form (for building corrections)"
    )


class SearchHit(BaseModel):
    atena_number: str
    household_number: str
    name: str
    name_kana: str
    birth_date: str
    sex: str
    status: str
    status_label: str
    address: str
    flags: list[str] = Field(default_factory=list)


class SearchResults(BaseModel):
    count: int
    results: list[SearchHit]


class History(BaseModel):
    atena_number: str
    records: list[Resident]


class Household(BaseModel):
    household_number: str
    version: int | None = Field(
        default=None, description="send in header.expected_versions of a change prepared from it"
    )
    members: list[Resident]


# --- drafts and changes -----------------------------------------------------------------------


class DraftIn(Strict):
    command: dict[str, Any] = Field(
        description='a change command: {"type": "MoveIn" | "Birth" | ..., "header": {...}, ...}',
        examples=[
            {
                "type": "Death",
                "header": {"effective_on": "2026-11-20", "filed_on": "2026-11-26"},
                "atena_number": "0000000019",
            }
        ],
    )


class ReturnIn(Strict):
    comment: str = Field(
        default="",
        max_length=2000,
        description="差戻しの理由 (500 characters; required when the draft's rules hold)",
    )


class ApproveIn(Strict):
    acknowledged_alerts: list[str] = Field(default_factory=list, max_length=100)


class PreparedAgainst(BaseModel):
    persons: dict[str, int] = Field(description="宛名番号 → 履歴番号 the draft was checked against")
    households: dict[str, int] = Field(
        description="世帯番号 → version the draft was checked against"
    )


class Draft(BaseModel):
    draft_id: str = Field(description="the draft's key (in URLs)")
    receipt_number: str = Field(
        description="受付番号: the municipality's running number of its drafts, six digits at "
        "least, as the counter shows and reads it out",
        examples=["000123"],
    )
    kind: str = Field(description="the command's type (MoveIn, Birth, …)")
    kind_label: str = Field(description="異動の種類: the label the counter shows (転入, 出生, …)")
    status: str
    operator: str
    editors: list[str] = Field(
        default_factory=list,
        description="everyone who entered or changed the draft; none of them may approve it",
    )
    created_at: datetime
    updated_at: datetime
    event_id: str | None = None
    return_comment: str = Field(
        default="", description="差戻し: the reviewer's comment when the draft was sent back"
    )
    return_reasons: list[ErrorItem] = Field(
        default_factory=list,
        description="差戻し: the refusals approving it met when it was sent back",
    )
    prepared_against: PreparedAgainst
    command: dict[str, Any]


class DraftSubmitted(BaseModel):
    draft: Draft
    atena_numbers: list[str]
    households: list[str]
    alerts: list[ErrorItem]
    notices: list[str]


class Drafts(BaseModel):
    count: int
    drafts: list[Draft]


class ChangeChecked(BaseModel):
    kind: str
    reason: str
    atena_numbers: list[str]
    households: list[str]
    alerts: list[ErrorItem]
    notices: list[str]


class ChangeRecorded(BaseModel):
    event_id: str
    seq: int
    kind: str
    reason: str
    atena_numbers: list[str]
    households: list[str]
    alerts: list[ErrorItem]
    notices: list[str]
    replayed: bool


# --- users ------------------------------------------------------------------------------------


Login = Field(pattern=r"^[a-z0-9][a-z0-9._@-]{2,63}$", examples=["clerk01"])


class UserIn(Strict):
    login: str = Login
    password: str = Field(min_length=12, max_length=256)
    roles: list[str] = Field(min_length=1, max_length=10, examples=[["clerk"]])
    display_name: str = Field(default="", description=f"氏名（{STAFF_NAME.max_length}文字以内）")
    valid_from: date | None = None
    valid_until: date | None = None


class UserPatch(Strict):
    roles: list[str] | None = Field(default=None, min_length=1, max_length=10)
    valid_until: date | None = None
    clear_valid_until: bool = False
    disabled: bool | None = None
    unlock: bool = False
    password: str | None = Field(default=None, min_length=12, max_length=256)


class PasswordChange(Strict):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=12, max_length=256)


class User(BaseModel):
    login: str
    display_name: str
    municipality_code: str
    roles: list[str]
    valid_from: date
    valid_until: date | None
    disabled: bool
    locked: bool = Field(
        description="log-ins of this ID are being refused from some client address (too many "
        "failures there); not an account lock: other terminals log in (unlock clears it)"
    )
    failed_attempts: int = Field(description="failed log-ins since the last success")
    created_at: datetime
    updated_at: datetime


class Users(BaseModel):
    count: int
    users: list[User]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer, all in one shape."""
    return {status: {"model": ErrorBody} for status in (401, 422, *statuses)}


# --- access log -------------------------------------------------------------------------------


class AccessEntry(BaseModel):
    seq: int
    entry_id: str
    at: datetime
    user_login: str
    roles: list[str]
    terminal: str
    place: str
    operation: str
    purpose: str
    target: str
    atena_numbers: list[str]
    person_count: int
    my_number_shown: bool
    outcome: str
    detail: str
    night_or_holiday: bool


class AccessEntries(BaseModel):
    count: int
    entries: list[AccessEntry]


class UserActivity(BaseModel):
    user_login: str
    entries: int
    persons: int


class UserActivities(BaseModel):
    count: int
    users: list[UserActivity]


class ChainVerified(BaseModel):
    municipality_code: str
    entries: int
    chain: Literal["ok"] = "ok"


class DisclosureRow(BaseModel):
    """One line of "who read my data": organisation, role, what and why; never a staff login."""

    at: datetime
    municipality_code: str
    role: str
    operation: str
    operation_label: str
    purpose: str


class Disclosure(BaseModel):
    atena_number: str
    count: int
    rows: list[DisclosureRow]


# --- suppressions (抑止・支援措置) ---------------------------------------------------------------

ProcessName = Literal["view", "issue", "change", "feed"]


class SuppressionIn(Strict):
    kind: Literal["suppression", "dv_support", "provisional_dv_support"]
    atena_number: str | None = Field(default=None, pattern=r"^\d{10}$")
    household_number: str | None = Field(default=None, pattern=r"^\d{10}$")
    processes: list[ProcessName] | None = Field(
        default=None, max_length=4, description="default per kind (DV: issue)"
    )
    level: Literal["error", "alert"] | None = None
    starts_on: date
    ends_on: date | None = Field(default=None, description="DV support: one year by default")
    reason: str = Field(
        description=f"設定の理由（複数行可、{SUPPRESSION_REASON.max_length}文字以内）"
    )
    details: dict[str, Any] | None = Field(
        default=None, description="DV support database items (applicant, perpetrator …)"
    )


class ReleaseIn(Strict):
    minutes: int | None = Field(default=None, ge=1, le=480)


class AmendEndIn(Strict):
    ends_on: date | None


class Suppression(BaseModel):
    suppression_id: str
    kind: str
    kind_label: str
    atena_number: str | None
    household_number: str | None
    processes: list[str]
    process_labels: list[str]
    level: str
    status: str
    starts_on: date
    ends_on: date | None
    reason: str
    details: dict[str, Any]
    set_by: str
    set_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None
    released_by: str | None
    released_until: datetime | None
    version: int


class Suppressions(BaseModel):
    count: int
    suppressions: list[Suppression]
