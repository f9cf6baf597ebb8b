"""The counter's seal-registration page below the browser: the upload of the impression and its
errors next to the field, 亡失・廃止 with a 和暦 or 西暦 date, the image, and who may see it."""

from __future__ import annotations

import io
import re
from datetime import date

from fastapi.testclient import TestClient
from PIL import Image

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant
from tests.factories import a_seal
from tests.web.test_certificates_http import codes, messages_of, ref
from tests.web.test_counter_http import log_in


def clerk(tenant: Tenant) -> Actor:
    return Actor(tenant.login(Role.CLERK), tenant.code, frozenset({Role.CLERK}))


def upload(
    http: TestClient, csrf: str, person: str, image: bytes, **fields: str
) -> tuple[int, str]:
    answer = http.post(
        f"/ui/seals/{person}/register",
        data={"csrf_token": csrf, **fields},
        files={"image": ("seal.png", image, "image/png")},
    )
    return answer.status_code, answer.text


def no_dpi_seal() -> bytes:
    with Image.open(io.BytesIO(a_seal(15.0))) as image:
        out = io.BytesIO()
        image.save(out, format="PNG")  # saved without its resolution
    return out.getvalue()


def test_a_clerk_registers_a_seal_by_uploading_its_impression(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    page = http.get(f"/ui/seals/{person}")
    assert page.status_code == 200 and "登録中の印鑑はありません" in page.text
    assert 'enctype="multipart/form-data"' in page.text

    status, text = upload(http, csrf, person, a_seal(15.0), notes="運転免許証で本人確認")
    assert status == 200, text
    active = app.seals.of_person(clerk(tenant), tenant.atena_numbers[0]).active
    assert active is not None
    number = active.registration_number
    assert f"登録番号（印鑑登録証の番号）は {number} です" in text
    assert f'src="/ui/seals/images/{number}"' in text
    assert "運転免許証で本人確認" in text  # the event's notes
    assert 'action="/ui/seals/' in text and "/end" in text  # now it can be ended

    image = http.get(f"/ui/seals/images/{number}")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.headers["cache-control"] == "no-store"
    assert image.content.startswith(b"\x89PNG")


def test_a_bad_upload_is_told_next_to_the_field_and_nothing_is_registered(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    cases = {
        "seal.image_invalid": b"%PDF-1.7 not an image",
        "seal.image_resolution_missing": no_dpi_seal(),
    }
    for code, image in cases.items():
        status, text = upload(http, csrf, person, image)
        assert (status, codes(text)) == (422, [code])
        assert 'id="image" name="image" type="file"' in text
        assert re.search(r'id="image"[^>]*aria-invalid="true"', text)
        assert messages_of(text, "image").strip()

    status, text = upload(http, csrf, person, a_seal(30.0, dpi=200), notes="大きい印鑑")
    assert (status, codes(text)) == (422, ["seal.size", "seal.size"])
    told = messages_of(text, "image")
    assert "印影の幅が" in told and "印影の高さが" in told and "mm" in told
    assert 'value="大きい印鑑"' in text  # what was typed stays

    status, text = upload(http, csrf, person, a_seal(15.0), adult_ward="on")
    assert status == 422
    assert "法定代理人が同行する場合に限り" in messages_of(text, "representative_present")

    empty = http.post(
        f"/ui/seals/{person}/register",
        data={"csrf_token": csrf},
        files={"image": ("", b"", "application/octet-stream")},
    )
    assert codes(empty.text) == ["seal.image_required"]
    assert app.seals.of_person(clerk(tenant), tenant.atena_numbers[0]).registrations == ()

    adult_ward = upload(
        http, csrf, person, a_seal(15.0), adult_ward="on", representative_present="on"
    )
    assert adult_ward[0] == 200


def test_loss_or_abolition_is_recorded_with_a_japanese_or_western_date(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    registration = app.seals.register(clerk(tenant), tenant.atena_numbers[0], a_seal(15.0))
    csrf = log_in(http, tenant)
    person = ref(http, tenant, Role.CLERK)
    url = f"/ui/seals/{person}/end"

    nothing = http.post(url, data={"csrf_token": csrf, "on": "あした"})
    assert nothing.status_code == 422
    assert "亡失か廃止かを選択してください" in messages_of(nothing.text, "reason")
    assert "年月日の形式が正しくありません" in messages_of(nothing.text, "on")
    future = http.post(url, data={"csrf_token": csrf, "reason": "card_lost", "on": "R8.12.1"})
    assert codes(future.text) == ["seal.future_date"]
    assert 'value="R8.12.1"' in future.text
    assert app.seals.of_person(clerk(tenant), tenant.atena_numbers[0]).active is not None

    lost = http.post(url, data={"csrf_token": csrf, "reason": "card_lost", "on": "令和8年11月26日"})
    assert lost.status_code == 200, lost.text
    assert f"登録番号 {registration.registration_number} の亡失" in lost.text
    found = app.seals.of_person(clerk(tenant), tenant.atena_numbers[0])
    assert found.active is None
    assert found.registrations[0].ended_on == date(2026, 11, 26)
    assert [e.label for e in found.events] == ["印鑑登録", "亡失"]
    assert "登録中の印鑑はありません" in lost.text and "/register" in lost.text

    again = http.post(url, data={"csrf_token": csrf, "reason": "requested", "on": "2026-11-26"})
    assert again.status_code == 422 and codes(again.text) == ["seal.not_active"]


def test_a_protected_persons_seal_is_shown_after_confirming_and_not_to_other_roles(
    app: App, http: TestClient, tenant: Tenant
) -> None:
    number = app.seals.register(
        clerk(tenant), tenant.atena_numbers[1], a_seal(15.0)
    ).registration_number
    app.suppressions.set(
        Actor(tenant.login(Role.DV_OFFICER), tenant.code, frozenset({Role.DV_OFFICER})),
        kind="dv_support",
        atena_number=tenant.atena_numbers[1],
        starts_on=date(2026, 11, 1),
        reason="支援措置申出",
    )
    csrf = log_in(http, tenant)
    spouse = ref(http, tenant, Role.CLERK, 1)
    asked = http.get(f"/ui/seals/{spouse}")
    assert asked.status_code == 409 and 'value="dv_support.notice"' in asked.text
    shown = http.post(
        f"/ui/seals/{spouse}", data={"csrf_token": csrf, "view_ack": "dv_support.notice"}
    )
    assert shown.status_code == 200
    assert number in shown.text
    assert 'src="data:image/png;base64,' in shown.text  # no confirmation travels in an img URL

    http.post("/ui/logout", data={"csrf_token": csrf})
    log_in(http, tenant, Role.AUDITOR)
    for answer in (
        http.get(f"/ui/seals/{ref(http, tenant, Role.AUDITOR)}"),
        http.get(f"/ui/seals/images/{number}"),
    ):
        assert answer.status_code == 403 and "この操作は行えません" in answer.text
