"""住基ネット共同利用 (standard §7.1.1.1 (1090)): the groups sharing one CS, read from the setting,
and which mailbox serves whom."""

from __future__ import annotations

import pytest

from jichitai.config import Settings, SettingsError
from jichitai.domain.national.shared_cs import addressee, group_of, mailboxes, parse_groups

pytestmark = pytest.mark.spec("7.1.1.1")


def test_groups_are_read_and_each_served_code_has_one_mailbox() -> None:
    groups = parse_groups(" 462012=462012, 463035 ;472018=472018")
    assert groups == (("462012", ("462012", "463035")), ("472018", ("472018",)))
    assert group_of("463035", groups) == "462012" and group_of("131016", groups) == "131016"
    assert mailboxes(["131016", "463035", "462012"], groups) == [
        ("131016", ("131016",)),
        ("462012", ("463035", "462012")),
    ]
    assert addressee("463035", ("463035", "462012")) == "463035"
    assert addressee("472018", ("463035", "462012")) is None
    assert parse_groups("") == ()


@pytest.mark.parametrize(
    "text",
    ["462012", "462012=", "46201=462012", "462012=46301x", "1=462012;2=462012", "a=b=c"],
)
def test_a_malformed_setting_stops_the_start_with_the_fault(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match=r"(共同利用|地方公共団体コード|二つの)"):
        parse_groups(text)
    monkeypatch.setenv("JICHITAI_CS_SHARED", text)
    with pytest.raises(SettingsError, match="JICHITAI_CS_SHARED"):
        Settings.from_environment()
