"""The counter and the API refuse the same texts outside change commands too.

The notes (備考) of a seal's loss or abolition were checked by length only, 200 at the counter
and 200 untrimmed in the API's schema, and by nothing else: a line separator or a bidirectional
override went into the seal journal through either door. Both now read them with the one rule of
the item (``SEAL_NOTES`` in ``domain/inbound/text.py``), which the seal service applies; a
differential property test types the same values into the counter's form and the API's body and
requires the same verdict, as ``test_inbound_doors.py`` does for the change commands.
"""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from tests.api.conftest import Tenant, auth
from tests.factories import a_seal
from tests.web.test_certificates_http import ref
from tests.web.test_changes_http import codes_at
from tests.web.test_counter_http import log_in

INTERESTING = "髙橋あアｱabc0１-'.,\u3000 <>=+@（）㈱♥😀\u202e\u200d\u2028\ufe00\ue000\x00\t\n、。"
values = st.one_of(
    st.text(alphabet=st.sampled_from(INTERESTING), max_size=8),
    st.sampled_from(
        [
            "運転免許証で本人確認",
            "あ" * 200,
            "あ" * 201,
            "　" + "あ" * 200 + "　",  # within the limit once trimmed, as every door trims
            "=1+2",
            "-",
            "@電話",
            "<b>備考</b>",
            "本人\r\n確認",
        ]
    ),
)


class Doors:
    """The counter logged in as a clerk, and the API with the same clerk's token."""

    def __init__(self, app: App, http: TestClient, tenant: Tenant) -> None:
        self.app, self.http, self.tenant = app, http, tenant
        self.csrf = log_in(http, tenant)
        self.headers = auth(http, tenant.login(Role.CLERK))
        self.clerk = Actor(tenant.login(Role.CLERK), tenant.code, frozenset({Role.CLERK}))
        self.person = tenant.atena_numbers[0]

    def registration(self) -> str:
        """The person's active registration, registered anew if the last one was ended."""
        found = self.app.seals.of_person(self.clerk, self.person).active
        if found is None:
            found = self.app.seals.register(self.clerk, self.person, a_seal(15.0))
        return found.registration_number

    def counter_refuses(self, notes: str) -> bool:
        self.registration()
        answer = self.http.post(
            f"/ui/seals/{ref(self.http, self.tenant, Role.CLERK)}/end",
            data={"csrf_token": self.csrf, "reason": "requested", "end_notes": notes},
        )
        assert answer.status_code in (200, 422), answer.text
        return answer.status_code == 422 and bool(codes_at(answer.text, "end_notes"))

    def api_refuses(self, notes: str) -> bool:
        answer = self.http.post(
            f"/api/v1/seals/{self.registration()}/end",
            json={"reason": "requested", "notes": notes},
            headers=self.headers,
        )
        assert answer.status_code in (200, 422), answer.text
        return answer.status_code == 422 and any(
            e["field"] == "notes" for e in answer.json()["errors"]
        )


@pytest.fixture
def doors(app: App, http: TestClient, tenant: Tenant) -> Doors:
    return Doors(app, http, tenant)


@pytest.mark.parametrize(
    ("notes", "code"),
    [
        ("本人\u2028確認", "input.control_character"),
        ("本人\u202e確認", "input.control_character"),
        ("=1+2", "input.formula"),
        ("<b>備考</b>", "input.angle_bracket"),
        ("あ" * 201, "seal.notes_too_long"),
    ],
)
def test_both_doors_refuse_the_notes_with_the_items_code(
    doors: Doors, notes: str, code: str
) -> None:
    assert doors.counter_refuses(notes)
    answer = doors.http.post(
        f"/api/v1/seals/{doors.registration()}/end",
        json={"reason": "requested", "notes": notes},
        headers=doors.headers,
    )
    assert answer.status_code == 422
    assert [(e["code"], e["field"]) for e in answer.json()["errors"]] == [(code, "notes")]


def test_both_doors_take_plain_notes_and_keep_them_trimmed(doors: Doors) -> None:
    assert not doors.counter_refuses("　運転免許証で本人確認 ")
    assert not doors.api_refuses("　運転免許証で本人確認 ")
    events = doors.app.seals.of_person(doors.clerk, doors.person).events
    assert [e.notes for e in events if e.notes] == ["運転免許証で本人確認"] * 2


@settings(
    max_examples=int(os.environ.get("JICHITAI_DOOR_EXAMPLES", "40")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(notes=values)
def test_the_counter_and_the_api_refuse_the_same_notes(doors: Doors, notes: str) -> None:
    assert doors.counter_refuses(notes) == doors.api_refuses(notes), notes
