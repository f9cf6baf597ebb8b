"""The human-readable form of ``jichitai layout check``'s profile (the ``--json`` form is the
report itself): a summary a migration team reads on a terminal, in Japanese with the English
word beside each heading."""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["profile_text"]


_ENCODING_FROM = {"manifest": "manifest.json", "bom": "BOM", "option": "--encoding"}
_DATE_FORMS = {
    "yyyymmdd": "西暦YYYYMMDD",
    "wareki8": "和暦8桁",
    "wareki7": "和暦7桁",
    "unknown": "不詳",
    "empty": "空",
    "other": "その他",
}


def _table(rows: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell (a full-width character counted as two)."""

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]


def _counts(counts: dict[str, Any], sep: str = "×") -> str:
    return " ".join(f"{key}{sep}{value}" for key, value in counts.items()) or "-"


def _examples(listed: dict[str, Any]) -> str:
    more = "…" if listed["count"] > len(listed["examples"]) else ""
    return f"{listed['count']}" + (
        f"（{', '.join(listed['examples'])}{more}）" if listed["count"] else ""
    )


def profile_text(report: dict[str, Any]) -> str:
    """``layout check``'s summary for people (the ``--json`` report, as tables)."""
    lines = [
        f"移行データの検査 layout check: {report['directory']}（レイアウト {report['layout_version']}）",
        "",
    ]
    head = [
        "ファイル file",
        "有無 present",
        "文字コード encoding",
        "改行 EOL",
        "行数 rows",
        "項目 items",
        "標準項目の欠落 missing",
        "不明な列 unknown",
        "拡張項目 extensions",
    ]
    rows = [head]
    for f in report["files"]:
        items = f.get("items")
        encoding = (
            f"{f['encoding']}（{_ENCODING_FROM[f['encoding_from']]}）" if f["encoding"] else "-"
        )
        rows.append(
            [
                f["file"],
                "あり" if f["present"] else "なし",
                encoding,
                f["line_ends"] if f["present"] else "-",
                str(f["rows"]),
                str(items["present"]) if items else "-",
                str(len(items["standard_missing"])) if items else "-",
                str(len(items["unknown"])) if items else "-",
                str(len(items["extensions_present"])) if items else "-",
            ]
        )
    lines += _table(rows)
    for f in report["files"]:
        items = f.get("items") or {}
        if items.get("unknown"):
            lines.append(f"  {f['file']} 不明な列 unknown: {', '.join(items['unknown'])}")
        if items.get("standard_missing"):
            lines.append(
                f"  {f['file']} 欠けている標準項目 missing: {', '.join(items['standard_missing'])}"
            )
        if f["faults"]:
            lines.append(f"  {f['file']} 指摘 faults: {_counts(f['faults'])}")
            lines += [
                f"    {e['line']}行 {e['item']} {e['code']} {e['message']}"
                for e in f["fault_examples"][:5]
            ]
    history = report["history"]
    per = history["rows_per_person"]
    lines += [
        "",
        f"履歴 history: 人 persons {history['persons']}、行 rows {history['rows']}、"
        f"1人の行数 rows/person {per['min']}〜{per['max']}（{_counts(per['distribution'], '行:')}人）",
        f"  個人履歴番号が1..nでない人 not 1..n: {_examples(history['history_numbers_not_1_to_n'])}",
        f"  最新フラグ=1が1行でない人 latest flag ≠ 1: {_examples(history['latest_flag_not_exactly_one'])}",
    ]
    households = report["households"]
    lines += [
        f"世帯 households: {households['count']}、世帯員数の分布 members "
        f"{_counts(households['members_per_household'], '人:')}世帯、世帯員のいない世帯 empty {households['without_members']}",
        f"  世帯主が1人でない世帯 heads ≠ 1: {households['heads_not_one']['count']}"
        + "".join(
            f" {h['household']}({h['heads']}/{h['members']})"
            for h in households["heads_not_one"]["households"][:10]
        ),
        f"  世帯員数が住民の数と異なる世帯 member count differs: {households['member_count_differs']['count']}",
        f"  世帯ファイルにない世帯番号の人 persons without household row: {_examples(households['persons_without_household_row'])}",
        *(
            [
                "  （続柄に当システムのコードでない値があり、その世帯主は数えていません。"
                "relationship codes not ours: heads not counted）"
            ]
            if any(
                seen["not_ours"]
                for per_item in report["codes"].values()
                for item, seen in per_item.items()
                if item == "続柄1"
            )
            else []
        ),
        f"除票 removed: {report['removed']['count']}（住民状態 status "
        f"{_counts(report['removed']['by_status'])}）、住民でないが消除年月日のない人 not resident, "
        f"no 消除年月日: {_examples(report['removed']['not_resident_without_removal_date'])}",
        "",
        "コード値 codes（× 件数、未対応 = 当システムのコードでも対応表にもない）:",
    ]
    for file_name, per_item in report["codes"].items():
        for item, seen in per_item.items():
            missing = (
                f"  未対応 not ours: {', '.join(seen['not_ours'])}" if seen["not_ours"] else ""
            )
            lines.append(f"  {file_name} {item}: {_counts(seen['values'])}{missing}")
    gaiji = report["gaiji"]
    lines += ["", f"外字 private-use characters: {gaiji['characters']}"]
    for point, seen in gaiji["code_points"].items():
        state = "対応あり mapped" if seen["mapped"] else "未対応 unmapped"
        lines.append(
            f"  {point} ×{seen['count']} {state}（初出 first: {seen['file']} {seen['line']}行 {seen['item']}）"
        )
    for file_name, per_item in gaiji["items"].items():
        lines.append(f"  {file_name}: {_counts(per_item)}")
    lines += ["", "日付の形 date forms:"]
    for file_name, per_item in report["dates"].items():
        for item, forms in per_item.items():
            seen = {_DATE_FORMS[k]: v for k, v in forms.items() if v}
            lines.append(f"  {file_name} {item}: {_counts(seen)}")
    lines.append("")
    lines.append(
        "読めないファイルがあります（終了コード 2）"
        if not report["readable"]
        else "すべて読めました（書き込みはしていません）"
    )
    return "\n".join(lines)
