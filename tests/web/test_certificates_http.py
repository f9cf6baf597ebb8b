"""The counter's certificate screens below the browser: the form's choices as the service's
request, the preview (nothing issued), the issued PDF, re-issue, the day's history and the code
check, and every refusal told on the page with nothing recorded."""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Death
from jichitai.entrypoints.web.refs import PersonRefs
from jichitai.services.audit import AccessSearch, Operation
from tests.api.conftest import Tenant, a_move_in
from tests.factories import a_header, a_named_certifier, a_person, a_seal, moving_in
from tests.web.test_counter_http import csrf_of, log_in

PDF = {"Content-Type": "application/pdf"}


@pytest.fixture(autouse=True)
def named_certifier(app: App, tenant: Tenant) -> str:
    """The mayor's title as the copies print it (a certifier must be named to issue)."""
    return a_named_certifier(app, tenant.code)


def actor(tenant: Tenant, role: Role) -> Actor:
    return Actor(tenant.login(role), tenant.code, frozenset({role}))


def ref(http: TestClient, tenant: Tenant, role: Role, person: int | str = 0) -> str:
    """The counter's reference to a person, as the search would give it to this user."""
    atena = tenant.atena_numbers[person] if isinstance(person, int) else person
    refs: PersonRefs = http.app.state.person_refs  # type: ignore[attr-defined]
    return refs.ref(tenant.login(role), atena)


def names(app: App, tenant: Tenant) -> list[str]:
    return [app.queries.current(tenant.code, a).name.full for a in tenant.atena_numbers]


def codes(page: str) -> list[str]:
    """The codes of the messages shown (each keeps its code in data-code)."""
    return re.findall(r'class="error" data-code="([^"]+)"', page)


def messages_of(page: str, field: str) -> str:
    """The message box of one field."""
    found = re.search(rf'data-messages-for="{re.escape(field)}"[^>]*>(.*?)</div>', page, re.S)
    assert found, f"the page has a message box for {field}"
    return html.unescape(found.group(1))


def issued(app: App, tenant: Tenant) -> list[str]:
    return [r.issue_code for r in app.certificates.history(actor(tenant, Role.CLERK))]


def choices(
    csrf: str, person_ref: str, kind: str = "juminhyo", **extra: str | list[str]
) -> dict[str, str | list[str]]:
    return {"csrf_token": csrf, "ref": person_ref, "kind": kind, **extra}


def ticked(page: str) -> list[bool]:
    """Which household members are ticked on the form, in the household's order."""
    boxes = re.findall(r'<input type="checkbox" name="persons"[^>]*>', page)
    return [" checked" in box for box in boxes]


def sheet_text(page: str) -> str:
    """The preview's sheets as text (tags dropped)."""
    sheets = "".join(re.findall(r'<article class="sheet".*?</article>', page, re.S))
    return html.unescape(re.sub(r"<[^>]+>", " ", sheets))


def issue_pdf(http: TestClient, data: Mapping[str, str | list[str]]) -> httpx.Response:
    """発行する, then the PDF opened from the page 「発行しました」, as the clerk's click does (a
    refusal is answered as it came)."""
    answer = http.post("/ui/certificates/issue", data=data)
    if answer.status_code != 200:
        return answer
    return http.get(pdf_link(answer.text))


def pdf_link(page: str) -> str:
    """The page 「発行しました」's link to the PDF just issued."""
    found = re.search(r'href="(/ui/certificates/issued/[^"]+)"', page)
    assert found, "the page links to the issued PDF"
    return found[1]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "issued.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(text.split())


