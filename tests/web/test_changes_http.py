"""異動届の入力 below the browser: forms become the same commands the API would make, checks as
the clerk types write nothing, bad input is answered next to its field, and a form submitted
twice (double click, back button, after logging in again) makes one draft."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber, ResidentCode
from jichitai.domain.residents.commands import (
    Cancel,
    Correct,
    InTownMove,
    MoveIn,
    MoveOut,
    Reissue,
)
from jichitai.entrypoints.web.changes_catalogue import PROCESSES
from jichitai.entrypoints.web.refs import PersonRefs
from jichitai.services.audit import AccessSearch, Operation
from jichitai.services.register_access import decode_command_text
from tests.api.conftest import PASSWORD, SECRET, Tenant
from tests.factories import a_foreign_person, a_header, a_person, a_previous_address, an_auditor
from tests.fakes import FixedClock
from tests.web.test_counter_http import log_in

TODAY_WAREKI = "令和8年11月26日"  # FixedClock's today


# --- helpers ---------------------------------------------------------------------------------------


class _Form(HTMLParser):
    """What a browser would send of the page's change form (or confirmation form): hidden and
    text inputs, ticked boxes and radio buttons, chosen options and text areas; buttons aside."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self.inside = False
        self.select: str | None = None
        self.chosen: tuple[str, str] | None = None
        self.first: tuple[str, str] | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method") == "post" and "/ui/changes/" in a.get("action", ""):
            self.inside = True
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type") in ("hidden", "text", "search"):
            self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" in a:
            self.pairs.append((a["name"], a.get("value", "on")))
        elif tag == "select":
            self.select, self.chosen, self.first = a["name"], None, None
        elif tag == "option" and self.select is not None:
            option = (self.select, a.get("value", ""))
            self.first = self.first or option
            if "selected" in a:
                self.chosen = option
        elif tag == "textarea":
            self.textarea = a["name"]
            self.pairs.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            name, text = self.pairs.pop()
            self.pairs.append((name, text + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            found = self.chosen or self.first
            if found:
                self.pairs.append(found)
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def sent(page: str) -> list[tuple[str, str]]:
    """The pairs the page's form would send."""
    parser = _Form()
    parser.feed(page)
    return parser.pairs


def hidden_fields(page: str) -> list[tuple[str, str]]:
    """The hidden inputs of a page, in order."""
    return [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    ]


def form_state(page: str) -> dict[str, str]:
    """The hidden fields a change form carries (token, process, reference …)."""
    return {k: v for k, v in hidden_fields(page) if k != "csrf_token"}


def field_messages(page: str, name: str) -> list[tuple[str, str]]:
    """(code, message) shown next to ``name``."""
    box = re.search(
        rf'data-messages-for="{re.escape(name)}"[^>]*>(.*?)</div>', page, flags=re.DOTALL
    )
    assert box, f"the form has a messages box for {name}"
    return re.findall(r'<p class="error" data-code="([^"]+)">([^<]*)</p>', box.group(1))


def codes_at(page: str, name: str) -> list[str]:
    return [code for code, _ in field_messages(page, name)]


def ref_of(tenant: Tenant, atena: str, role: Role = Role.CLERK) -> str:
    return PersonRefs(SECRET).ref(tenant.login(role), atena)


def drafts(app: App, tenant: Tenant) -> list[Any]:
    return list(app.register.drafts(tenant.code))


def a_member(index: int, given: str, kana: str, born: str, sex: str, rel: str) -> dict[str, str]:
    p = f"members[{index}]"
    return {
        f"{p}.kind": "japanese",
        f"{p}.name.family": "山田",
        f"{p}.name.given": given,
        f"{p}.name.family_kana": "ヤマダ",
        f"{p}.name.given_kana": kana,
        f"{p}.birth_date": born,
        f"{p}.sex": sex,
        f"{p}.relationship": rel,
        f"{p}.family_register.domicile": "大阪府大阪市北区梅田一丁目1番",
        f"{p}.family_register.head": "山田　太郎",
    }


FAMILY = {
    "effective_on": "R8.11.20",
    "filed_on": "令和8年11月26日",
    "address.prefecture": "鹿児島県",
    "address.city": "試験市",
    "address.town_area": "中央町",
    "address.lot_text": "3番4号",
    "previous_address.prefecture": "大阪府",
    "previous_address.city": "大阪市北区",
    "previous_address.town_area": "梅田一丁目",
    "previous_address.lot_text": "1番1号",
    **a_member(0, "太郎", "タロウ", "S55.4.1", "male", "世帯主"),
    **a_member(1, "花子", "ハナコ", "1982-07-15", "female", "妻"),
    **a_member(2, "一郎", "イチロウ", "２０１５年５月５日", "male", "子"),
}


def opened(http: TestClient, path: str) -> tuple[str, dict[str, str]]:
    page = http.get(path)
    assert page.status_code == 200, page.text
    return page.text, form_state(page.text)


def post(http: TestClient, path: str, page: str, data: dict[str, Any]) -> Any:
    """Send the form of ``page`` as a browser would, with ``data`` typed over it (a list: the
    boxes ticked of that name)."""
    pairs = [(k, v) for k, v in sent(page) if k not in data]
    for name, value in data.items():
        pairs += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return send(http, path, pairs)


def send(http: TestClient, path: str, pairs: list[tuple[str, str]]) -> Any:
    body: dict[str, list[str]] = {}
    for name, value in pairs:
        body.setdefault(name, []).append(value)
    return http.post(path, data=body, follow_redirects=False)


def move_in_family(http: TestClient) -> tuple[str, Any]:
    """The 転入 form of a family of three, up to its confirmation page."""
    page, _ = opened(http, "/ui/changes/new/move-in")
    for _ in range(2):
        more = post(http, "/ui/changes/move-in/form", page, {"action": "add_member"})
        assert more.status_code == 200
        page = more.text
    assert 'name="member_count" value="3"' in page
    return page, post(http, "/ui/changes/move-in/confirm", page, FAMILY)


# --- the flows -------------------------------------------------------------------------------------


def test_a_family_moves_in_through_the_confirmation_to_one_draft(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    log_in(http, tenant)
    choose = http.get("/ui/changes/new")
    assert choose.status_code == 200 and 'href="/ui/changes/new/move-in"' in choose.text
    form, confirmation = move_in_family(http)
    # The members added without JavaScript copy the first one's 氏 and 本籍 (typed once).
    assert 'name="members[2].name.family" type="text" value=""' in form
    assert confirmation.status_code == 200, confirmation.text
    page = confirmation.text
    for text in ("山田　太郎", "山田　花子", "山田　一郎", "令和8年11月20日", "国内転入"):
        assert text in page
    assert "鹿児島県試験市中央町3番4号" in page and "大阪府大阪市北区梅田一丁目1番1号" in page
    assert "平成27年5月5日" in page  # the full-width 西暦 birth date, understood
    assert drafts(app, tenant) == []  # confirming writes nothing

    done = post(http, "/ui/changes/move-in/submit", page, {})
    assert done.status_code == 303
    location = done.headers["location"]
    assert re.fullmatch(r"/ui/changes/done/[0-9a-f-]{36}", location)
    finished = http.get(location)
    assert finished.status_code == 200
    (draft,) = drafts(app, tenant)
    assert draft.draft_id in finished.text
    assert f'href="/ui/drafts/{draft.draft_id}/form.pdf"' in finished.text
    command = decode_command_text(draft.command)
    assert isinstance(command, MoveIn)
    assert [m.name.full for m in command.members] == ["山田　太郎", "山田　花子", "山田　一郎"]
    assert [m.relationship.text for m in command.members] == ["世帯主", "妻", "子"]
    assert command.header.effective_on.isoformat() == "2026-11-20"
    assert command.previous_address.display() == "大阪府大阪市北区梅田一丁目1番1号"
    assert command.header.operator == tenant.login(Role.CLERK)


def _column_heads(page: str) -> list[list[str]]:
    return [
        re.findall(r'<th scope="col">([^<]*)</th>', head)
        for head in re.findall(r"<thead>(.*?)</thead>", page, flags=re.DOTALL)
    ]


def test_a_confirmation_has_a_before_column_only_where_something_was_before(
    http: TestClient, tenant: Tenant
) -> None:
    log_in(http, tenant)
    _, confirmation = move_in_family(http)
    assert confirmation.status_code == 200, confirmation.text
    # 転入: every row is new, so no 変更前 column of 「—」.
    heads = _column_heads(confirmation.text)
    assert heads and all(h == ["項目", "変更後"] for h in heads)
    assert "変更前" not in confirmation.text
    # 転出: the person's items change from what they were.
    page, _ = opened(
        http, f"/ui/changes/new/move-out?ref={ref_of(tenant, tenant.atena_numbers[1])}"
    )
    moving_out = post(
        http,
        "/ui/changes/move-out/confirm",
        page,
        {
            "planned_on": "R8.12.1",
            "onward_address.prefecture": "北海道",
            "onward_address.city": "札幌市中央区",
        },
    )
    assert moving_out.status_code == 200, moving_out.text
    assert _column_heads(moving_out.text) == [["項目", "変更前", "変更後"]]


def test_a_move_in_keeps_the_resident_code_and_former_surname_of_the_certificate(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    """What the 転出証明書 carries is entered: the 住民票コード is kept, not drawn anew."""
    log_in(http, tenant)
    code = ResidentCode.from_random_digits("8765432109")
    form, _ = move_in_family(http)
    extra = {
        "members[0].resident_code": code.value,
        "members[1].former_surname.family": "佐藤",
        "members[1].former_surname.family_kana": "サトウ",
    }
    confirmation = post(http, "/ui/changes/move-in/confirm", form, FAMILY | extra)
    assert confirmation.status_code == 200, confirmation.text
    assert post(http, "/ui/changes/move-in/submit", confirmation.text, {}).status_code == 303
    (draft,) = drafts(app, tenant)
    command = decode_command_text(draft.command)
    assert isinstance(command, MoveIn)
    assert command.members[0].resident_code == code
    assert command.members[1].former_surname is not None
    assert command.members[1].former_surname.family == "佐藤"
    assert command.members[2].former_surname is None and command.members[2].resident_code is None


def test_a_wrong_resident_code_is_answered_at_its_field(http: TestClient, tenant: Tenant) -> None:
    log_in(http, tenant)
    form, _ = move_in_family(http)
    refused = post(
        http, "/ui/changes/move-in/confirm", form, FAMILY | {"members[2].resident_code": "123"}
    )
    assert refused.status_code == 422
    assert codes_at(refused.text, "members[2].resident_code")


def test_an_added_member_is_given_the_family_s_items_and_a_suggested_relationship(
    http: TestClient, tenant: Tenant
) -> None:
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/move-in")
    first = {
        "members[0].name.family": "山田",
        "members[0].name.family_kana": "ヤマダ",
        "members[0].sex": "male",
        "members[0].family_register.domicile": "大阪府大阪市北区梅田一丁目1番",
        "members[0].family_register.head": "山田　太郎",
    }
    for _ in range(2):
        page = post(http, "/ui/changes/move-in/form", page, first | {"action": "add_member"}).text
    values = dict(sent(page))
    assert values["members[0].relationship"] == "世帯主"  # a new household: its first member
    assert (values["members[1].relationship"], values["members[1].sex"]) == ("妻", "female")
    assert values["members[2].relationship"] == "子" and "members[2].sex" not in values
    for i in (1, 2):
        assert values[f"members[{i}].family_register.head"] == "山田　太郎"
        assert values[f"members[{i}].name.family_kana"] == "ヤマダ"
    # Required items are marked, 本籍 and 筆頭者 too.
    for name in ("family_register-domicile", "family_register-head", "relationship"):
        label = re.search(rf'<label for="members\[1\]-{name}">(.*?)</label>', page)
        assert label and "（必須）" in label[1], name


def test_correcting_from_the_confirmation_keeps_every_value(
    http: TestClient, tenant: Tenant
) -> None:
    log_in(http, tenant)
    _, confirmation = move_in_family(http)
    back = post(http, "/ui/changes/move-in/form", confirmation.text, {})
    assert back.status_code == 200
    again = dict(sent(back.text))
    for name, value in FAMILY.items():
        assert again[name] == value, name
    assert again["form_token"] == form_state(confirmation.text)["form_token"]


def test_a_member_can_be_removed_and_the_others_keep_their_values(
    http: TestClient, tenant: Tenant
) -> None:
    log_in(http, tenant)
    form, _ = move_in_family(http)
    typed = post(
        http,
        "/ui/changes/move-in/form",
        form,
        {**FAMILY, "action": "remove_member:1"},
    )
    assert typed.status_code == 200
    page = typed.text
    assert 'name="member_count" value="2"' in page
    assert 'name="members[1].name.given" type="text" value="一郎"' in page
    assert "花子" not in page


def test_move_out_from_the_residents_page(http: TestClient, tenant: Tenant, app: App) -> None:
    log_in(http, tenant)
    head, wife = tenant.atena_numbers
    ref = ref_of(tenant, wife)
    page, state = opened(http, f"/ui/changes/new/move-out?ref={ref}")
    assert state["ref"] == ref
    # Only the person the form was opened from is ticked; the household is listed.
    assert f'value="{wife}" checked' in page and f'value="{head}" checked' not in page
    confirmation = post(
        http,
        "/ui/changes/move-out/confirm",
        page,
        {
            "planned_on": "R8.12.1",
            "onward_address.prefecture": "北海道",
            "onward_address.city": "札幌市中央区",
        },
    )
    assert confirmation.status_code == 200, confirmation.text
    assert "消除されます" in confirmation.text and "北海道札幌市中央区" in confirmation.text
    # The confirmation shows the person as the change leaves them: a logged read.
    auditor = Actor(tenant.login(Role.AUDITOR), tenant.code, frozenset({Role.AUDITOR}))
    (checked,) = app.access_log.search(auditor, AccessSearch(operation=Operation.CHECK_DRAFT))
    assert (checked.atena_numbers, checked.target) == ((wife,), "change:MoveOut")
    assert "転出証明書をお渡しします" in confirmation.text
    done = post(http, "/ui/changes/move-out/submit", confirmation.text, {})
    assert done.status_code == 303 and done.headers["location"].endswith(f"?ref={ref}")
    (draft,) = drafts(app, tenant)
    command = decode_command_text(draft.command)
    assert isinstance(command, MoveOut)
    assert [a.value for a in command.atena_numbers] == [wife]
    assert command.planned_on == command.header.effective_on
    assert command.planned_on.isoformat() == "2026-12-01"  # a move-out may be planned ahead


def test_the_head_moving_out_of_a_household_of_two_promises_no_head_change_request(
    http: TestClient, tenant: Tenant
) -> None:
    # The member left alone becomes head ex officio (§4.0.4): a household of one needs no
    # 世帯主変更届, and only the person moving out is counted.
    log_in(http, tenant)
    head, _wife = tenant.atena_numbers
    page, _ = opened(http, f"/ui/changes/new/move-out?ref={ref_of(tenant, head)}")
    confirmation = post(
        http,
        "/ui/changes/move-out/confirm",
        page,
        {
            "planned_on": "R8.12.1",
            "onward_address.prefecture": "北海道",
            "onward_address.city": "札幌市中央区",
        },
    )
    assert confirmation.status_code == 200, confirmation.text
    text = html.unescape(re.sub(r"<[^>]+>", " ", confirmation.text))
    assert "世帯主変更依頼通知書" not in text and "世帯主変更の届出" not in text
    assert re.search(r"異動する方\s+1人", text), text
    assert "世帯に残る方として世帯主になります" in text


def test_a_correction_changes_only_the_items_ticked(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    log_in(http, tenant)
    head = tenant.atena_numbers[0]
    page, _ = opened(http, f"/ui/changes/new/correct?ref={ref_of(tenant, head)}")
    # The items start with the current record.
    assert 'name="changes.name.given_kana" type="text" value="タロウ"' in page
    confirmation = post(
        http,
        "/ui/changes/correct/confirm",
        page,
        {
            "effective_on": "2026-11-26",
            "reason": "ex_officio_correction",
            "items": "name",
            "changes.name.given_kana": "ｲﾁﾛｳ",  # half-width, as pasted
            "changes.sex": "female",  # typed into an item not ticked: left alone
        },
    )
    assert confirmation.status_code == 200, confirmation.text
    assert "タカハシ　タロウ" in confirmation.text and "タカハシ　イチロウ" in confirmation.text
    assert "性別" not in confirmation.text
    assert post(http, "/ui/changes/correct/submit", confirmation.text, {}).status_code == 303
    (draft,) = drafts(app, tenant)
    command = decode_command_text(draft.command)
    assert isinstance(command, Correct)
    assert command.reason.value == "ex_officio_correction"
    assert command.changes.name is not None and command.changes.name.given_kana == "イチロウ"
    assert command.changes.sex is None


def test_a_foreign_resident_moves_in_and_another_is_naturalised(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/move-in")
    arrival = {
        "effective_on": "2026-11-20",
        "address.city": "試験市",
        "address.lot_text": "1番1号",
        "from_abroad": "on",
        "members[0].kind": "foreign",
        "members[0].name.roman": "NGUYEN VAN AN",
        "members[0].name.family": "",
        "members[0].name.family_kana": "グエン",
        "members[0].name.given_kana": "ヴァンアン",
        "members[0].birth_date": "1995-03-04",
        "members[0].sex": "male",
        "members[0].relationship": "世帯主",
        "members[0].foreign.nationality": "ベトナム",
        "members[0].foreign.category": "mid_to_long_term",
        "members[0].foreign.residence_status": "技能実習",
        "members[0].foreign.period_of_stay": "1年",
        "members[0].foreign.stay_expires_on": "2027-11-19",
        "members[0].foreign.residence_card_number": "AB12345678CD",
    }
    missing_card = post(
        http,
        "/ui/changes/move-in/confirm",
        page,
        {**arrival, "members[0].foreign.residence_card_number": ""},
    )
    assert missing_card.status_code == 422
    assert codes_at(missing_card.text, "members[0].foreign.residence_card_number") == [
        "foreign.residence_card_required"
    ]
    assert '<details class="group-fold" open>' in missing_card.text  # the items are shown
    confirmation = post(http, "/ui/changes/move-in/confirm", page, arrival)
    assert confirmation.status_code == 200, confirmation.text
    for text in ("NGUYEN VAN AN", "1995年3月4日", "2027年11月19日", "技能実習", "国外転入等"):
        assert text in confirmation.text
    assert post(http, "/ui/changes/move-in/submit", confirmation.text, {}).status_code == 303

    foreign = app.register.record_change(
        tenant.code,
        MoveIn(
            header=a_header(),
            members=(a_foreign_person(),),
            address=Address.create(city="試験市", lot_text="2番2号"),
            previous_address=a_previous_address(),
        ),
    )
    (atena,) = foreign.atena_numbers
    page, _ = opened(http, f"/ui/changes/new/naturalise?ref={ref_of(tenant, atena)}")
    confirmation = post(
        http,
        "/ui/changes/naturalise/confirm",
        page,
        {
            "effective_on": "R8.11.25",
            "name.family": "王",
            "name.given": "秀𠮷",
            "name.family_kana": "オウ",
            "name.given_kana": "シュウキチ",
            "family_register.domicile": "鹿児島県試験市2番地",
            "family_register.head": "王　秀𠮷",
        },
    )
    assert confirmation.status_code == 200, confirmation.text
    assert "日本人住民" in confirmation.text and "職権記載（帰化等）" in confirmation.text
    assert post(http, "/ui/changes/naturalise/submit", confirmation.text, {}).status_code == 303
    kinds = sorted(d.kind for d in drafts(app, tenant))
    assert kinds == ["MoveIn", "Naturalise"]


def test_every_process_opens_from_a_residents_page(http: TestClient, tenant: Tenant) -> None:
    log_in(http, tenant)
    ref = ref_of(tenant, tenant.atena_numbers[0])
    choose = http.get(f"/ui/changes/new?ref={ref}")
    keys = re.findall(r'href="/ui/changes/new/([a-z-]+)\?ref=', choose.text)
    assert sorted(keys) == sorted(PROCESSES)  # every form the counter registers, once
    for key in keys:
        page = http.get(f"/ui/changes/new/{key}?ref={ref}")
        assert page.status_code == 200, key
        assert 'name="form_token"' in page.text and "高橋" in page.text


def test_a_number_typed_that_names_nothing_is_answered_at_its_field(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/cancel")
    refused = post(
        http,
        "/ui/changes/cancel/confirm",
        page,
        {"effective_on": "R8.11.26", "event_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert refused.status_code == 422
    assert codes_at(refused.text, "event_id") == ["cancel.event_not_found"]
    ref = ref_of(tenant, tenant.atena_numbers[0])
    page, _ = opened(http, f"/ui/changes/new/household-merge?ref={ref}")
    refused = post(
        http,
        "/ui/changes/household-merge/confirm",
        page,
        {"effective_on": "R8.11.26", "target_household": "0000000990"},
    )
    assert refused.status_code == 422, refused.text
    assert codes_at(refused.text, "target_household") == ["household.not_found"]


def test_a_cancellation_opened_for_a_person_chooses_from_their_changes(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    head = tenant.atena_numbers[0]
    moved = app.register.record_change(
        tenant.code,
        InTownMove(
            header=a_header(),
            atena_numbers=(AtenaNumber(head),),
            address=Address.create(
                prefecture="鹿児島県", city="試験市", town_area="中央町一丁目", lot_text="9番"
            ),
        ),
    )
    entered = app.register.record_change(tenant.code, a_header_only_reissue(head))
    log_in(http, tenant)
    page, _ = opened(http, f"/ui/changes/new/cancel?ref={ref_of(tenant, head)}")
    assert "取り消す異動のID" not in page
    choices = re.findall(r'<option value="([0-9a-f-]{36})"[^>]*>([^<]*)</option>', page)
    # Newest first: the 改製, the 転居, the 転入 that entered her; each by 異動日・事由・履歴番号.
    assert [e for e, _ in choices][:2] == [entered.event_id, moved.event_id]
    assert len(choices) == 3 and all("履歴番号" in label for _, label in choices)
    assert "転居" in choices[1][1] and "（履歴番号 2）" in choices[1][1]
    # Reading the history to offer them is logged as a read of it.
    auditor = Actor(tenant.login(Role.AUDITOR), tenant.code, frozenset({Role.AUDITOR}))
    (read,) = app.access_log.search(auditor, AccessSearch(operation=Operation.HISTORY))
    assert read.atena_numbers == (head,)
    confirmation = post(
        http,
        "/ui/changes/cancel/confirm",
        page,
        {"effective_on": "R8.11.26", "event_id": moved.event_id},
    )
    assert confirmation.status_code == 200, confirmation.text
    assert f"<dt>取り消す異動</dt><dd>{choices[1][1]}</dd>" in confirmation.text  # named again
    done = post(http, "/ui/changes/cancel/submit", confirmation.text, {})
    assert done.status_code == 303, done.text
    (draft,) = drafts(app, tenant)
    command = decode_command_text(draft.command)
    assert isinstance(command, Cancel) and command.event_id == moved.event_id
    # The history is read once for the form and once for the confirmation (which names the
    # change from it); the submission reads nothing.
    history_reads = AccessSearch(operation=Operation.HISTORY)
    assert len(app.access_log.search(auditor, history_reads)) == 2
    # Nothing chosen is answered at the list, read again (once) to draw the form again.
    blank = post(http, "/ui/changes/cancel/confirm", page, {"effective_on": "R8.11.26"})
    assert blank.status_code == 422 and codes_at(blank.text, "event_id") == ["input.required"]
    assert len(re.findall(r'<option value="[0-9a-f-]{36}"', blank.text)) == 3
    assert len(app.access_log.search(auditor, history_reads)) == 3


def a_header_only_reissue(atena: str) -> Reissue:
    return Reissue(header=a_header(), atena_number=AtenaNumber(atena))


def test_a_process_about_a_resident_needs_one(http: TestClient, tenant: Tenant) -> None:
    log_in(http, tenant)
    answer = http.get("/ui/changes/new/death", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/ui/changes/new")
    assert http.get("/ui/changes/new/no-such").status_code == 404


def test_only_who_may_submit_drafts_enters_changes(http: TestClient, tenant: Tenant) -> None:
    log_in(http, tenant, Role.AUDITOR)
    refused = http.get("/ui/changes/new/move-in")
    assert refused.status_code == 403 and "この操作は行えません" in refused.text


def test_a_protected_person_is_confirmed_first_and_suppressions_apply(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    head, wife = tenant.atena_numbers
    app.suppressions.set(
        Actor(tenant.login(Role.DV_OFFICER), tenant.code, frozenset({Role.DV_OFFICER})),
        kind="dv_support",
        atena_number=wife,
        starts_on=date(2026, 11, 1),
        reason="支援措置申出",
    )
    app.suppressions.set(
        Actor(
            tenant.login(Role.SUPPRESSION_OFFICER),
            tenant.code,
            frozenset({Role.SUPPRESSION_OFFICER}),
        ),
        kind="suppression",
        atena_number=head,
        processes=["change"],
        level="error",
        starts_on=date(2026, 11, 1),
        reason="照会中",
    )
    log_in(http, tenant)
    ref = ref_of(tenant, wife)
    choosing = http.get(f"/ui/changes/new?ref={ref}")
    assert choosing.status_code == 409
    chosen = post(
        http, "/ui/changes/new", choosing.text, {"view_acknowledged": "dv_support.notice"}
    )
    assert chosen.status_code == 200
    # The processes are offered with the confirmation carried on (not asked again).
    assert 'action="/ui/changes/new/move-out"' in chosen.text
    assert chosen.text.count('name="view_acknowledged" value="dv_support.notice"') == len(PROCESSES)
    asked = http.get(f"/ui/changes/new/move-out?ref={ref}")
    assert asked.status_code == 409
    assert 'name="view_acknowledged" value="dv_support.notice"' in asked.text
    form = post(
        http,
        "/ui/changes/new/move-out",
        asked.text,
        {"view_acknowledged": "dv_support.notice"},
    )
    assert form.status_code == 200 and "高橋　花子" in form.text
    assert form_state(form.text)["view_acknowledged"] == "dv_support.notice"
    moving = {"planned_on": "R8.11.25", "onward_address.city": "札幌市中央区"}
    confirmation = post(http, "/ui/changes/move-out/confirm", form.text, moving)
    assert confirmation.status_code == 200, confirmation.text  # the victim's own move
    # The head is suppressed for changes: refused, next to the persons chosen.
    both = post(
        http,
        "/ui/changes/move-out/confirm",
        form.text,
        {**moving, "atena_numbers": [head, wife]},
    )
    assert both.status_code == 422
    assert codes_at(both.text, "atena_numbers") == ["suppression.blocked"]
    assert drafts(app, tenant) == []


# --- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "R8.11.26",
        "令和8年11月26日",
        "2026-11-26",
        "2026/11/26",
        "２０２６年１１月２６日",
        "Ｒ８．１１．２６",
    ],
)
def test_dates_are_taken_as_clerks_type_them(http: TestClient, tenant: Tenant, typed: str) -> None:
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/move-in")
    answer = post(http, "/ui/changes/assist", page, {"effective_on": typed})
    assert answer.json()["dates"]["effective_on"] == TODAY_WAREKI
    redrawn = post(http, "/ui/changes/move-in/form", page, {"effective_on": typed}).text
    assert f'data-echo-for="effective_on" aria-live="polite">{TODAY_WAREKI}</p>' in redrawn


def test_a_foreign_residents_birth_date_is_shown_in_seireki(
    http: TestClient, tenant: Tenant
) -> None:
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/move-in")
    answer = post(
        http,
        "/ui/changes/assist",
        page,
        {
            "members[0].kind": "foreign",
            "members[0].birth_date": "H2.4.1",
            "members[0].foreign.stay_expires_on": "R11.3.31",
            "effective_on": "2026-11-20",
        },
    ).json()["dates"]
    assert answer == {
        "members[0].birth_date": "1990年4月1日",
        "members[0].foreign.stay_expires_on": "2029年3月31日",
        "effective_on": "令和8年11月20日",
        "filed_on": TODAY_WAREKI,
    }


# --- the live check ---------------------------------------------------------------------------------


def test_the_live_check_answers_per_field_and_writes_nothing(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/move-in")
    logged = app.access_log.verify(an_auditor(tenant.code))
    # While typing, blanks are not reported; what is typed wrong is.
    typing = post(
        http,
        "/ui/changes/check",
        page,
        {"effective_on": "R8.2.30", "members[0].name.family": "山田"},
    )
    assert typing.status_code == 200
    assert typing.json() == {
        "fields": {"effective_on": ["令和8年2月30日は存在しない日付です"]},
        "general": [],
    }
    # Once it can be read, the register's own rules answer, by field.
    future = post(http, "/ui/changes/check", page, {**FAMILY, "effective_on": "R8.12.24"}).json()
    assert future["fields"]["effective_on"] == ["異動日に未来の日付は入力できません（転出を除く）"]
    ok = post(http, "/ui/changes/check", page, {**FAMILY, "member_count": "3"}).json()
    assert ok == {"fields": {}, "general": []}
    assert drafts(app, tenant) == []
    assert app.access_log.verify(an_auditor(tenant.code)) == logged


def test_alerts_are_acknowledged_on_the_form(http: TestClient, tenant: Tenant, app: App) -> None:
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/move-in")
    late = {**FAMILY, "member_count": "3", "effective_on": "R8.11.1"}  # filed 25 days later
    live = post(http, "/ui/changes/check", page, late).json()
    assert any("【要確認】" in m for m in live["fields"]["filed_on"])
    refused = post(http, "/ui/changes/move-in/confirm", page, late)
    assert refused.status_code == 422
    assert 'name="acknowledged" value="move_in.late_filing"' in refused.text
    confirmation = post(
        http,
        "/ui/changes/move-in/confirm",
        refused.text,
        {**late, "acknowledged": "move_in.late_filing"},
    )
    assert confirmation.status_code == 200, confirmation.text
    assert "届出期間経過" in confirmation.text
    assert post(http, "/ui/changes/move-in/submit", confirmation.text, {}).status_code == 303
    (draft,) = drafts(app, tenant)
    assert decode_command_text(draft.command).header.acknowledged_alerts == {"move_in.late_filing"}


# --- bad input ---------------------------------------------------------------------------------------


def test_half_width_kana_is_made_full_width(http: TestClient, tenant: Tenant) -> None:
    log_in(http, tenant)
    page, _ = move_in_family(http)
    confirmation = post(
        http,
        "/ui/changes/move-in/confirm",
        page,
        {**FAMILY, "members[0].name.family_kana": "ﾔﾏﾀﾞ", "members[0].name.given_kana": "たろう"},
    )
    assert confirmation.status_code == 200
    assert "ヤマダ　タロウ" in confirmation.text
    assert ("members[0].name.family_kana", "ヤマダ") in hidden_fields(confirmation.text)


@pytest.mark.parametrize(
    ("field", "typed", "code"),
    [
        ("members[0].name.given", "太\x07郎", "name.control_character"),
        ("members[0].name.given", "太郎😀", "name.symbol_character"),
        ("members[0].name.family", "", "input.required"),
        ("members[1].birth_date", "2015-13-01", "date.invalid"),
        ("members[1].birth_date", "平成32年1月1日", "date.outside_era"),
        ("effective_on", "R8.2.30", "date.invalid"),
        ("members[1].birth_date", "令和百年", "date.format"),
        ("members[0].name.given_kana", "Taro", "reading.not_katakana"),
        ("members[0].relationship", "長男", "relationship.not_allowed"),
        ("members[2].individual_number", "123456789012", "individual_number.check_digit"),
        ("address.lot_text", "3番🏠", "input.emoji"),
        ("address.city", "", "address.city_required"),
        ("members[1].sex", "other", "input.choice"),
    ],
)
def test_bad_input_is_answered_next_to_its_field_and_nothing_is_saved(
    http: TestClient, tenant: Tenant, app: App, field: str, typed: str, code: str
) -> None:
    log_in(http, tenant)
    page, _ = move_in_family(http)
    for step in ("confirm", "submit"):
        refused = post(http, f"/ui/changes/move-in/{step}", page, {**FAMILY, field: typed})
        assert refused.status_code == 422, refused.text
        assert code in codes_at(refused.text, field), field_messages(refused.text, field)
        assert "入力内容に" in refused.text and "Traceback" not in refused.text
        # Everything else typed is kept.
        assert 'value="花子"' in refused.text
    assert drafts(app, tenant) == []


def test_a_blank_form_names_every_missing_field(http: TestClient, tenant: Tenant) -> None:
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/move-in")
    refused = post(http, "/ui/changes/move-in/confirm", page, {"filed_on": ""})
    assert refused.status_code == 422
    for name in (
        "effective_on",
        "members[0].name.family",
        "members[0].birth_date",
        "members[0].sex",
        "members[0].family_register.domicile",
    ):
        assert field_messages(refused.text, name), name
    assert codes_at(refused.text, "members[0].sex") == ["input.required"]


def test_a_rule_about_the_whole_change_is_shown_at_its_part(
    http: TestClient, tenant: Tenant
) -> None:
    log_in(http, tenant)
    page, _ = move_in_family(http)
    two_heads = {**FAMILY, "members[1].relationship": "世帯主"}
    refused = post(http, "/ui/changes/move-in/confirm", page, two_heads)
    assert refused.status_code == 422
    assert codes_at(refused.text, "members") == ["household.second_head"]


# --- one draft per form --------------------------------------------------------------------------------


def test_submitting_twice_makes_one_draft(http: TestClient, tenant: Tenant, app: App) -> None:
    log_in(http, tenant)
    _, confirmation = move_in_family(http)
    first = post(http, "/ui/changes/move-in/submit", confirmation.text, {})
    again = post(http, "/ui/changes/move-in/submit", confirmation.text, {})  # double click
    assert first.headers["location"] == again.headers["location"]
    assert len(drafts(app, tenant)) == 1


def test_a_changed_resubmission_of_the_same_form_is_refused_until_renewed(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    log_in(http, tenant)
    _, confirmation = move_in_family(http)
    assert post(http, "/ui/changes/move-in/submit", confirmation.text, {}).status_code == 303
    # Back to the form with the back button, one name changed, sent again.
    changed = post(
        http, "/ui/changes/move-in/submit", confirmation.text, {"members[2].name.given": "次郎"}
    )
    assert changed.status_code == 422
    assert "既に別の内容で仮登録しています" in changed.text
    assert len(drafts(app, tenant)) == 1
    renewed = post(
        http, "/ui/changes/move-in/form", changed.text, {"action": "new_token", **FAMILY}
    )
    assert form_state(renewed.text)["form_token"] != form_state(confirmation.text)["form_token"]
    again = post(
        http,
        "/ui/changes/move-in/submit",
        renewed.text,
        {**FAMILY, "members[2].name.given": "次郎"},
    )
    assert again.status_code == 303
    assert len(drafts(app, tenant)) == 2


def test_a_submission_after_logging_in_again_makes_one_draft(
    http: TestClient, tenant: Tenant, app: App, clock: FixedClock
) -> None:
    log_in(http, tenant)
    _, confirmation = move_in_family(http)
    sent = hidden_fields(confirmation.text)
    clock.at += app.tokens.lifetime + timedelta(minutes=1)
    expired = post(http, "/ui/changes/move-in/submit", confirmation.text, {})
    assert expired.status_code == 401 and drafts(app, tenant) == []
    kept = hidden_fields(expired.text)
    assert [k for k, _ in kept] == ["csrf_token", "resume"]  # the form sealed in one token
    relogged = send(
        http,
        "/ui/login",
        [*kept, ("login", tenant.login(Role.CLERK)), ("password", PASSWORD)],
    )
    assert relogged.status_code == 200
    resumed = relogged.text
    assert 'action="/ui/changes/move-in/submit"' in resumed
    assert "異動届の仮登録（転入）" in resumed
    assert "<td>花子</td>" in resumed
    assert ">form_token<" not in resumed and ">csrf_token<" not in resumed  # tokens not shown
    body = hidden_fields(resumed)
    assert ("members[1].name.given", "花子") in body
    first = send(http, "/ui/changes/move-in/submit", body)
    assert first.status_code == 303, first.text
    # The first submission had gone through after all? Sent again, it is the same draft.
    again = send(http, "/ui/changes/move-in/submit", body)
    assert again.headers["location"] == first.headers["location"]
    assert len(drafts(app, tenant)) == 1
    assert dict(sent)["form_token"] == dict(body)["form_token"]


def test_a_submission_without_its_form_token_is_refused(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    log_in(http, tenant)
    _, confirmation = move_in_family(http)
    refused = post(http, "/ui/changes/move-in/submit", confirmation.text, {"form_token": "x"})
    assert refused.status_code == 422 and "counter.form_token" in refused.text
    assert drafts(app, tenant) == []


# --- 町字 completion -----------------------------------------------------------------------------------


def test_town_areas_are_completed_from_this_municipalitys_addresses(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    name = app.municipalities.get(tenant.code).name
    places = (
        ("中央町一丁目", "2番3号"),
        ("中央町二丁目", "5番"),
        ("東町", "１番"),
        ("中央町一丁目", "9番"),
    )
    for given, (town, lot) in zip(("一郎", "二郎", "三郎", "四郎"), places, strict=True):
        app.register.record_change(
            tenant.code,
            MoveIn(
                header=a_header(),
                members=(a_person(name="中村", given=given, kana=("ナカムラ", "ロウ")),),
                address=Address.create(
                    prefecture="鹿児島県", city=name, town_area=town, lot_text=lot
                ),
                previous_address=a_previous_address(),
            ),
        )
    log_in(http, tenant)
    page, _ = opened(http, "/ui/changes/new/move-in")
    assert '<option value="中央町一丁目"></option><option value="中央町二丁目"></option>' in page
    answer = post(http, "/ui/changes/assist", page, {"town": "中央"}).json()
    assert answer["towns"] == ["中央町一丁目", "中央町二丁目"]
    assert post(http, "/ui/changes/assist", page, {"town": "東"}).json()["towns"] == ["東町"]
    assert post(http, "/ui/changes/assist", page, {"town": "西"}).json()["towns"] == []
