"""End-to-end: a mixed family (a Japanese husband, his foreign wife known by a 通称, and their
foreign child) moves from 千代田区 (131016) to 大阪市 (271004) with 特例転出 and 特例転入 through
the stand-in CS, as ``test_cs_special_move.py`` does for a Japanese family: 住基法24条の2 applies to
外国人住民 too. The 転出証明書情報 carries the 30条の45 items (§4.1.3.0.4 (670)); B's clerk starts
the 転入 from it with `jichitai cs move-in` (§4.1.1.3 (610)); the persons appear at B with the
same items; the 転入通知 goes back to A; and B's 転入 writes the 市町村通知 to 出入国在留管理庁
as a normal foreign 転入 does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.test_cs_special_move import (
    TODAY,
    A,
    B,
    Deployment,
    approved,
    deployment,
    inbox,
    member,
    recorded,
    work,
)

__all__ = ["deployment"]  # the fixture, shared with the Japanese family's journey


def foreign(given: str, kana: str, roman: str, born: str, sex: str, rel: str, **items: Any) -> Any:
    return {
        "kind": "foreign",
        "name": {
            "family": "王",
            "given": given,
            "family_kana": "ワン",
            "given_kana": kana,
            "roman": roman,
        },
        "birth_date": {"kind": "calendar", "date": born},
        "sex": sex,
        "relationship": rel,
        "foreign": {
            "nationality": "中国",
            "category": "mid_to_long_term",
            "became_foreign_resident_on": {"kind": "calendar", "date": "2020-04-01"},
            "residence_status": "家族滞在",
            "period_of_stay": "3年",
            "stay_expires_on": (TODAY + timedelta(days=700)).isoformat(),
            **items,
        },
    }


@pytest.mark.spec("4.1.1.3", "4.1.3.0.4", "4.1.3.1.2", "4.5.7")
def test_a_mixed_family_with_foreign_members_moves_by_special_move_in(
    deployment: Deployment,
) -> None:
    d, cli = deployment, deployment.cli
    arrived = recorded(
        d,
        "a",
        {
            "type": "MoveIn",
            "header": {
                "effective_on": (TODAY - timedelta(days=10)).isoformat(),
                "filed_on": TODAY.isoformat(),
            },
            "address": {
                "prefecture": "東京都",
                "city": "千代田区",
                "town_area": "霞が関",
                "lot_text": "一丁目2番3号",
            },
            "previous_address": {"prefecture": "神奈川県", "city": "横浜市中区"},
            "members": [
                member("一郎", "イチロウ", "1980-04-01", "male", "世帯主"),
                foreign(
                    "美玲",
                    "メイリン",
                    "WANG MEILING",
                    "1985-07-07",
                    "female",
                    "妻",
                    residence_card_number="AB12345678CD",
                    aliases=[
                        {
                            "name": {
                                "family": "特例",
                                "given": "美玲",
                                "family_kana": "トクレイ",
                                "given_kana": "ミレイ",
                            },
                            "entered_on": (TODAY - timedelta(days=10)).isoformat(),
                            "entered_in": "東京都千代田区",
                        }
                    ],
                ),
                foreign(
                    "小龍",
                    "シャオロン",
                    "WANG XIAOLONG",
                    "2016-02-03",
                    "male",
                    "子",
                    residence_card_number="EF87654321GH",
                ),
            ],
        },
    )
    family = arrived["atena_numbers"]
    at_a = [cli.ok("resident", "show", "-m", A, atena) for atena in family]
    codes = [p["resident_code"] for p in at_a]
    assert all(codes) and at_a[1]["foreign"]["alias"] == "特例　美玲"

    # A: 特例転出; the 転出証明書情報 of the foreign members carry their 30条の45 items.
    recorded(
        d,
        "a",
        {
            "type": "MoveOut",
            "header": {"effective_on": TODAY.isoformat(), "filed_on": TODAY.isoformat()},
            "atena_numbers": family,
            "planned_on": TODAY.isoformat(),
            "onward_address": {
                "prefecture": "大阪府",
                "city": "大阪市北区",
                "town_area": "梅田",
                "lot_text": "一丁目1番1号",
            },
            "special": True,
        },
    )
    out = work(cli)
    assert "cs received 3" in out
    assert [(r["kind"], r["status"]) for r in inbox(cli, B)] == [("転出証明書情報", "new")] * 3

    # B: the clerk starts the 特例転入 from the CLI; a reviewer approves.
    started = cli.ok("cs", "move-in", "-m", B, *(x for c in codes for x in ("-r", c)))
    moved_in = approved(
        d,
        "b",
        {
            "draft": {"draft_id": started["draft_id"]},
            "alerts": [{"code": c} for c in started["alerts"]],
        },
    )
    at_b = [cli.ok("resident", "show", "-m", B, atena) for atena in moved_in["atena_numbers"]]
    assert [p["resident_code"] for p in at_b] == codes
    assert [p["kind"] for p in at_b] == [p["kind"] for p in at_a]
    assert at_b[0].get("foreign") is None
    for there, here in zip(at_a[1:], at_b[1:], strict=True):
        assert here["foreign"] == there["foreign"], (there["foreign"], here["foreign"])
        assert here["name"] == there["name"]
    assert at_b[1]["foreign"]["residence_card_number"] == "AB12345678CD"

    # B's 転入 writes the 市町村通知 of each foreign member to 出入国在留管理庁, and the
    # 転入通知情報 back to A, which takes them in.
    messages = cli.ok("cs", "list", "-m", B)["messages"]
    immigration = [m for m in messages if m["kind"] == "市町村通知"]
    assert len(immigration) == 2, messages
    out = work(cli)
    assert "cs received 3, taken in 3, unmatched 0" in out
    for atena in family:
        assert cli.ok("resident", "show", "-m", A, atena)["move_out"]["notice_on"]
