"""The 住民異動届 drawn as PDF and read back as anyone would (pdftotext, pdfinfo, pdffonts): names
in IPAmj明朝 exactly as recorded (𠮷, 髙, variant sequences), long values wrapped rather than
cut, many persons running on to further pages with the signature box on the last one only."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

from jichitai.adapters.pdf.application_form import render_application_form
from jichitai.adapters.pdf.fonts import MJ_FONT_NAME
from jichitai.services.application_forms import ApplicationForm, FormPerson

RARE_NAMES = ("𠮷田　一郎", "髙橋　花子", "﨑山　邉", "葛\U000e0102飾　齋藤")
LONG_SUPPLEMENT = "霞が関グランドレジデンス東棟" * 4


def a_form(*persons: FormPerson) -> ApplicationForm:
    return ApplicationForm(
        reference="0b9e7c1a-2f35-4d8e-9a61-3c5d2e7f8a90",
        municipality_name="東京都千代田区",
        process="転入",
        effective_on="令和8年11月20日",
        filed_on="令和8年11月26日",
        printed_on="令和8年11月26日",
        items=(
            ("異動の事由", "国内転入"),
            ("新しい住所", f"東京都千代田区霞が関一丁目2番3号　{LONG_SUPPLEMENT}"),
            ("前住所", "大阪府大阪市北区梅田一丁目1番1号"),
        ),
        persons=persons,
    )


def a_person(name: str, n: int = 0) -> FormPerson:
    return FormPerson(
        name=name,
        name_kana="ヨシダ　イチロウ",
        birth_date=f"昭和{50 + n % 10}年1月2日",
        sex="男",
        relationship="世帯主" if n == 0 else "子",
    )


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def squeezed(text: str) -> str:
    return "".join(text.split())


def written(tmp_path: Path, form: ApplicationForm) -> Path:
    path = tmp_path / "form.pdf"
    path.write_bytes(render_application_form(form))
    return path


def pages_of(path: Path) -> int:
    info = run("pdfinfo", str(path))
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_the_form_reads_back_with_rare_names_exactly(tmp_path: Path) -> None:
    pdf = written(tmp_path, a_form(*(a_person(name, n) for n, name in enumerate(RARE_NAMES))))
    assert pages_of(pdf) == 1
    text = squeezed(run("pdftotext", "-raw", str(pdf), "-"))
    for expected in (
        "住民異動届",
        "（転入）",
        "（あて先）東京都千代田区長",
        "届出日令和8年11月26日",
        "異動日令和8年11月20日",
        "異動の事由国内転入",
        squeezed(LONG_SUPPLEMENT),  # wrapped within its cell, not cut off
        "昭和50年1月2日",
        "届出人署名",
        "受付番号0b9e7c1a-2f35-4d8e-9a61-3c5d2e7f8a90",
        *(squeezed(name) for name in RARE_NAMES),
    ):
        assert expected in text, expected
    assert "髙" in text and "高橋花子" not in text, "髙 is not printed as 高"
    fonts = run("pdffonts", str(pdf))
    embedded = [line.split() for line in fonts.splitlines() if MJ_FONT_NAME in line]
    assert embedded and all(row[-5:-2] == ["yes", "yes", "yes"] for row in embedded)


def test_many_persons_run_on_and_the_signature_box_ends_the_form(tmp_path: Path) -> None:
    names = [f"𠮷田　{n:02d}郎" for n in range(40)]
    pdf = written(tmp_path, a_form(*(a_person(name, n) for n, name in enumerate(names))))
    pages = pages_of(pdf)
    assert pages >= 2
    text = squeezed(run("pdftotext", "-raw", str(pdf), "-"))
    for name in names:
        assert text.count(squeezed(name)) == 1, name
    last = squeezed(run("pdftotext", "-raw", "-f", str(pages), "-l", str(pages), str(pdf), "-"))
    earlier = squeezed(run("pdftotext", "-raw", "-l", str(pages - 1), str(pdf), "-"))
    assert "届出人署名" in last and "届出人署名" not in earlier
    assert f"{pages}枚目" in last and "続き" in last


def test_the_family_register_and_an_agents_address_and_telephone_are_printed(
    tmp_path: Path,
) -> None:
    long_domicile = "北海道札幌市中央区北一条西二丁目" + "一番地" * 6
    persons = (
        replace(a_person(RARE_NAMES[0]), domicile=long_domicile, family_head="𠮷田　一郎"),
        replace(a_person(RARE_NAMES[1], 1), domicile="東京都千代田区霞が関一丁目2番", family_head="髙橋　花子"),
        a_person("山田　太郎", 2),  # no 本籍 on the change: no row
    )  # fmt: skip
    form = replace(
        a_form(*persons),
        notifier=(
            ("届出人の氏名", "鈴木　一郎"),
            ("届出人の住所", f"東京都千代田区丸の内一丁目1番1号　{LONG_SUPPLEMENT}"),
            ("届出人の電話番号", "03-1234-5678"),
        ),
        notifier_relation="代理人（委任（知人））",
    )
    pdf = written(tmp_path, form)
    assert pages_of(pdf) == 1
    text = squeezed(run("pdftotext", "-raw", str(pdf), "-"))
    for expected in (
        f"本籍{squeezed(long_domicile)}筆頭者𠮷田一郎",  # fitted to its cell, not cut
        "本籍東京都千代田区霞が関一丁目2番筆頭者髙橋花子",
        "届出人の氏名鈴木一郎",
        f"届出人の住所東京都千代田区丸の内一丁目1番1号{squeezed(LONG_SUPPLEMENT)}",
        "届出人の電話番号03-1234-5678",
        "届出人と異動者との関係代理人（委任（知人））",
    ):
        assert expected in text, expected
    assert text.count("本籍") == 2 and "（本人・世帯主・代理人）" not in text


def test_without_a_notifier_the_relation_box_offers_the_choices(tmp_path: Path) -> None:
    text = squeezed(
        run("pdftotext", "-raw", str(written(tmp_path, a_form(a_person("山田　太郎")))), "-")
    )
    assert "届出人と異動者との関係（本人・世帯主・代理人）" in text
    assert "本籍" not in text and "届出人の住所" not in text
