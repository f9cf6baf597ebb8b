"""docs/integration.md lists every payload field, record item and code table as the catalogue of
``/integration/v1/codes`` has them (one source: the layout and the domain's registries).

Run ``python -m tests.unit.test_integration_doc --write`` to rewrite the generated part.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from jichitai.adapters.standard_layout.layout import load_layout
from jichitai.domain.integration.codes import catalogue

DOC = Path(__file__).parents[2] / "docs" / "integration.md"
BEGIN = "<!-- codes:begin (generated: python -m tests.unit.test_integration_doc --write) -->"
END = "<!-- codes:end -->"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|")


def render(found: dict[str, Any]) -> str:
    lines = [
        BEGIN,
        "",
        "### Fields of a feed change",
        "",
        "| field | JSON type | code table | meaning |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{f['name']}` | {_cell(f['type'])} | {f['table'] and '`' + f['table'] + '`'} "
        f"| {_cell(f['meaning'])} |"
        for f in found["feed_fields"]
    ]
    lines += [
        "",
        "### Record items",
        "",
        "Every value is a string, written as the migration layout writes the cell. 型: the",
        "layout's type; 桁: its greatest length; 外字: whether the item may hold characters outside",
        "cp932 (written `&#xHHHH;` in a cp932 extract); 拡張: a jichitai extension, not a standard",
        "item.",
        "",
        "| item | 型 | 桁 | code table | 外字 | 拡張 | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| `{i['name']}` | {i['type_label']} | {i['length'] or ''} "
        f"| {i['table'] and '`' + i['table'] + '`'} | {'可' if i['gaiji'] else ''} "
        f"| {'拡張' if i['extension'] else ''} | {_cell(i['meaning'])} |"
        for i in found["items"]
    ]
    lines += [
        "",
        "### Code tables",
        "",
        "`code` is what a payload carries; the record items carry the layout's codes, the feed",
        "change's `kind`, `reason` and `reason_group` carry their strings.",
        "",
        "| table | codes |",
        "|---|---|",
    ]
    for name, entries in found["tables"].items():
        codes = "、".join(
            f"`{e['code']}` {_cell(e['label'])}"
            + (f" ({e['group']}, 異動事由 {e['layout_code']})" if e.get("layout_code") else "")
            + (f" ({e['group']}, 異動ではない)" if "group" in e and not e["layout_code"] else "")
            for e in entries
        )
        lines.append(f"| `{name}` | {codes} |")
    lines += ["", END]
    return "\n".join(lines)


def generated() -> str:
    layout = load_layout()
    return render(catalogue(layout, layout.file("resident_snapshot").items))


def rewritten(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + generated() + text[end:]


def test_the_documented_fields_items_and_code_tables_are_the_served_ones() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert rewritten(text) == text, "run `python -m tests.unit.test_integration_doc --write`"


if __name__ == "__main__":  # pragma: no cover
    if "--write" in sys.argv:
        DOC.write_text(rewritten(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(generated() + "\n")
