"""住基ネット統一文字 (standard §7.1.1.1 (1090)): names converted for the CS by the table kept as
data, every character the table cannot convert listed, none dropped."""

from __future__ import annotations

import pytest

from jichitai.adapters.unified_chars_file import bundled_table
from jichitai.domain.national.unified_chars import (
    TableError,
    in_base_set,
    parse_table,
    to_unified,
)

pytestmark = pytest.mark.spec("7.1.1.1")


def test_the_seed_table_converts_the_common_itaiji() -> None:
    table = bundled_table()
    assert len(table) >= 5
    for held, sent in [
        ("髙橋　一郎", "高橋　一郎"),
        ("山\ufa11　花子", "山崎　花子"),
        ("德川　家康", "徳川　家康"),
        ("大\ufa10　明", "大塚　明"),
        ("\U00020bb7田　太郎", "吉田　太郎"),
    ]:
        conversion = to_unified(held, table)
        assert (conversion.text, conversion.unconvertible) == (sent, ())
        assert len(conversion.converted) == 1
    assert to_unified("鈴木　一郎", table).converted == ()  # inside the set: as it is


def test_a_character_the_table_cannot_convert_is_listed_and_kept_in_place() -> None:
    conversion = to_unified("\U0002000b野　\u9dd7外", bundled_table())
    assert conversion.text == "\U0002000b野　\u9dd7外"  # nothing dropped
    assert conversion.unconvertible == ("\U0002000b", "\u9dd7")


def test_the_set_is_jis_x_0208_not_the_vendor_extensions() -> None:
    # cp932 has 髙 and 﨑 (IBM extensions): they are outside JIS X 0208, so outside the set.
    assert "髙".encode("cp932") and not in_base_set("髙") and not in_base_set("\ufa11")
    assert all(in_base_set(c) for c in "高崎ヤマダ　やまだABC123ー")
    assert not in_base_set("\n") and not in_base_set("\ue000")  # 外字 (private use)


def test_an_ivs_is_dropped_after_a_character_of_the_set_and_a_table_sequence_wins() -> None:
    table = parse_table("U+845B U+E0101\tU+845B\t葛 (IVS)\n")
    plain = to_unified("葛\U000e0100西", table)
    assert plain.text == "葛西" and plain.unconvertible == () and len(plain.converted) == 1
    assert to_unified("葛\U000e0101", table).text == "葛"
    lone = to_unified("\U0002000b\U000e0100", table)
    assert lone.unconvertible == ("\U0002000b", "\U000e0100")


@pytest.mark.parametrize(
    "text",
    ["9AD9\tU+9AD8", "U+9AD9", "U+ZZZZ\tU+9AD8", "U+9AD9\tU+9AD9"],
    ids=["no U+", "one column", "not hex", "target outside the set"],
)
def test_a_malformed_table_is_refused(text: str) -> None:
    with pytest.raises(TableError):
        parse_table(text)


def test_addresses_go_in_unified_characters_as_names_do() -> None:
    """The address, a 転入通知's former address and a 附票 notice's 本籍 are converted with the
    same table; a character none converts is listed once, the message held."""
    from jichitai.domain.national.cs_messages import CsMessage, unify

    body = {
        "name": "髙橋\u3000一郎",
        "address": "東京都千代田区\U00020bb7田一丁目",
        "former_address": "大阪府\U0002000b野市",
        "domicile": "京都府德川町\U0002000b",
        "name_kana": "タカハシ",
    }
    made = unify(CsMessage("転入通知情報", "", body), bundled_table())
    assert made.body["name"] == "高橋\u3000一郎"
    assert made.body["address"] == "東京都千代田区吉田一丁目"
    assert made.body["former_address"] == "大阪府\U0002000b野市"  # kept, never dropped
    assert made.body["domicile"] == "京都府徳川町\U0002000b"
    assert made.unconvertible == ("\U0002000b",)
