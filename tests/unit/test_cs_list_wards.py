"""The 行政区 a printed CS list of a 指定都市 is split by (standard §7.1.1.1: 指定都市においては、
一覧表は行政区単位で分割できること), read from the address."""

from __future__ import annotations

import pytest

from jichitai.domain.national.cs_lists import ward_of

pytestmark = pytest.mark.spec("7.1.1.1")


@pytest.mark.parametrize(
    ("address", "ward"),
    [
        ("大阪府大阪市北区梅田一丁目1番1号", "北区"),
        ("神奈川県横浜市港北区日吉本町一丁目", "港北区"),
        ("北海道札幌市中央区北一条西二丁目", "中央区"),
        ("京都府京都市左京区", "左京区"),
        ("大阪市中央区本町", "中央区"),
        ("東京都千代田区霞が関一丁目", ""),  # a 特別区 is a municipality, not a ward
        ("千葉県市川市八幡", ""),
        ("東京都府中市宮西町", ""),
        ("大阪府大阪市", ""),
        ("", ""),
    ],
)
def test_the_ward_is_the_ku_after_the_city(address: str, ward: str) -> None:
    assert ward_of(address) == ward
