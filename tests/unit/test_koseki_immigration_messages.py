"""The 本籍地 read from a 本籍 (the destination of a 戸籍附票記載事項通知, standard §7.2.4)."""

from __future__ import annotations

import pytest

from jichitai.domain.national.koseki_immigration import domicile_municipality


@pytest.mark.spec("7.2.4")
@pytest.mark.parametrize(
    ("domicile", "municipality"),
    [
        ("東京都千代田区霞が関一丁目2番", "東京都千代田区"),
        ("東京都新宿区市谷本村町5番", "東京都新宿区"),
        ("大阪府大阪市北区中之島一丁目1番", "大阪府大阪市北区"),
        ("新潟県十日町市千歳町3丁目3番地", "新潟県十日町市"),
        ("東京都東村山市本町一丁目2番地", "東京都東村山市"),
        ("三重県四日市市諏訪町1番5号", "三重県四日市市"),
        ("東京都西多摩郡瑞穂町大字箱根ケ崎2335番地", "東京都西多摩郡瑞穂町"),
        ("東京都町田市森野二丁目2番", "東京都町田市"),
        ("霞が関一丁目2番", ""),
        ("不明", ""),
    ],
)
def test_the_domicile_municipality_is_read_from_the_domicile(
    domicile: str, municipality: str
) -> None:
    assert domicile_municipality(domicile) == municipality
