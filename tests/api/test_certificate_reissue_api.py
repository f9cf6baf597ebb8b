"""転出証明書, re-issue (再交付・再印刷), the issue history and the issuer settings through the
staff API; every PDF read back with pdftotext, and checked at /verify as anyone would."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Correct, MoveOut, RecordChanges
from jichitai.domain.residents.model import FamilyRegister
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.audit import AccessSearch, Operation
from tests.api.conftest import Tenant, a_move_in, auth, error_codes
from tests.factories import a_header, a_named_certifier, a_valid_individual_number
from tests.fakes import TODAY, FixedClock

PLANNED = TODAY + timedelta(days=5)
PDF = {"Content-Type": "application/pdf"}


@pytest.fixture(autouse=True)
def named_certifier(app: App, tenant: Tenant) -> str:
    """The mayor's title as the copies print it (a certifier must be named to issue)."""
    return a_named_certifier(app, tenant.code)


def squeezed(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext reads it, without the layout's spacing."""
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(text.split())


def move_out(app: App, tenant: Tenant) -> None:
    """The couple files a move-out to Osaka, planned for five days from now."""
    app.register.record_change(
        tenant.code,
        MoveOut(
            header=a_header(effective_on=PLANNED, filed_on=TODAY),
            atena_numbers=tuple(AtenaNumber(a) for a in tenant.atena_numbers),
            planned_on=PLANNED,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )


def issue(
    client: TestClient, tenant: Tenant, role: Role = Role.REVIEWER, person: int = 0, **body: Any
) -> Any:
    payload = {"atena_number": tenant.atena_numbers[person], "kind": "tenshutsu", **body}
    return client.post(
        "/api/v1/certificates", json=payload, headers=auth(client, tenant.login(role))
    )


def reissue(
    client: TestClient, tenant: Tenant, code: str, role: Role = Role.REVIEWER, reason: str = "紛失"
) -> Any:
    return client.post(
        f"/api/v1/certificates/{code}/reissue",
        json={"reason": reason},
        headers=auth(client, tenant.login(role)),
    )


def history(client: TestClient, tenant: Tenant, **params: str) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/certificates", params=params, headers=auth(client, tenant.login(Role.CLERK))
    )
    assert response.status_code == 200, response.text
    assert response.json()["count"] == len(response.json()["issues"])
    issues: list[dict[str, Any]] = response.json()["issues"]
    return issues


@pytest.mark.spec("5.1")
def test_a_move_out_certificate_per_person_with_the_my_number_reads_back(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    move_out(app, tenant)
    head = issue(client, tenant)
    assert head.status_code == 201, head.text
    assert head.headers["content-type"] == "application/pdf"
    assert head.headers["x-jichitai-pages"] == "1"
    text = squeezed(head.content, tmp_path)
    for expected in (
        "転出証明書",
        "氏名高橋一郎（タカハシタロウ）",
        "世帯主高橋一郎",
        "続柄世帯主",
        "転出先大阪府大阪市北区",
        "転出の予定年月日令和8年12月1日",
        f"個人番号{a_valid_individual_number(7).value}",
        "上記の者は、転出の届出をしたことを証明する。",
    ):
        assert expected in text, expected
    assert "高橋花子" not in text  # one person a certificate
    wife = issue(client, tenant, person=1)
    assert wife.status_code == 201, wife.text
    wife_text = squeezed(wife.content, tmp_path)
    assert "氏名高橋花子" in wife_text and "世帯主高橋一郎" in wife_text
    assert "続柄妻" in wife_text and "大阪市北区" in wife_text
    code = head.headers["x-jichitai-issue-code"]
    assert client.get(f"/verify/{code}").json()["title"] == "転出証明書"
    checked = client.post("/verify", content=head.content, headers=PDF).json()
    assert checked["valid"] is True and checked["checks"]["current"] is True
    [row] = history(client, tenant, atena_number=tenant.atena_numbers[0])
    assert row["kind"] == "tenshutsu" and row["title"] == "転出証明書"
    assert "individual_number" in row["items"] and row["reissue_of"] is None


@pytest.mark.spec("5.1")
def test_a_move_out_certificate_is_refused_without_a_move_out_or_the_my_number_right(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    living = issue(client, tenant)
    assert living.status_code == 422 and error_codes(living) == ["certificate.no_move_out"]
    assert living.json()["errors"][0]["field"] == "atena_number"
    move_out(app, tenant)
    clerk = issue(client, tenant, Role.CLERK)
    assert clerk.status_code == 403 and error_codes(clerk) == ["certificate.item_forbidden"]
    assert issue(client, tenant, Role.ADMINISTRATOR).status_code == 403
    assert history(client, tenant) == []  # nothing was recorded


@pytest.mark.spec("5.1")
def test_a_move_out_certificate_is_reissued_as_first_issued_and_the_old_copy_is_void(
    app: App, client: TestClient, tenant: Tenant, other: Tenant, tmp_path: Path
) -> None:
    move_out(app, tenant)
    first = issue(client, tenant)
    assert first.status_code == 201, first.text
    old_code = first.headers["x-jichitai-issue-code"]
    before = squeezed(first.content, tmp_path)
    # The record is corrected after the issue (誤記修正 of the 本籍, once the move-out has
    # taken effect): a re-issue still shows what the certificate said when it was first issued.
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.day = PLANNED
    app.register.record_change(
        tenant.code,
        Correct(
            header=a_header(effective_on=PLANNED),
            atena_number=AtenaNumber(tenant.atena_numbers[0]),
            reason=ChangeReason.CLERICAL_CORRECTION,
            changes=RecordChanges(family_register=FamilyRegister("京都府京都市北区", "高橋　一郎")),
        ),
    )
    clock.day = TODAY  # the re-issue is dated as the first issue was
    assert "本籍京都府京都市北区" in squeezed(issue(client, tenant).content, tmp_path)
    refused = [
        reissue(client, tenant, old_code, Role.CLERK),  # it shows the My Number
        reissue(client, other, old_code),  # another municipality's copy
        reissue(client, tenant, old_code, reason="　"),
    ]
    assert [r.status_code for r in refused] == [403, 404, 422]
    assert error_codes(refused[0]) == ["certificate.item_forbidden"]
    assert error_codes(refused[1]) == ["certificate.not_found"]
    assert error_codes(refused[2]) == ["certificate.reason_required"]

    again = reissue(client, tenant, old_code)
    assert again.status_code == 201, again.text
    new_code = again.headers["x-jichitai-issue-code"]
    assert new_code != old_code and again.headers["content-type"] == "application/pdf"
    text = squeezed(again.content, tmp_path)
    assert "転出証明書（再交付）" in text
    assert "京都市北区" not in text  # not today's record
    assert text.replace("（再交付）", "").split("発行番号")[0] == before.split("発行番号")[0]

    old = client.get(f"/verify/{old_code}").json()
    assert old["superseded_by"] == new_code
    assert client.get(f"/verify/{new_code}").json()["superseded_by"] is None
    old_file = client.post("/verify", content=first.content, headers=PDF).json()
    assert old_file["valid"] is False and old_file["checks"]["current"] is False
    assert (
        f"この証明書は再交付されたため無効です（新しい確認コード {new_code}）"
        in old_file["problems"]
    )
    new_file = client.post("/verify", content=again.content, headers=PDF).json()
    assert new_file["valid"] is True and new_file["title"] == "転出証明書（再交付）"

    twice = reissue(client, tenant, old_code)
    assert twice.status_code == 409 and error_codes(twice) == ["certificate.already_reissued"]
    assert new_code in twice.json()["errors"][0]["message"]
    rows = history(client, tenant, atena_number=tenant.atena_numbers[0])
    assert [(r["issue_code"], r["reissue_of"], r["reason"]) for r in rows][:1] == [
        (new_code, old_code, "紛失")
    ]
    assert len([r for r in rows if r["reissue_of"]]) == 1  # the refusals recorded nothing
    reviewer = Actor(tenant.login(Role.AUDITOR), tenant.code, frozenset({Role.AUDITOR}))
    logged = app.access_log.search(reviewer, AccessSearch(operation=Operation.ISSUE))
    [entry] = [e for e in logged if e.target == f"certificate:{new_code}"]
    assert old_code in entry.detail and entry.my_number_shown
    assert entry.atena_numbers == (tenant.atena_numbers[0],)


@pytest.mark.spec("5.5")
def test_another_certificate_is_reprinted_unmarked_and_the_old_copy_is_void(
    client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    first = client.post(
        "/api/v1/certificates",
        json={"atena_number": tenant.atena_numbers[0], "household": True},
        headers=clerk,
    )
    old_code = first.headers["x-jichitai-issue-code"]
    again = reissue(client, tenant, old_code, Role.CLERK, reason="印刷不良")
    assert again.status_code == 201, again.text
    text = squeezed(again.content, tmp_path)
    assert "住民票の写し" in text and "再交付" not in text
    assert text.split("発行番号")[0] == squeezed(first.content, tmp_path).split("発行番号")[0]
    new_code = again.headers["x-jichitai-issue-code"]
    assert client.get(f"/verify/{old_code}").json()["superseded_by"] == new_code
    assert (
        client.get(f"/verify/{new_code}").json()["content_sha256"]
        == client.get(f"/verify/{old_code}").json()["content_sha256"]
    )  # same content, same digest
    assert history(client, tenant, issued_on=TODAY.isoformat())[0]["reason"] == "印刷不良"


@pytest.mark.spec("5.3")
@pytest.mark.spec("5.7")
def test_a_copy_for_official_use_is_marked_and_names_carry_their_reading_when_asked(
    client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    answer = client.post(
        "/api/v1/certificates",
        json={
            "atena_number": tenant.atena_numbers[0],
            "kind": "kisai-jiko",
            "items": {"official_use": True, "furigana": True},
        },
        headers=clerk,
    )
    assert answer.status_code == 201, answer.text
    text = squeezed(answer.content, tmp_path)
    assert text.startswith("住民票記載事項証明書公用")
    assert "氏名高橋一郎（タカハシタロウ）" in text and "フリガナ" not in text
    checked = client.post(
        "/verify", content=answer.content, headers={"Content-Type": "application/pdf"}
    )
    assert checked.json()["valid"] is True
    code = answer.headers["x-jichitai-issue-code"]
    entry = next(e for e in history(client, tenant) if e["issue_code"] == code)
    assert set(entry["items"]) == {"official_use", "furigana"}  # the history tells a 公用 copy
    plain = client.post(
        "/api/v1/certificates", json={"atena_number": tenant.atena_numbers[0]}, headers=clerk
    )
    unmarked = squeezed(plain.content, tmp_path)
    assert "公用" not in unmarked and "タカハシ" not in unmarked


@pytest.mark.spec("5.5")
@pytest.mark.spec("2.2.2")
def test_the_issue_history_is_for_issuing_roles_only(client: TestClient, tenant: Tenant) -> None:
    for role, status in ((Role.CLERK, 200), (Role.ADMINISTRATOR, 403), (Role.AUDITOR, 403)):
        response = client.get("/api/v1/certificates", headers=auth(client, tenant.login(role)))
        assert response.status_code == status, role
    bad = client.get(
        "/api/v1/certificates",
        params={"atena_number": "12"},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert bad.status_code == 422


def png(width: int, height: int, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.spec("5.5")
@pytest.mark.spec("5.6")
def test_an_administrator_sets_the_mayor_and_the_official_seal_for_the_next_copies(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    shown = client.get("/api/v1/admin/issuer", headers=admin)
    assert shown.status_code == 200, shown.text
    assert shown.json()["mayor_title"].endswith("長") and shown.json()["official_seal_width"] > 0
    changed = client.put(
        "/api/v1/admin/issuer",
        json={"mayor_title": "鹿児島県試験市長", "mayor_name": "山田　花子"},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["mayor_name"] == "山田　花子"
    seal = client.put(
        "/api/v1/admin/official-seal",
        content=png(300, 300, "JPEG"),
        headers={**admin, "Content-Type": "image/jpeg"},
    )
    assert seal.status_code == 200, seal.text
    assert (seal.json()["official_seal_width"], seal.json()["official_seal_height"]) == (300, 300)
    assert seal.json()["official_seal_sha256"] != shown.json()["official_seal_sha256"]

    pdf = client.post(
        "/api/v1/certificates",
        json={"atena_number": tenant.atena_numbers[0]},
        headers=auth(client, tenant.login(Role.CLERK)),
    )
    assert "鹿児島県試験市長山田花子" in squeezed(pdf.content, tmp_path)

    def refused(body: bytes, media: str = "image/png") -> list[str]:
        response = client.put(
            "/api/v1/admin/official-seal", content=body, headers={**admin, "Content-Type": media}
        )
        assert response.status_code == 422, response.text
        return error_codes(response)

    assert refused(b"not an image") == ["certificate.seal_image_invalid"]
    assert refused(png(300, 300, "GIF")) == ["certificate.seal_image_invalid"]
    assert refused(png(2100, 100)) == ["certificate.seal_image_too_large"]
    assert refused(png(300, 300), "application/json") == ["certificate.seal_image_invalid"]
    empty = client.put("/api/v1/admin/issuer", json={"mayor_title": " "}, headers=admin)
    assert error_codes(empty) == [
        "certificate.issuer_title_required",
        "certificate.issuer_name_required",
    ]
    long = client.put(
        "/api/v1/admin/issuer",
        json={"mayor_title": "鹿児島県" + "長" * 37, "mayor_name": "山田"},
        headers=admin,
    )
    assert error_codes(long) == ["certificate.issuer_too_long"]
    assert client.get("/api/v1/admin/issuer", headers=admin).json() == seal.json()  # unchanged

    clerk = auth(client, tenant.login(Role.CLERK))
    assert client.get("/api/v1/admin/issuer", headers=clerk).status_code == 403
    denied = client.put(
        "/api/v1/admin/issuer", json={"mayor_title": "市長", "mayor_name": ""}, headers=clerk
    )
    assert denied.status_code == 403 and error_codes(denied) == ["auth.forbidden"]
    denied_seal = client.put(
        "/api/v1/admin/official-seal",
        content=png(300, 300),
        headers={**clerk, "Content-Type": "image/png"},
    )
    assert denied_seal.status_code == 403
    auditor = Actor(tenant.login(Role.AUDITOR), tenant.code, frozenset({Role.AUDITOR}))
    logged = app.access_log.search(auditor, AccessSearch(operation=Operation.CHANGE_SETTINGS))
    assert sorted(e.target for e in logged if e.outcome == "ok") == [
        "certificate_issuer",  # naming the mayor before the test (``named_certifier``)
        "certificate_issuer",
        "official_seal",
    ]


@pytest.mark.spec("1.3.8")
def test_a_copy_issued_by_mistake_is_disposed_of_and_no_longer_verifies(
    app: App, client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    clerk = auth(client, tenant.login(Role.CLERK))
    first = client.post(
        "/api/v1/certificates", json={"atena_number": tenant.atena_numbers[0]}, headers=clerk
    )
    code = first.headers["x-jichitai-issue-code"]

    def dispose(headers: dict[str, str], reason: str = "対象者の誤り", at: str = code) -> Any:
        return client.post(
            f"/api/v1/certificates/{at}/dispose", json={"reason": reason}, headers=headers
        )

    assert error_codes(dispose(clerk, reason="  ")) == ["certificate.reason_required"]
    auditor = dispose(auth(client, tenant.login(Role.AUDITOR)))
    assert auditor.status_code == 403
    elsewhere = dispose(auth(client, other.login(Role.CLERK)))
    assert elsewhere.status_code == 404 and error_codes(elsewhere) == ["certificate.not_found"]
    assert client.get(f"/verify/{code}").json()["disposed_on"] is None

    done = dispose(clerk)
    assert done.status_code == 200, done.text
    assert done.json()["issue_code"] == code
    assert done.json()["disposal"]["reason"] == "対象者の誤り"
    assert done.json()["disposal"]["disposed_by"] == tenant.login(Role.CLERK)
    assert client.get(f"/verify/{code}").json()["disposed_on"] == TODAY.isoformat()
    checked = client.post(
        "/verify", content=first.content, headers={"Content-Type": "application/pdf"}
    )
    assert checked.json()["valid"] is False and checked.json()["checks"]["not_disposed"] is False
    assert any("処分" in p for p in checked.json()["problems"])

    twice = dispose(clerk)
    assert twice.status_code == 409 and error_codes(twice) == ["certificate.already_disposed"]
    again = reissue(client, tenant, code, Role.CLERK)
    assert again.status_code == 422 and error_codes(again) == ["certificate.disposed"]
    listed = next(e for e in history(client, tenant) if e["issue_code"] == code)
    assert listed["disposal"]["reason"] == "対象者の誤り"
    logged = app.access_log.search(
        Actor(tenant.login(Role.AUDITOR), tenant.code, frozenset({Role.AUDITOR})),
        AccessSearch(operation=Operation.DISPOSE_CERTIFICATE),
    )
    assert [(e.target, e.detail) for e in logged] == [(f"certificate:{code}", "対象者の誤り")]


def images_in(pdf: bytes, tmp_path: Path) -> set[str]:
    """The sizes ("width height") of the images ``pdfimages -list`` finds (a seal, its mask)."""
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return {" ".join(line.split()[3:5]) for line in listed}


@pytest.mark.spec("1.3.7")
@pytest.mark.spec("1.3.9")
@pytest.mark.spec("5.6")
def test_the_deputy_certifies_during_the_period_and_a_copy_may_leave_the_seal_off(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))
    clerk = auth(client, tenant.login(Role.CLERK))

    def issued(**body: Any) -> Any:
        answer = client.post(
            "/api/v1/certificates",
            json={"atena_number": tenant.atena_numbers[0], **body},
            headers=clerk,
        )
        assert answer.status_code == 201, answer.text
        return answer

    no_deputy = client.post(
        "/api/v1/certificates",
        json={"atena_number": tenant.atena_numbers[0], "certifier": "deputy"},
        headers=clerk,
    )
    assert no_deputy.status_code == 422 and error_codes(no_deputy) == ["certificate.no_deputy"]
    settings = {
        "mayor_title": "鹿児島県試験市長",
        "mayor_name": "山田　花子",
        "deputy": {
            "title": "鹿児島県試験市長職務代理者　鹿児島県試験市副市長",
            "name": "佐藤　次郎",
            "starts_on": (TODAY - timedelta(days=1)).isoformat(),
            "ends_on": (TODAY + timedelta(days=6)).isoformat(),
        },
        "fixed_phrase": "この印は黒色です",
    }
    changed = client.put("/api/v1/admin/issuer", json=settings, headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["deputy"] == settings["deputy"]
    assert changed.json()["fixed_phrase"] == "この印は黒色です"

    acting = squeezed(issued().content, tmp_path)  # today is inside the period
    assert (
        "鹿児島県試験市長職務代理者鹿児島県試験市副市長佐藤次郎" in acting
        and "山田花子" not in acting
    )
    assert "この印は黒色です" in acting
    mayor = squeezed(issued(certifier="mayor").content, tmp_path)
    assert "鹿児島県試験市長山田花子" in mayor and "佐藤次郎" not in mayor
    sealed = issued(certifier="mayor")
    unsealed = issued(certifier="mayor", official_seal=False)
    assert "公印省略" in squeezed(unsealed.content, tmp_path)
    assert "この印は黒色です" not in squeezed(unsealed.content, tmp_path)
    assert (
        len(images_in(unsealed.content, tmp_path)) == len(images_in(sealed.content, tmp_path)) - 1
    )

    own = client.put(
        "/api/v1/admin/deputy-seal",
        content=png(120, 120),
        headers={**admin, "Content-Type": "image/png"},
    )
    assert own.status_code == 200, own.text
    assert own.json()["deputy_seal_sha256"]
    assert own.json()["official_seal_sha256"] == changed.json()["official_seal_sha256"]
    assert images_in(issued().content, tmp_path) == {"120 120"}  # the deputy's own seal
    assert images_in(issued(certifier="mayor").content, tmp_path) == {"300 300"}

    bad = client.put(
        "/api/v1/admin/issuer",
        json={**settings, "deputy": {**settings["deputy"], "ends_on": "2026-01-01"}},
        headers=admin,
    )
    assert error_codes(bad) == ["certificate.deputy_period_invalid"]
    cleared = client.put(
        "/api/v1/admin/issuer",
        json={"mayor_title": "鹿児島県試験市長", "mayor_name": "山田　花子"},
        headers=admin,
    )
    assert cleared.json()["deputy"] is None
    assert "試験市長" in squeezed(issued().content, tmp_path)


@pytest.mark.spec("5.8")
def test_a_character_the_font_lacks_is_alerted_listed_and_printed_blank_when_so_set(
    app: App, client: TestClient, tenant: Tenant, tmp_path: Path
) -> None:
    rare = "\U00030000田"  # CJK Extension G: not in IPAmj明朝
    moved = app.register.record_change(tenant.code, a_move_in(9, rare, "ヨシダ"))
    person = moved.atena_numbers[0]
    clerk = auth(client, tenant.login(Role.CLERK))
    admin = auth(client, tenant.login(Role.ADMINISTRATOR))

    def issued() -> Any:
        answer = client.post("/api/v1/certificates", json={"atena_number": person}, headers=clerk)
        assert answer.status_code == 201, answer.text
        return answer

    plain = issued()
    assert plain.headers["x-jichitai-overflows"] == "1"
    issued_other = client.post(
        "/api/v1/certificates", json={"atena_number": tenant.atena_numbers[0]}, headers=clerk
    )
    assert issued_other.headers["x-jichitai-overflows"] == "0"
    listed = client.get("/api/v1/certificates/overflows", headers=clerk).json()
    assert listed["issued_on"] == TODAY.isoformat() and listed["count"] == 1
    (entry,) = listed["overflows"]
    assert entry["issue_code"] == plain.headers["x-jichitai-issue-code"]
    assert (entry["sheet"], entry["label"], entry["reason"]) == (1, "氏名", "gaiji")
    assert entry["value"].startswith(rare) and entry["reason_label"] == "未登録外字"
    assert "田" in squeezed(plain.content, tmp_path)  # printed as far as it goes

    settings = {
        "mayor_title": "鹿児島県試験市長",
        "mayor_name": "山田　花子",
        "blank_overflow": True,
    }
    assert client.put("/api/v1/admin/issuer", json=settings, headers=admin).json()["blank_overflow"]
    blank = issued()
    text = squeezed(blank.content, tmp_path)
    assert "氏名生年月日" in text  # the label stays, its value is left blank
    checked = client.post(
        "/verify", content=blank.content, headers={"Content-Type": "application/pdf"}
    )
    assert checked.json()["valid"] is True  # what is printed is what the code signs
    assert client.get("/api/v1/certificates/overflows", headers=clerk).json()["count"] == 2
    auditor = client.get(
        "/api/v1/certificates/overflows", headers=auth(client, tenant.login(Role.AUDITOR))
    )
    assert auditor.status_code == 403
