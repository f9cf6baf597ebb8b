"""Reviewing drafts at the counter below the browser: the queue, a draft in words with its
check, approval by another reviewer only (four-eyes), alerts acknowledged, discarding after a
confirmation, and the printable 住民異動届 read back with pdftotext."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import (
    IdentityCheck,
    IdentityDocument,
    InTownMove,
    MoveIn,
    Notifier,
    NotifierKind,
)
from jichitai.domain.residents.model import Sex
from jichitai.services.audit import AccessSearch, Operation, Outcome
from tests.api.conftest import PASSWORD, Tenant, auth, command_json
from tests.factories import (
    a_header,
    a_person,
    a_previous_address,
    a_valid_individual_number,
    an_address,
)
from tests.web.test_counter_http import csrf_of, log_in


def family() -> MoveIn:
    """A couple moving in, with the characters that must print as recorded (𠮷, 髙)."""
    return MoveIn(
        header=a_header(),
        members=(
            a_person(
                name="𠮷田",
                given="一郎",
                kana=("ヨシダ", "イチロウ"),
                individual_number=a_valid_individual_number(41),
            ),
            a_person(
                name="髙橋",
                given="花子",
                kana=("タカハシ", "ハナコ"),
                relationship="妻",
                born="昭和53年7月8日",
                sex=Sex.FEMALE,
            ),
        ),
        address=an_address("三丁目4番5号"),
        previous_address=a_previous_address(),
    )


def a_move(tenant: Tenant) -> InTownMove:
    """The tenant's head of household moving within the town: named by 宛名番号 only."""
    return InTownMove(
        header=a_header(),
        atena_numbers=(AtenaNumber(tenant.atena_numbers[0]),),
        address=an_address("五丁目6番7号"),
    )


def submit(http: TestClient, tenant: Tenant, command: Any, role: Role = Role.CLERK) -> str:
    """A draft entered through the staff API, as the change-entry screen would."""
    answer = http.post(
        "/api/v1/drafts",
        json={"command": command_json(command)},
        headers=auth(http, tenant.login(role)),
    )
    assert answer.status_code == 201, answer.text
    draft_id: str = answer.json()["draft"]["draft_id"]
    return draft_id


def log_in_as(http: TestClient, login: str) -> str:
    token = csrf_of(http.get("/ui/login").text)
    data = {"csrf_token": token, "login": login, "password": PASSWORD}
    assert http.post("/ui/login", data=data, follow_redirects=False).status_code == 303
    return csrf_of(http.get("/ui/").text)


