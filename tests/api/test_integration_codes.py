"""What a vendor needs to read the integration payloads and open the extract: the code tables and
meanings (``/integration/v1/codes``), and the CSV extract in cp932 or with a BOM, with its 外字.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jichitai.bootstrap import App
from jichitai.domain.integration.subscribers import SUPPORT_ITEM
from jichitai.domain.residents.change_types import CHANGE_TYPES
from jichitai.domain.residents.reasons import ChangeReason, ReasonGroup
from jichitai.domain.residents.view import ChangeKind
from tests.api.conftest import Tenant, a_move_in, error_codes
from tests.api.test_integration_api import ITEMS, a_birth, feed, key, subscribe

pytestmark = pytest.mark.spec("7.2.3")

LAYOUT_DIR = Path(__file__).parents[2] / "src" / "jichitai" / "layouts" / "juki"
DOC = Path(__file__).parents[2] / "docs" / "integration.md"
RARE = "𠮷"  # U+20BB7: not in cp932


def codes(client: TestClient, headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    response = client.get("/integration/v1/codes", headers=headers)
    assert response.status_code == 200, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    return body


def test_codes_list_every_code_of_every_layout_table_and_every_feed_value(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    assert client.get("/integration/v1/codes").status_code == 401
    credentials = subscribe(app, tenant.code)
    response = client.get("/integration/v1/codes", headers=key(credentials))
    body = response.json()
    assert response.headers["etag"] == f'"{body["version"]}"'
    tables = body["tables"]

    # every table of the layout, read here from its CSV files, code by code
    layout = tomllib.loads((LAYOUT_DIR / "1.0.toml").read_text(encoding="utf-8"))
    assert body["layout_version"] == layout["version"]
    for name, file_name in layout["code_tables"].items():
        with (LAYOUT_DIR / file_name).open(encoding="utf-8", newline="") as f:
            expected = [
                {"code": r["コード"], "value": r["値"], "label": r["名称"]}
                for r in csv.DictReader(f)
            ]
        assert tables[name] == expected, name
    for name in ("住民状態", "異動事由", "性別", "続柄", "住民種別"):
        assert tables[name], name
    assert {"code": "1", "value": "resident", "label": "住民"} in tables["住民状態"]

    # every kind a change type (or a migration) records, every reason and reason group
    # and the entries that are no 異動 (took_effect, protection) with their reasons
    kinds = {e["code"]: e["label"] for e in tables["kind"]}
    assert set(kinds) == {k.value for k in ChangeKind} | {"took_effect", "protection"}
    for change_type in CHANGE_TYPES:
        assert kinds[change_type.kind.value] == change_type.label
    assert all(kinds.values())
    reasons = {e["code"]: (e["label"], e["group"]) for e in tables["reason"]}
    assert reasons == {r.value: (r.label, r.group.value) for r in ChangeReason} | {
        "protection_set": ("提供停止・支援措置の開始", "protection"),
        "protection_lifted": ("提供停止・支援措置の解除", "protection"),
    }
    layout_reasons = {e["value"]: e["code"] for e in tables["異動事由"]}
    assert all(e["layout_code"] == layout_reasons.get(e["code"], "") for e in tables["reason"])
    assert {e["layout_code"] for e in tables["reason"] if e["group"] == "protection"} == {""}
    assert {e["code"]: e["label"] for e in tables["reason_group"]} == {
        g.value: g.label for g in ReasonGroup
    } | {"protection": "提供停止・支援措置（異動ではない）"}

    # every item's code table is served
    assert {i["table"] for i in body["items"] if i["table"]} <= set(tables)
    assert {f["table"] for f in body["feed_fields"] if f["table"]} <= set(tables)

    # a client that has this version is told so
    unchanged = client.get(
        "/integration/v1/codes",
        headers={**key(credentials), "If-None-Match": response.headers["etag"]},
    )
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert client.get("/integration/v1/codes", headers=key(credentials)).json() == body


def documented_names() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.MULTILINE))


def test_every_field_and_item_a_feed_or_extract_carries_is_served_and_documented(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    catalogue = codes(client, key(subscribe(app, tenant.code)))
    all_items = [i["name"] for i in catalogue["items"]]
    everything = subscribe(app, tenant.code, all_items, my_number=True)
    app.register.record_change(tenant.code, a_birth(tenant))
    changes = feed(client, everything)["changes"]
    extract = client.get("/integration/v1/extract", headers=key(everything))
    records = [json.loads(line) for line in extract.text.splitlines()]
    emitted_items = {name for r in records for name in r} | {
        name for c in changes for r in c["records"] for name in r
    }
    emitted_fields = {name for c in changes for name in c}

    assert SUPPORT_ITEM in emitted_items and "個人番号" in emitted_items
    assert emitted_items == set(all_items)
    assert emitted_fields == {f["name"] for f in catalogue["feed_fields"]}
    documented = documented_names()
    assert emitted_items - documented == set()
    assert emitted_fields - documented == set()
    for table in catalogue["tables"]:
        assert f"`{table}`" in DOC.read_text(encoding="utf-8"), table


def test_the_csv_extract_in_cp932_writes_a_rare_character_as_its_reference_and_counts_it(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    app.register.record_change(tenant.code, a_move_in(8, surname=f"{RARE}田", kana="ヨシダ"))
    credentials = subscribe(app, tenant.code)
    default = client.get(
        "/integration/v1/extract", params={"format": "csv"}, headers=key(credentials)
    )
    assert default.headers["content-type"] == "text/csv; charset=utf-8"
    assert not default.content.startswith(b"\xef\xbb\xbf")
    assert f"{RARE}田" in default.content.decode("utf-8")

    response = client.get(
        "/integration/v1/extract",
        params={"format": "csv", "encoding": "cp932"},
        headers=key(credentials),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=Windows-31J"
    text = response.content.decode("cp932")  # every byte is cp932
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][:3] == ["宛名番号", "世帯番号", "住民状態"]
    yoshida = [r for r in rows if r[3] == "&#x20BB7;田"]
    assert len(yoshida) == 2  # the couple
    assert [r for r in rows if r[3] == "高橋"]  # what cp932 carries is written as is

    report = client.get("/integration/v1/extract/gaiji", headers=key(credentials))
    assert report.status_code == 200
    assert report.headers["x-jichitai-gaiji-count"] == "2"
    assert report.headers["x-jichitai-feed-cursor"] == response.headers["x-jichitai-feed-cursor"]
    lines = list(csv.DictReader(io.StringIO(report.content.decode("utf-8"), newline="")))
    assert [(r["宛名番号"], r["項目"], r["文字"], r["符号位置"], r["外字可"]) for r in lines] == [
        (r[0], "氏_日本人", RARE, "U+20BB7", "1") for r in yoshida
    ]
    assert [int(r["行"]) for r in lines] == [rows.index(r) + 1 for r in yoshida]


def test_bom_true_puts_the_bom_before_the_utf8_csv(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    credentials = subscribe(app, tenant.code)
    response = client.get(
        "/integration/v1/extract",
        params={"format": "csv", "bom": "true"},
        headers=key(credentials),
    )
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf\xe5\xae\x9b")  # BOM, then 「宛」
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0][:2] == ["宛名番号", "世帯番号"] and len(rows) == 3
    assert set(rows[0]) == {"宛名番号", "世帯番号", *ITEMS}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"format": "csv", "encoding": "shift_jis"}, "integration.encoding_unknown"),
        ({"format": "csv", "encoding": "utf-16"}, "integration.encoding_unknown"),
        ({"format": "ndjson", "encoding": "cp932"}, "integration.encoding_csv_only"),
        ({"format": "csv", "encoding": "cp932", "bom": "true"}, "integration.bom_utf8_csv_only"),
        ({"bom": "true"}, "integration.bom_utf8_csv_only"),
    ],
)
def test_an_encoding_the_extract_cannot_be_written_in_is_refused_in_japanese(
    app: App, client: TestClient, tenant: Tenant, params: dict[str, str], code: str
) -> None:
    response = client.get(
        "/integration/v1/extract", params=params, headers=key(subscribe(app, tenant.code))
    )
    assert response.status_code == 422
    assert error_codes(response) == [code]
    message = response.json()["errors"][0]["message"]
    assert re.search(r"[ぁ-んァ-ン一-龥]", message), message
