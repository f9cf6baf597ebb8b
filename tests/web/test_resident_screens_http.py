"""The counter in process: what the search results and a resident's page show (issue 17,
"Screens"): 宛名番号, 続柄, age and status in the results, and a removed record headed 除票."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import Death
from jichitai.entrypoints.web.views import age_text
from tests.api.conftest import Tenant
from tests.factories import a_header
from tests.web.test_changes_http import ref_of
from tests.web.test_counter_http import log_in


def rows_of(html: str) -> list[list[str]]:
    """The results table's rows as the text of their cells."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        ]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def headers_of(html: str) -> list[str]:
    head = html[html.index("<thead>") : html.index("</thead>")]
    return re.findall(r'<th scope="col">([^<]+)</th>', head)


def test_search_results_show_the_atena_number_relationship_age_and_status(
    http: TestClient, tenant: Tenant
) -> None:
    csrf = log_in(http, tenant)
    found = http.post("/ui/search", data={"q": "タカハシ", "csrf_token": csrf})
    assert found.status_code == 200, found.text
    assert headers_of(found.text) == [
        "氏名", "フリガナ", "宛名番号", "生年月日", "年齢", "性別", "続柄", "住所", "状態", "注意",
    ]  # fmt: skip
    by_atena = {cells[2]: cells for cells in rows_of(found.text)}
    head, wife = tenant.atena_numbers
    # Today is 令和8年11月26日 (tests/fakes.py): born 昭和50年1月2日 and 昭和52年5月6日.
    assert by_atena[head][3:9] == [
        "昭和50年1月2日",
        "51歳",
        "男",
        "世帯主",
        by_atena[head][7],
        "住民",
    ]
    assert by_atena[wife][4] == "49歳" and by_atena[wife][6] == "妻"


def test_a_removed_record_is_headed_johyo_and_shows_its_age_at_death(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    head, wife = tenant.atena_numbers
    app.register.record_change(
        tenant.code,
        Death(
            header=a_header(),
            atena_number=AtenaNumber(wife),
            died_on=RecordDate.parse("令和8年11月20日"),
        ),
    )
    csrf = log_in(http, tenant)
    shown = http.get(f"/ui/residents/{ref_of(tenant, wife)}").text
    assert '<h2 id="record-title">除票</h2>' in shown
    assert "住民票（現在）" not in shown
    assert "この方は除票です（死亡" in shown

    living = http.get(f"/ui/residents/{ref_of(tenant, head)}").text
    assert '<h2 id="record-title">住民票（現在）</h2>' in living

    found = http.post(
        "/ui/search", data={"q": "タカハシ", "include_removed": "on", "csrf_token": csrf}
    )
    by_atena = {cells[2]: cells for cells in rows_of(found.text)}
    assert by_atena[wife][4] == "49歳（死亡時）"
    assert by_atena[wife][8] == "除票（死亡）"
    assert by_atena[head][8] == "住民"


def test_the_age_is_counted_as_the_law_counts_it_and_not_guessed_for_an_unknown_birth_date(
    tenant: Tenant, app: App
) -> None:
    record = app.queries.current(tenant.code, tenant.atena_numbers[0])
    assert age_text(record, date(2026, 1, 1)) == "51歳"  # born 昭和50年1月2日: a year on 1 January
    assert age_text(record, date(2025, 12, 31)) == "50歳"
    unknown = replace(record, birth_date=RecordDate.parse("昭和50年月日不詳"))
    assert age_text(unknown, date(2026, 11, 26)) == "—"


def test_a_removed_record_whose_household_has_no_one_left_is_shown(
    http: TestClient, tenant: Tenant, app: App
) -> None:
    for atena in tenant.atena_numbers:
        app.register.record_change(
            tenant.code,
            Death(
                header=a_header(),
                atena_number=AtenaNumber(atena),
                died_on=RecordDate.parse("令和8年11月20日"),
            ),
        )
    log_in(http, tenant)
    shown = http.get(f"/ui/residents/{ref_of(tenant, tenant.atena_numbers[0])}")
    assert shown.status_code == 200, shown.text
    assert '<h2 id="record-title">除票</h2>' in shown.text
    assert "世帯（0人）" in shown.text and "の世帯に住民はいません" in shown.text