def text(page: str) -> str:
    """The page's text without tags, spaces squeezed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def codes(page: str) -> list[str]:
    return re.findall(r'class="error" data-code="([^"]+)"', page)


def actor(tenant: Tenant, role: Role) -> Actor:
    return Actor(tenant.login(role), tenant.code, frozenset({role}))


def log_entries(app: App, tenant: Tenant, **query: Any) -> list[Any]:
    return app.access_log.search(actor(tenant, Role.AUDITOR), AccessSearch(**query, limit=1000))


def test_a_reviewer_reads_a_clerks_draft_in_words_and_approves_it(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    draft_id = submit(http, tenant, family())
    log_in(http, tenant, Role.CLERK)
    clerk_queue = http.get("/ui/drafts")
    assert clerk_queue.status_code == 200
    assert "仮登録の一覧" in clerk_queue.text and "自分の入力" in clerk_queue.text
    assert f'href="/ui/drafts/{draft_id}"' in clerk_queue.text
    assert "𠮷田　一郎" in clerk_queue.text and "髙橋　花子" in clerk_queue.text
    clerk_view = http.get(f"/ui/drafts/{draft_id}")
    assert "本登録する" not in clerk_view.text
    assert "本登録は審査担当の職員が行います" in clerk_view.text
    number = a_valid_individual_number(41).value
    assert number not in clerk_view.text, "a clerk reads the My Number masked"
    assert "********" + number[-4:] in clerk_view.text

    csrf = log_in(http, tenant, Role.REVIEWER)
    queue = http.get("/ui/drafts")
    assert "審査待ちの仮登録" in queue.text and "自分の入力" not in queue.text
    shown = http.get(f"/ui/drafts/{draft_id}")
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    words = text(shown.text)
    for expected in (
        "仮登録: 転入",
        "全ての規則を満たしています",
        "異動の事由: 国内転入",
        "新しい住所 東京都千代田区霞が関三丁目4番5号",
        "前住所 大阪府大阪市北区梅田一丁目1番1号",
        "異動日 令和8年11月20日",
        f"入力者 {tenant.login(Role.CLERK)}",
        number,  # the reviewer checks it against the documents
    ):
        assert expected in words, expected
    assert 'action="/ui/drafts/' + draft_id + '/approve"' in shown.text

    approved = http.post(f"/ui/drafts/{draft_id}/approve", data={"csrf_token": csrf})
    assert approved.status_code == 200, approved.text
    assert "本登録しました" in approved.text
    resent = http.post(f"/ui/drafts/{draft_id}/approve", data={"csrf_token": csrf})
    assert resent.status_code == 200 and "既に本登録されていた" in resent.text, "recorded once"
    links = re.findall(r'href="/ui/residents/([^"]+)"', approved.text)
    assert len(links) == 2
    person = http.get(f"/ui/residents/{links[0]}")
    assert person.status_code == 200 and "𠮷田　一郎" in person.text
    assert not re.search(r"\d{10}", "".join(links)), "no 宛名番号 in the links"
    found = http.post("/ui/search", data={"q": "ヨシダ イチロウ", "csrf_token": csrf})
    assert "検索結果 1件" in found.text
    assert draft_id not in http.get("/ui/drafts").text, "an approved draft leaves the queue"
    again = http.get(f"/ui/drafts/{draft_id}")
    assert "本登録済み" in again.text and "本登録する" not in again.text


def test_a_reviewer_may_not_approve_their_own_draft_nor_a_clerk_any(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    own = submit(http, tenant, family(), Role.REVIEWER)
    csrf = log_in(http, tenant, Role.REVIEWER)
    page = http.get(f"/ui/drafts/{own}")
    assert "本登録は別の審査者が行います" in page.text
    assert f'action="/ui/drafts/{own}/approve"' not in page.text
    refused = http.post(f"/ui/drafts/{own}/approve", data={"csrf_token": csrf})
    assert refused.status_code == 403
    assert "この操作は行えません" in refused.text
    assert codes(refused.text) == ["draft.self_approval"]
    assert "自分で入力又は変更した仮登録は本登録できません" in refused.text
    logged = log_entries(app, tenant, user_login=tenant.login(Role.REVIEWER))
    assert [e.detail for e in logged if e.outcome is Outcome.REFUSED] == ["403 draft.self_approval"]
    assert own in http.get("/ui/drafts").text, "still waiting for another reviewer"

    csrf = log_in(http, tenant, Role.CLERK)
    by_clerk = http.post(f"/ui/drafts/{own}/approve", data={"csrf_token": csrf})
    assert by_clerk.status_code == 403 and codes(by_clerk.text) == ["auth.forbidden"]
    log_in(http, tenant, Role.AUDITOR)
    assert http.get("/ui/drafts").status_code == 403


def test_a_draft_is_discarded_only_after_confirming(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    draft_id = submit(http, tenant, family())
    app.users.add(tenant.code, "other-clerk", PASSWORD, [Role.CLERK])
    csrf = log_in_as(http, "other-clerk")
    page = http.get(f"/ui/drafts/{draft_id}")
    assert "破棄する" not in page.text, "not offered on another clerk's draft"
    refused = http.post(f"/ui/drafts/{draft_id}/discard", data={"csrf_token": csrf})
    assert refused.status_code == 403 and codes(refused.text) == ["draft.not_owner"]

    csrf = log_in(http, tenant, Role.CLERK)
    page = http.get(f"/ui/drafts/{draft_id}")
    assert f'href="/ui/drafts/{draft_id}/discard"' in page.text
    confirm = http.get(f"/ui/drafts/{draft_id}/discard")
    assert confirm.status_code == 200 and "破棄すると元に戻せません" in confirm.text
    assert draft_id in http.get("/ui/drafts").text, "asking is not discarding"
    done = http.post(
        f"/ui/drafts/{draft_id}/discard", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert (done.status_code, done.headers["location"]) == (303, "/ui/drafts?discarded=1")
    queue = http.get(done.headers["location"])
    assert "仮登録を破棄しました" in queue.text and draft_id not in queue.text
    assert "破棄済み" in http.get(f"/ui/drafts/{draft_id}").text
    twice = http.post(f"/ui/drafts/{draft_id}/discard", data={"csrf_token": csrf})
    assert twice.status_code == 422 and codes(twice.text) == ["draft.not_pending"]


def test_an_alert_raised_after_entry_is_acknowledged_before_approval(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    draft_id = submit(http, tenant, a_move(tenant))
    app.suppressions.set(
        actor(tenant, Role.SUPPRESSION_OFFICER),
        kind="suppression",
        atena_number=tenant.atena_numbers[0],
        processes=["change"],
        level="alert",
        starts_on=date(2026, 11, 1),
        reason="照会中",
    )
    csrf = log_in(http, tenant, Role.REVIEWER)
    page = http.get(f"/ui/drafts/{draft_id}")
    assert "次のアラートを確認してください" in page.text
    assert 'name="acknowledged" value="suppression.alert"' in page.text
    assert "高橋　一郎" in page.text, "a resident named only by number is read for the page"
    unconfirmed = http.post(f"/ui/drafts/{draft_id}/approve", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 422
    assert 'name="acknowledged" value="suppression.alert"' in unconfirmed.text
    approved = http.post(
        f"/ui/drafts/{draft_id}/approve",
        data={"csrf_token": csrf, "acknowledged": "suppression.alert"},
    )
    assert approved.status_code == 200 and "転居を本登録しました" in approved.text
    assert "高橋　一郎" in approved.text


def test_a_draft_that_breaks_a_rule_now_cannot_be_approved(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    draft_id = submit(http, tenant, a_move(tenant))
    app.suppressions.set(
        actor(tenant, Role.SUPPRESSION_OFFICER),
        kind="suppression",
        atena_number=tenant.atena_numbers[0],
        processes=["change"],
        level="error",
        starts_on=date(2026, 11, 1),
        reason="調査中",
    )
    log_in(http, tenant, Role.REVIEWER)
    page = http.get(f"/ui/drafts/{draft_id}")
    assert page.status_code == 200
    assert "このままでは本登録できません" in page.text
    assert codes(page.text) == ["suppression.blocked"]
    assert f'action="/ui/drafts/{draft_id}/approve"' not in page.text
    assert "高橋　一郎" in page.text, "who the draft is about is still shown"


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(out.split())


def test_the_application_form_prints_the_names_as_recorded_and_is_logged(
    app: App, http: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    draft_id = submit(http, tenant, family())
    log_in(http, tenant, Role.CLERK)
    answer = http.get(f"/ui/drafts/{draft_id}/form.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-disposition"].startswith("inline")
    printed = pdf_text(answer.content, tmp_path)
    for expected in (
        "住民異動届",
        "（転入）",
        f"（あて先）{app.municipalities.name_of(tenant.code)}長",
        "𠮷田一郎",
        "髙橋花子",
        "ヨシダイチロウ",
        "昭和53年7月8日",
        "新しい住所東京都千代田区霞が関三丁目4番5号",
        "届出日令和8年11月20日",
        "届出人署名",
        "受付番号000001",
    ):
        assert expected in printed, expected
    assert a_valid_individual_number(41).value not in printed, "no My Number on the form"
    prints = log_entries(app, tenant, operation=Operation.PRINT)
    assert [(e.user_login, e.target, e.person_count) for e in prints] == [
        (tenant.login(Role.CLERK), f"application_form:draft:{draft_id}", 2)
    ]

    move = submit(http, tenant, a_move(tenant))
    moved = pdf_text(http.get(f"/ui/drafts/{move}/form.pdf").content, tmp_path)
    assert "（転居）" in moved and "高橋一郎" in moved
    prints = log_entries(app, tenant, operation=Operation.PRINT)
    assert tenant.atena_numbers[0] in prints[0].atena_numbers


def test_unknown_or_malformed_draft_ids_are_pages_not_errors(
    http: TestClient, tenant: Tenant
) -> None:
    log_in(http, tenant, Role.REVIEWER)
    missing = http.get("/ui/drafts/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and "該当する仮登録がありません" in missing.text
    bad = http.get("/ui/drafts/not-a-draft-id-but-thirty-six-chars!!")
    assert bad.status_code == 422 and "入力内容を確認してください" in bad.text


def test_the_queue_and_the_draft_name_residents_by_name_with_the_atena_number_beside(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    head = tenant.atena_numbers[0]
    draft_id = submit(http, tenant, a_move(tenant))
    log_in(http, tenant, Role.REVIEWER)
    named = f"高橋 一郎（{head}）"  # text() squeezes the full-width space
    queue = text(http.get("/ui/drafts").text)
    assert named in queue and f"宛名番号 {head}" not in queue
    shown = text(http.get(f"/ui/drafts/{draft_id}").text)
    assert f"転居する方 {named}" in shown, shown
    assert "受付番号 000001" in shown and draft_id not in shown, "one short number, read out"
    assert "000001 転居" in queue
    assert "新たに住民" not in shown
    discard = text(http.get(f"/ui/drafts/{draft_id}/discard").text)
    assert named in discard


def test_a_draft_refused_at_approval_goes_back_to_its_clerk_with_the_reason(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    draft_id = submit(http, tenant, a_move(tenant))
    app.suppressions.set(
        actor(tenant, Role.SUPPRESSION_OFFICER),
        kind="suppression",
        atena_number=tenant.atena_numbers[0],
        processes=["change"],
        level="error",
        starts_on=date(2026, 11, 1),
        reason="調査中",
    )
    csrf = log_in(http, tenant, Role.REVIEWER)
    refused = http.post(f"/ui/drafts/{draft_id}/approve", data={"csrf_token": csrf})
    assert refused.status_code == 422
    assert f'action="/ui/drafts/{draft_id}/return"' in refused.text, "offered when approval fails"
    sent = http.post(
        f"/ui/drafts/{draft_id}/return",
        data={"csrf_token": csrf, "comment": "支援措置の確認をしてください"},
        follow_redirects=False,
    )
    assert (sent.status_code, sent.headers["location"]) == (303, "/ui/drafts?returned=1")
    queue = http.get(sent.headers["location"])
    assert "仮登録を入力者に差し戻しました" in queue.text
    assert "差戻し（1件）" in text(queue.text)
    again = http.post(f"/ui/drafts/{draft_id}/approve", data={"csrf_token": csrf})
    assert again.status_code == 422 and codes(again.text) == ["draft.returned"]
    logged = log_entries(app, tenant, operation=Operation.RETURN_DRAFT)
    assert [(e.user_login, e.target) for e in logged] == [
        (tenant.login(Role.REVIEWER), f"draft:{draft_id}")
    ]

    csrf = log_in(http, tenant, Role.CLERK)
    words = text(http.get("/ui/drafts").text)
    assert "差戻し（1件）" in words and "支援措置の確認をしてください" in words
    page = http.get(f"/ui/drafts/{draft_id}")
    words = text(page.text)
    assert "入力者に差し戻されています" in words
    assert "審査者のコメント: 支援措置の確認をしてください" in words
    assert 'data-code="suppression.blocked"' in page.text, "the refusal goes back with it"
    assert f'action="/ui/drafts/{draft_id}/resubmit"' in page.text
    assert f'href="/ui/drafts/{draft_id}/discard"' in page.text
    still = http.post(f"/ui/drafts/{draft_id}/resubmit", data={"csrf_token": csrf})
    assert still.status_code == 422 and codes(still.text) == ["suppression.blocked"]
    assert "差戻し" in http.get(f"/ui/drafts/{draft_id}").text, "still sent back"
    done = http.post(
        f"/ui/drafts/{draft_id}/discard", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "破棄済み" in http.get(f"/ui/drafts/{draft_id}").text


def test_a_draft_sent_back_with_a_comment_is_resubmitted_and_approved(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    draft_id = submit(http, tenant, a_move(tenant))
    csrf = log_in(http, tenant, Role.REVIEWER)
    page = http.get(f"/ui/drafts/{draft_id}")
    assert f'action="/ui/drafts/{draft_id}/return"' in page.text
    empty = http.post(f"/ui/drafts/{draft_id}/return", data={"csrf_token": csrf, "comment": " "})
    assert empty.status_code == 422
    assert codes(empty.text) == ["draft.return_comment_required"]
    assert f'action="/ui/drafts/{draft_id}/approve"' in empty.text, "approval still offered"
    http.post(
        f"/ui/drafts/{draft_id}/return",
        data={"csrf_token": csrf, "comment": "届出書の署名を確認してください"},
    )

    own = submit(http, tenant, a_move(tenant), Role.REVIEWER)
    assert f'action="/ui/drafts/{own}/return"' not in http.get(f"/ui/drafts/{own}").text
    refused = http.post(f"/ui/drafts/{own}/return", data={"csrf_token": csrf, "comment": "x"})
    assert refused.status_code == 403 and codes(refused.text) == ["draft.self_return"]

    csrf = log_in(http, tenant, Role.CLERK)
    back = http.post(
        f"/ui/drafts/{draft_id}/resubmit", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert (back.status_code, back.headers["location"]) == (303, "/ui/drafts?resubmitted=1")
    assert "審査待ちに戻りました" in http.get(back.headers["location"]).text
    csrf = log_in(http, tenant, Role.REVIEWER)
    approved = http.post(f"/ui/drafts/{draft_id}/approve", data={"csrf_token": csrf})
    assert approved.status_code == 200 and "本登録しました" in approved.text


AGENT = Notifier(
    kind=NotifierKind.AGENT,
    name="鈴木　一郎",
    address="東京都千代田区丸の内一丁目1番1号",
    telephone="03-1234-5678",
    relation="委任（知人）",
)


def by_an_agent(command: MoveIn) -> MoveIn:
    """The family's 転入 filed by an agent who showed a driving licence."""
    header = replace(
        command.header,
        notifier=AGENT,
        identity_check=IdentityCheck(
            document=IdentityDocument.DRIVING_LICENCE, detail="写しを保管"
        ),
    )
    return replace(command, header=header)