def test_the_form_offers_the_household_and_only_the_items_the_role_may_show(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    head, spouse = names(app, tenant)
    log_in(http, tenant)
    form = http.get("/ui/certificates/new", params={"ref": ref(http, tenant, Role.CLERK)})
    assert form.status_code == 200, form.text
    assert form.headers["cache-control"] == "no-store"
    assert head in form.text and spouse in form.text
    assert 'id="kind-juminhyo" value="juminhyo" checked' in form.text
    items = re.findall(r'<input type="checkbox" name="items\.[^>]*>', form.text)
    assert len(items) == 6 and not any(" checked" in box for box in items)  # omitted by default
    assert ticked(form.text) == [True, False]  # the person alone, until the clerk chooses
    assert 'name="items.individual_number"' not in form.text  # a clerk may not show it
    assert "/ui/static/certificates.css" in form.text

    http.post("/ui/logout", data={"csrf_token": csrf_of(form.text)})
    log_in(http, tenant, Role.REVIEWER)
    reviewer = http.get(
        "/ui/certificates/new", params={"ref": ref(http, tenant, Role.REVIEWER)}
    ).text
    assert 'name="items.individual_number"' in reviewer


def test_the_preview_lays_out_what_was_chosen_and_issues_nothing(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    head, spouse = names(app, tenant)
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    household = http.post(
        "/ui/certificates/preview",
        data=choices(csrf, person, scope="household", **{"items.head_and_relationship": "on"}),
    )
    assert household.status_code == 200, household.text
    text = sheet_text(household.text)
    assert "住民票の写し" in text and head in text and spouse in text
    assert "世帯主" in text and "続柄" in text and "妻" in text
    assert "本籍" not in text and "住民票コード" not in text and "個人番号" not in text
    assert "この写しは、世帯全員の住民票の原本と相違ないことを証明する。" in text
    assert f'<dd class="name">{head}</dd>' in household.text  # names in the name font
    assert "1／1枚目" in household.text

    spouse_only = http.post(
        "/ui/certificates/preview",
        data=choices(csrf, person, scope="chosen", persons=[ref(http, tenant, Role.CLERK, 1)]),
    )
    text = sheet_text(spouse_only.text)
    assert spouse in text and head not in text and "世帯主" not in text
    assert "この写しは、住民票の原本と相違ないことを証明する。" in text  # some members only
    back = re.search(r'action="/ui/certificates/new".*?</form>', spouse_only.text, re.S)
    assert back, "the preview offers to change the choices"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', back.group(0)):
        fields.setdefault(name, []).append(value)
    again = http.post("/ui/certificates/new", data=fields)
    assert again.status_code == 200 and ticked(again.text) == [False, True]

    personal = http.post(
        "/ui/certificates/preview",
        data=choices(csrf, person, scope="household", layout="personal", with_history="on"),
    )
    assert "2／2枚目" in personal.text and "履歴" in sheet_text(personal.text)
    # The issue form carries exactly the choices previewed.
    found = re.search(r'action="/ui/certificates/issue".*?</form>', personal.text, re.S)
    assert found, "the preview has the issue form"
    issue_form = found.group(0)
    assert 'name="layout" value="personal"' in issue_form
    assert 'name="scope" value="household"' in issue_form
    assert 'name="with_history" value="on"' in issue_form

    assert issued(app, tenant) == [], "a preview is not an issue"
    logged = app.access_log.search(
        actor(tenant, Role.AUDITOR), AccessSearch(operation=Operation.VIEW)
    )
    assert any(e.target == "certificate_preview:juminhyo" for e in logged)


def test_issuing_answers_the_signed_pdf_inline_and_the_history_shows_its_code(
    app: App, http: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    head, _ = names(app, tenant)
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    answer = issue_pdf(http, choices(csrf, person, scope="household"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["cache-control"] == "no-store"
    code = answer.headers["x-jichitai-issue-code"]
    assert answer.headers["content-disposition"] == f'inline; filename="{code}.pdf"'
    assert "".join(head.split()) in pdf_text(answer.content, tmp_path)
    verified = http.post("/verify", content=answer.content, headers=PDF).json()
    assert verified["valid"] is True and verified["issue_code"] == code
    assert issued(app, tenant) == [code]

    form = http.get("/ui/certificates/new", params={"ref": person}).text
    assert f'value="{code}"' in form  # the person's history, to re-issue from
    day = http.get("/ui/certificates")
    assert day.status_code == 200 and code in day.text and "本日" in day.text

    checked = http.post("/ui/certificates/verify", data={"csrf_token": csrf, "code": code})
    assert checked.status_code == 200
    assert "この確認コードの証明書は発行されています" in checked.text
    assert "住民票の写し" in checked.text
    unknown = code[:-2] + ("1" if code[-2] != "1" else "2") + code[-1]
    wrong = http.post("/ui/certificates/verify", data={"csrf_token": csrf, "code": unknown})
    assert wrong.status_code == 422
    assert codes(wrong.text)[0] in ("certificate.code_invalid", "certificate.not_found")
    assert messages_of(wrong.text, "code")


@pytest.mark.spec("1.3.9")
def test_the_preview_tells_that_a_copy_cannot_be_issued_without_its_certifiers_name(
    app: App, http: TestClient, tenant: Tenant, named_certifier: str
) -> None:
    issuer = Path(app.settings.key_dir) / "municipalities" / tenant.code / "issuer.json"
    issuer.write_text(  # as an older key directory, or the development stand-in, has it
        json.dumps({"mayor_title": named_certifier, "mayor_name": ""}), encoding="utf-8"
    )
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    preview = http.post("/ui/certificates/preview", data=choices(csrf, person, persons=[person]))
    assert preview.status_code == 422
    assert codes(preview.text) == ["certificate.certifier_name_required"]
    assert "氏名が未設定" in messages_of(preview.text, "certifier")
    assert 'action="/ui/certificates/issue"' not in preview.text  # nothing to press
    issued_anyway = http.post(
        "/ui/certificates/issue", data=choices(csrf, person, persons=[person])
    )
    assert issued_anyway.status_code == 422 and issued(app, tenant) == []


@pytest.mark.spec("5.1")
def test_the_certification_says_whether_the_copy_is_of_the_whole_household(
    app: App, http: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    csrf = log_in(http, tenant)
    head, spouse = (ref(http, tenant, Role.CLERK, n) for n in (0, 1))
    everyone = issue_pdf(http, choices(csrf, head, scope="chosen", persons=[head, spouse]))
    assert everyone.status_code == 200, everyone.text
    assert "この写しは、世帯全員の住民票の原本と相違ないことを証明する。" in pdf_text(
        everyone.content, tmp_path
    )
    some = issue_pdf(http, choices(csrf, head, scope="chosen", persons=[spouse]))
    text = pdf_text(some.content, tmp_path)
    assert "この写しは、住民票の原本と相違ないことを証明する。" in text and "世帯全員" not in text

    app.register.record_change(
        tenant.code,
        Death(
            header=a_header(),
            atena_number=AtenaNumber(tenant.atena_numbers[1]),
            died_on=RecordDate.parse("令和8年11月20日"),
        ),
    )
    mixed = http.post(
        "/ui/certificates/preview",
        data=choices(csrf, head, "kisai-jiko", scope="chosen", persons=[head, spouse]),
    )
    assert mixed.status_code == 422 and codes(mixed.text) == ["certificate.living_and_removed"]
    assert "別々に発行してください" in messages_of(mixed.text, "persons")
    assert len(issued(app, tenant)) == 2


@pytest.mark.spec("5.7")
def test_a_copy_for_official_use_is_ticked_on_the_form_and_marked_in_the_preview(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    form = http.get("/ui/certificates/new", params={"ref": person}).text
    assert 'name="items.official_use"' in form and 'name="items.furigana"' in form
    marked = http.post(
        "/ui/certificates/preview",
        data=choices(csrf, person, persons=[person], **{"items.official_use": "on"}),
    )
    assert '<span class="sheet-mark">公用</span>' in marked.text
    assert "「公用」と表示する" in html.unescape(marked.text)  # in the summary of the choices
    assert 'name="items.official_use" value="on"' in marked.text  # carried on to the issue
    plain = http.post("/ui/certificates/preview", data=choices(csrf, person, persons=[person]))
    assert "sheet-mark" not in plain.text


@pytest.mark.spec("5.6")
def test_the_clerk_chooses_the_certifier_and_may_leave_the_seal_off(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    form = http.get("/ui/certificates/new", params={"ref": person}).text
    assert 'id="certifier-auto" value="auto" checked' in form and 'name="omit_seal"' in form
    chosen = choices(csrf, person, persons=[person], certifier="mayor", omit_seal="on")
    preview = http.post("/ui/certificates/preview", data=chosen)
    assert preview.status_code == 200, preview.text
    text = html.unescape(preview.text)
    shown = re.search(r"<dt>認証者</dt><dd>([^<]*)</dd>", text)
    assert shown and shown[1].endswith("長　山田　太郎（公印省略）")
    sent = issue_form(preview.text)
    assert sent["certifier"] == ["mayor"] and sent["omit_seal"] == ["on"]
    pdf = issue_pdf(http, sent)
    assert pdf.headers["content-type"] == "application/pdf"
    no_deputy = http.post("/ui/certificates/preview", data={**chosen, "certifier": "deputy"})
    assert no_deputy.status_code == 422
    assert "職務代理者が登録されていません" in messages_of(no_deputy.text, "certifier")


@pytest.mark.spec("5.8")
def test_a_value_that_cannot_be_printed_is_alerted_in_the_preview_and_listed_for_the_day(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    moved = app.register.record_change(tenant.code, a_move_in(9, "\U00030000田", "ヨシダ"))
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK, moved.atena_numbers[0])
    preview = http.post("/ui/certificates/preview", data=choices(csrf, person, persons=[person]))
    assert '<section class="warnings" role="alert" aria-label="文字溢れ">' in preview.text
    assert "1枚目 氏名（未登録外字）" in preview.text
    assert "限界まで小さくして印字されます" in preview.text
    issued = http.post("/ui/certificates/issue", data=issue_form(preview.text))
    day = http.get("/ui/certificates").text
    assert "文字超過リスト（本日） 1件" in day
    assert issued.headers["x-jichitai-issue-code"] in day.split("文字超過リスト")[1]
    plain = http.post(
        "/ui/certificates/preview",
        data=choices(csrf, ref(http, tenant, Role.CLERK), persons=[ref(http, tenant, Role.CLERK)]),
    )
    assert "文字溢れ" not in plain.text


def issue_form(preview: str) -> dict[str, list[str]]:
    """The fields the preview's 発行する button sends, as the browser would send them."""
    found = re.search(r'action="/ui/certificates/issue".*?</form>', preview, re.S)
    assert found, "the preview has the issue form"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', found[0]):
        fields.setdefault(name, []).append(html.unescape(value))
    return fields


def test_the_issue_button_sent_twice_issues_one_copy(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    preview = http.post("/ui/certificates/preview", data=choices(csrf, person, persons=[person]))
    sent = issue_form(preview.text)
    assert len(sent["issue_token"]) == 1 and sent["issue_token"][0]
    first = http.post("/ui/certificates/issue", data=sent)
    assert first.status_code == 200 and "発行しました" in first.text
    code = first.headers["x-jichitai-issue-code"]

    again = http.post("/ui/certificates/issue", data=sent)
    assert again.status_code == 409
    assert codes(again.text) == ["certificate.already_issued"]
    assert f"確認コード {code}" in html.unescape(again.text)
    assert issued(app, tenant) == [code]

    # Previewing again is a new request: its button issues a new copy.
    again_previewed = http.post(
        "/ui/certificates/preview", data=choices(csrf, person, persons=[person])
    )
    another = issue_form(again_previewed.text)
    assert another["issue_token"] != sent["issue_token"]
    second = http.post("/ui/certificates/issue", data=another)
    assert second.status_code == 200
    assert issued(app, tenant) == [second.headers["x-jichitai-issue-code"], code]


def test_a_copy_is_reprinted_from_the_history_with_a_reason(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    first = http.post("/ui/certificates/issue", data=choices(csrf, person, persons=[person]))
    code = first.headers["x-jichitai-issue-code"]

    no_reason = http.post(
        "/ui/certificates/reissue", data={"csrf_token": csrf, "ref": person, "issue_code": code}
    )
    assert no_reason.status_code == 422
    assert "再交付の理由を入力してください" in messages_of(no_reason.text, "reason")
    nothing_chosen = http.post(
        "/ui/certificates/reissue", data={"csrf_token": csrf, "ref": person, "reason": "汚損"}
    )
    assert codes(nothing_chosen.text) == ["certificate.issue_code_required"]
    assert issued(app, tenant) == [code]

    again = http.post(
        "/ui/certificates/reissue",
        data={"csrf_token": csrf, "ref": person, "issue_code": code, "reason": "汚損"},
    )
    assert again.status_code == 200 and again.headers["content-type"] == "application/pdf"
    newer = again.headers["x-jichitai-issue-code"]
    assert newer != code
    assert app.certificates.verify_code(code).superseded_by == newer
    form = http.get("/ui/certificates/new", params={"ref": person}).text
    assert f"再交付済み（新しい確認コード {newer}）" in form
    twice = http.post(
        "/ui/certificates/reissue",
        data={"csrf_token": csrf, "ref": person, "issue_code": code, "reason": "汚損"},
    )
    assert twice.status_code == 409
    assert codes(twice.text) == ["certificate.already_reissued"]


@pytest.mark.spec("1.3.8")
def test_a_copy_issued_by_mistake_is_disposed_of_from_the_history(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    first = http.post("/ui/certificates/issue", data=choices(csrf, person, persons=[person]))
    code = first.headers["x-jichitai-issue-code"]
    form = http.get("/ui/certificates/new", params={"ref": person}).text
    assert 'formaction="/ui/certificates/dispose"' in form

    chosen = {"csrf_token": csrf, "ref": person, "issue_code": code}
    no_reason = http.post("/ui/certificates/dispose", data=chosen)
    assert no_reason.status_code == 422
    assert "処分の理由を入力してください" in messages_of(no_reason.text, "reason")
    done = http.post("/ui/certificates/dispose", data={**chosen, "reason": "対象者の誤り"})
    assert done.status_code == 200
    assert f"確認コード {code} の証明書の処分を記録しました" in done.text
    assert "処分済み（対象者の誤り）" in done.text
    assert f'value="{code}"' not in done.text  # no longer offered to re-issue or dispose
    twice = http.post("/ui/certificates/dispose", data={**chosen, "reason": "対象者の誤り"})
    assert twice.status_code == 409 and codes(twice.text) == ["certificate.already_disposed"]

    checked = http.post("/ui/certificates/verify", data={"csrf_token": csrf, "code": code})
    assert 'data-code="certificate.disposed"' in checked.text
    assert "処分済み: 対象者の誤り" in checked.text  # the day's history
    record = app.certificates.history(actor(tenant, Role.CLERK))[0]
    assert record.disposal is not None and record.disposal.reason == "対象者の誤り"


def test_what_the_record_or_the_role_does_not_allow_is_told_on_the_form(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    johyo = http.post(
        "/ui/certificates/preview", data=choices(csrf, person, "johyo", persons=[person])
    )
    assert johyo.status_code == 422
    assert "除票の写しに記載できません" in messages_of(johyo.text, "kind")

    number = http.post(
        "/ui/certificates/issue",
        data=choices(csrf, person, persons=[person], **{"items.individual_number": "on"}),
    )
    assert number.status_code == 403  # a clerk's form has no such box: told at the top
    assert codes(number.text) == ["certificate.item_forbidden"]
    assert "個人番号を記載した証明書を発行する権限がありません" in number.text
    move_out = http.post("/ui/certificates/issue", data=choices(csrf, person, "tenshutsu"))
    assert move_out.status_code == 403 and codes(move_out.text) == ["certificate.item_forbidden"]
    refusals = app.access_log.search(
        actor(tenant, Role.AUDITOR), AccessSearch(operation=Operation.REFUSED)
    )
    assert sum(e.detail == "403 certificate.item_forbidden" for e in refusals) == 2

    nobody = http.post("/ui/certificates/preview", data=choices(csrf, person, scope="chosen"))
    assert nobody.status_code == 422 and codes(nobody.text) == ["certificate.no_persons"]
    stranger = app.register.record_change(tenant.code, moving_in(a_person(name="鈴木")))
    outsider = http.post(
        "/ui/certificates/preview",
        data=choices(
            csrf,
            person,
            scope="chosen",
            persons=[person, ref(http, tenant, Role.CLERK, stranger.atena_numbers[0])],
        ),
    )
    assert codes(outsider.text) == ["certificate.not_in_household"]
    bad_kind = http.post(
        "/ui/certificates/issue", data=choices(csrf, person, "passport", persons=[person])
    )
    assert bad_kind.status_code == 422 and codes(bad_kind.text) == ["certificate.kind_invalid"]
    assert issued(app, tenant) == [], "no refusal records an issue"


def test_suppressions_refuse_or_ask_to_be_confirmed_before_the_preview(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    officer = actor(tenant, Role.DV_OFFICER)
    app.suppressions.set(
        officer,
        kind="dv_support",
        atena_number=tenant.atena_numbers[1],
        starts_on=date(2026, 11, 1),
        reason="支援措置申出",
    )
    csrf = log_in(http, tenant)
    spouse = ref(http, tenant, Role.CLERK, 1)
    form = http.get("/ui/certificates/new", params={"ref": spouse})
    assert form.status_code == 409 and 'name="view_ack" value="dv_support.notice"' in form.text
    confirmed = http.post(
        "/ui/certificates/new",
        data={"csrf_token": csrf, "ref": spouse, "view_ack": "dv_support.notice"},
    )
    assert confirmed.status_code == 200
    assert "支援措置対象者です" in confirmed.text
    assert 'type="hidden" name="view_ack" value="dv_support.notice"' in confirmed.text
    refused = http.post(
        "/ui/certificates/preview",
        data=choices(csrf, spouse, persons=[spouse], view_ack="dv_support.notice"),
    )
    assert refused.status_code == 422 and codes(refused.text) == ["dv_support.blocked"]

    suppression_officer = actor(tenant, Role.SUPPRESSION_OFFICER)
    app.suppressions.set(
        suppression_officer,
        kind="suppression",
        atena_number=tenant.atena_numbers[0],
        processes=["issue"],
        level="alert",
        starts_on=date(2026, 11, 1),
        reason="照会中",
    )
    head = ref(http, tenant, Role.CLERK)
    # The head's form lists the household, the protected spouse among them: a view of her.
    asked = http.post(
        "/ui/certificates/preview",
        data=choices(csrf, head, view_ack="dv_support.notice", persons=[head]),
    )
    assert asked.status_code == 409
    assert 'name="acknowledged" value="suppression.alert"' in asked.text
    shown = http.post(
        "/ui/certificates/preview",
        data=choices(
            csrf,
            head,
            view_ack="dv_support.notice",
            persons=[head],
            acknowledged="suppression.alert",
        ),
    )
    assert shown.status_code == 200 and "プレビュー" in shown.text
    assert 'name="acknowledged" value="suppression.alert"' in shown.text  # carried to the issue
    assert issued(app, tenant) == []


def test_a_seal_certificate_needs_the_card_of_the_registration(
    app: App, http: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    registration = app.seals.register(
        actor(tenant, Role.CLERK), tenant.atena_numbers[0], a_seal(15.0)
    )
    card = registration.registration_number
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    missing = http.post("/ui/certificates/preview", data=choices(csrf, person, "inkan"))
    assert missing.status_code == 422
    assert "印鑑登録証の番号を入力してください" in messages_of(missing.text, "seal_card_number")
    wrong = http.post(
        "/ui/certificates/issue",
        data=choices(csrf, person, "inkan", seal_card_number="99999999"),
    )
    assert "印鑑登録証の番号が登録と一致しません" in messages_of(wrong.text, "seal_card_number")
    assert 'value="99999999"' in wrong.text  # what was typed stays

    full_width = "".join(chr(ord(c) + 0xFEE0) for c in card)  # typed with an IME
    preview = http.post(
        "/ui/certificates/preview",
        data=choices(csrf, person, "inkan", seal_card_number=full_width),
    )
    assert preview.status_code == 200, preview.text
    assert "印鑑登録証明書" in sheet_text(preview.text)
    assert 'src="data:image/png;base64,' in preview.text
    assert card not in sheet_text(preview.text)  # the card number is never printed
    answer = issue_pdf(http, choices(csrf, person, "inkan", seal_card_number=card))
    assert answer.headers["content-type"] == "application/pdf"
    assert "印鑑登録証明書" in pdf_text(answer.content, tmp_path)
    assert len(issued(app, tenant)) == 1


def test_roles_without_issue_reach_none_of_the_certificate_screens(
    http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant, Role.AUDITOR)
    person = ref(http, tenant, Role.AUDITOR)
    for answer in (
        http.get("/ui/certificates/new", params={"ref": person}),
        http.get("/ui/certificates"),
        http.post("/ui/certificates/issue", data=choices(csrf, person)),
    ):
        assert answer.status_code == 403
        assert "この操作は行えません" in answer.text
