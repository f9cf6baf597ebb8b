"""`jichitai address import`: the demo's 町字 master for 千代田区 is loaded whole, and a file
with a bad row is refused with the code, Japanese message and line, writing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

DEMO_MASTER = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "jichitai"
    / "layouts"
    / "town_areas"
    / "131016.csv"
)
HEADER = "町字id,町字区分コード,大字・町名,丁目名,小字名,住居表示フラグ,効力発生日,廃止日,郵便番号"

pytestmark = [pytest.mark.spec("1.3.3")]


def test_the_demo_master_is_loaded_and_a_bad_file_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", "131016", "東京都千代田区")
    loaded = cli.ok("address", "import", "--municipality", "131016", str(DEMO_MASTER))
    assert loaded["town_areas"] == loaded["in_force"] > 50
    assert loaded["replaced"] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{HEADER}\n0001000,1,千代田,,,0,,,100-0001\n0002001,2,霞が関,一丁目,,0,2020-02-30,,\n",
        encoding="utf-8",
    )
    (error,) = cli.refused("address", "import", "--municipality", "131016", str(bad))
    assert (error["code"], error["line"], error["field"]) == ("town_area.date", 3, "効力発生日")
    assert "3行目" in error["message"]
    again = cli.ok("address", "import", "--municipality", "131016", str(DEMO_MASTER))
    assert again["replaced"] == loaded["town_areas"]  # the refused file wrote nothing