def test_the_notifier_and_the_identity_check_are_shown_in_words(
    http: TestClient, tenant: Tenant
) -> None:
    draft_id = submit(http, tenant, by_an_agent(family()))
    by_the_person = replace(
        a_header(),
        notifier=Notifier(),
        identity_check=IdentityCheck(document=IdentityDocument.MY_NUMBER_CARD),
    )
    own = submit(http, tenant, replace(family(), header=by_the_person))
    log_in(http, tenant, Role.REVIEWER)
    queue = text(http.get("/ui/drafts").text)
    assert "届出人: 代理人 鈴木 一郎（委任（知人））" in queue
    assert queue.count("届出人:") == 1, "a change filed by the person needs no line in the queue"
    page = text(http.get(f"/ui/drafts/{draft_id}").text)
    for expected in (
        "届出人 届出人の区分 代理人",
        "届出人の氏名 鈴木 一郎",
        "届出人の住所 東京都千代田区丸の内一丁目1番1号",
        "届出人の電話番号 03-1234-5678",
        "異動する方との関係 委任（知人）",
        "本人確認 本人確認の書類 運転免許証",
        "本人確認の補足 写しを保管",
    ):
        assert expected in page, expected
    mine = text(http.get(f"/ui/drafts/{own}").text)
    assert "届出人 届出人の区分 本人" in mine and "本人確認の書類 マイナンバーカード" in mine
    discard = text(http.get(f"/ui/drafts/{draft_id}/discard").text)
    assert "届出人 代理人 鈴木 一郎（委任（知人））" in discard
    assert "本人確認 運転免許証 写しを保管" in discard
    csrf = log_in(http, tenant, Role.REVIEWER)
    approved = http.post(f"/ui/drafts/{draft_id}/approve", data={"csrf_token": csrf})
    assert approved.status_code == 200, approved.text
    done = text(approved.text)  # the approval repeats who filed it and how they were checked
    assert "届出人・本人確認 届出人 届出人の区分 代理人 届出人の氏名 鈴木 一郎" in done
    assert "届出人の電話番号 03-1234-5678" in done and "本人確認の書類 運転免許証" in done
    for page_text in (queue, page, mine, discard, done):
        for raw in ("notifier", "identity_check", "agent", "driving_licence", "my_number_card"):
            assert raw not in page_text, raw


def test_the_application_form_carries_the_family_register_and_the_notifier(
    http: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    by_agent = submit(http, tenant, by_an_agent(family()))
    by_the_person = replace(a_header(), notifier=Notifier())
    own = submit(http, tenant, replace(family(), header=by_the_person))
    log_in(http, tenant, Role.CLERK)
    printed = pdf_text(http.get(f"/ui/drafts/{by_agent}/form.pdf").content, tmp_path)
    register = family().members[0].family_register
    assert register is not None
    for expected in (
        f"本籍{squeezed(register.domicile)}筆頭者𠮷田一郎",
        "筆頭者髙橋花子",
        "届出人の氏名鈴木一郎",
        "届出人の住所東京都千代田区丸の内一丁目1番1号",
        "届出人の電話番号03-1234-5678",
        "届出人と異動者との関係代理人（委任（知人））",
        "届出人署名",
    ):
        assert expected in printed, expected
    assert "運転免許証" not in printed, "本人確認 is the counter's record, not the resident's form"
    mine = pdf_text(http.get(f"/ui/drafts/{own}/form.pdf").content, tmp_path)
    assert "届出人と異動者との関係本人" in mine
    assert "届出人の住所" not in mine and "（本人・世帯主・代理人）" not in mine
    assert f"本籍{squeezed(register.domicile)}" in mine


def squeezed(value: str) -> str:
    return "".join(value.split())


def test_a_draft_is_found_by_its_receipt_number_as_read_out(
    http: TestClient, tenant: Tenant
) -> None:
    wanted = submit(http, tenant, family())
    other = submit(http, tenant, a_move(tenant))
    number = http.get(
        f"/api/v1/drafts/{wanted}", headers=auth(http, tenant.login(Role.REVIEWER))
    ).json()["receipt_number"]
    log_in(http, tenant, Role.REVIEWER)
    for typed in (number, number.lstrip("0"), number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))):  # fmt: skip
        found = http.get("/ui/drafts", params={"number": typed})
        assert found.status_code == 200, found.text
        assert f'href="/ui/drafts/{wanted}"' in found.text, typed
        assert f'href="/ui/drafts/{other}"' not in found.text, typed
        assert f"受付番号 {number} の仮登録: 1件" in text(found.text)
    missing = text(http.get("/ui/drafts", params={"number": "999999"}).text)
    assert "受付番号 999999 の仮登録: 0件（審査待ち・差戻しの中にありません" in missing
    wrong = http.get("/ui/drafts", params={"number": "12a"})
    assert wrong.status_code == 200 and codes(wrong.text) == ["input.receipt_number"]
    assert 'aria-invalid="true"' in wrong.text
    assert (
        f'href="/ui/drafts/{wanted}"' in wrong.text and f'href="/ui/drafts/{other}"' in wrong.text
    )
