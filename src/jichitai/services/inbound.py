"""A change that comes in through any door, parsed value by value (ADR 0010).

``decode_change`` takes a command in its JSON form (``{"type": "MoveIn", "header": {…}, …}``) as
the staff API receives it and the counter builds it, parses every value by its kind (identifiers
with their check digits, dates whose wording must match their value, names, readings, address
parts, free text: ``text.py``) and hands the normalised JSON to the storage codec, which builds
the typed command. Every fault is reported, each naming its path as the change rules and the
counter's forms do (``members[0].name.family``; the header's items at the top: ``effective_on``).
The storage decoder alone (``jichitai.codec``) trusts its input and is for stored data only.

The national links' input (the 出入国在留管理庁長官通知, the clerk's operations on the CS outbox)
is read by ``services/inbound_national.py``, with the fault collector and day reader here
(``Faults``, ``iso_day``).
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any, Final

from jichitai.codec import TAG, decode_tagged
from jichitai.domain.common.address import UNKNOWN_TEXT, Address
from jichitai.domain.common.dates import DateKind, RecordDate, format_wareki
from jichitai.domain.common.identifiers import (
    RESIDENT_CODE_UNCHECKED,
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    ResidentCode,
)
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import DomainError, Violation, invalid
from jichitai.domain.inbound.text import free_text, name_text, reading, telephone
from jichitai.domain.residents import commands as c
from jichitai.domain.residents.change_types import COMMAND_TYPES
from jichitai.domain.residents.commands import ChangeCommand
from jichitai.domain.residents.labels import item_label, label_of
from jichitai.domain.residents.model import FamilyRegister, ResidentRecord
from jichitai.domain.residents.relationships import Relationship

__all__ = [
    "address_data",
    "decode_change",
    "person_name_data",
    "record_date_data",
    "record_faults",
]

EARLIEST: Final = date(1800, 1, 1)
LATEST: Final = date(2200, 12, 31)
_ALERT_CODE: Final = re.compile(r"[a-z0-9_.]{1,100}")
_EVENT_ID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NAME_PARTS: Final = {key: label_of(PersonName, key) for key in ("family", "given", "roman")}
_READINGS: Final = {key: label_of(PersonName, key) for key in ("family_kana", "given_kana")}
_ADDRESS_LABELS: Final = {
    key: label_of(Address, key)
    for key in (
        "prefecture",
        "city",
        "town_area",
        "lot_text",
        "address_supplement",
        "country",
        "overseas_text",
        "raw",
    )
}
_ADDRESS_KEYS: Final = frozenset(f.name for f in dataclasses.fields(Address))
BLANK: Final = " \u3000"
"""What a blank item holds: half- and full-width spaces (every door means the same by it)."""
_MULTILINE: Final = frozenset({"notes", "remarks", "memo", "cause"})
_LONG_TEXT: Final = 1000
_SHORT_TEXT: Final = 200


def text_limits(item: str) -> tuple[bool, int]:
    """How every door reads the free-text item ``item`` (a command's item name: ``cause``,
    ``remarks``, ``nationality`` …): whether it takes several lines, and its most characters.
    The decoder applies it to every command, and the counter's form reader to every field it
    reads as text, so the doors cannot keep different limits."""
    multiline = item in _MULTILINE
    return multiline, _LONG_TEXT if multiline else _SHORT_TEXT


# -- values by kind: the same functions the counter's form reader calls --------------------------


def person_name_data(data: Any, path: str) -> dict[str, Any]:
    """A name (氏・名・フリガナ・ローマ字) as JSON, each part checked by its kind."""
    if not isinstance(data, dict):
        raise invalid("input.shape", "氏名は項目（family, given …）の組で入力してください", path)
    unknown = sorted(set(data) - {*_NAME_PARTS, *_READINGS, "kana_confirmed"})
    if unknown:
        raise invalid(
            "input.unknown_item", f"氏名に不明な項目があります（{'、'.join(unknown)}）", path
        )
    texts = {key: data.get(key, "") for key in (*_NAME_PARTS, *_READINGS)}
    for key, value in texts.items():
        if not isinstance(value, str):
            raise invalid("input.shape", "氏名の各項目は文字列で入力してください", f"{path}.{key}")
    confirmed = data.get("kana_confirmed", False)
    if not isinstance(confirmed, bool):
        raise invalid("input.shape", "フリガナ確認は true か false です", f"{path}.kana_confirmed")
    faults = _Faults()
    parts: dict[str, str] = {}
    roman = texts["roman"].strip(" \u3000")
    for key, label in _NAME_PARTS.items():
        text = texts[key]
        optional = key != "family" or (roman and not texts["given"].strip(" \u3000"))
        if not text.strip(" \u3000") and optional:
            parts[key] = ""
            continue
        parts[key] = (
            faults.run(f"{path}.{key}", name_text, text, f"{path}.{key}", label=label) or ""
        )
    for key, label in _READINGS.items():
        text = texts[key]
        parts[key] = faults.run(f"{path}.{key}", reading, text, f"{path}.{key}", label=label) or ""
    faults.raise_if_any()
    made = PersonName.create(
        parts["family"],
        parts["given"],
        parts["family_kana"],
        parts["given_kana"],
        confirmed,
        parts["roman"],
        field_prefix=path,
    )
    return made.to_json()


def address_data(data: Any, path: str) -> dict[str, str]:
    """An address as JSON: every part checked as text, then the address rules (§1.1.6).
    ``{}`` (none given) and ``{"raw": "不明"}`` (unknown) are kept as they are."""
    if not isinstance(data, dict):
        raise invalid("input.shape", "住所は項目（prefecture, city …）の組で入力してください", path)
    unknown = sorted(set(data) - _ADDRESS_KEYS)
    if unknown:
        raise invalid(
            "input.unknown_item", f"住所に不明な項目があります（{'、'.join(unknown)}）", path
        )
    for key, value in data.items():
        if not isinstance(value, str):
            raise invalid("input.shape", "住所の各項目は文字列で入力してください", f"{path}.{key}")
    parts = {key: data.get(key, "") for key in _ADDRESS_KEYS}
    texts = {k: v for k, v in parts.items() if k not in ("raw", "town_code", "postcode")}
    if not any(
        v.strip(" \u3000") for v in (*texts.values(), parts["town_code"], parts["postcode"])
    ):
        raw = parts["raw"].strip(" \u3000")
        if raw in ("", UNKNOWN_TEXT):
            return {"raw": raw} if raw else {}
    faults = _Faults()
    for key, label in _ADDRESS_LABELS.items():
        value = parts[key]
        parts[key] = (
            faults.run(f"{path}.{key}", free_text, value, f"{path}.{key}", label=label) or ""
        )
    faults.raise_if_any()
    made = Address.create(**parts, field_prefix=path)
    return made.to_json()


def record_date_data(data: Any, path: str) -> dict[str, str]:
    """A register date as JSON: a calendar day, or a wording (§1.1.8) whose value must be the
    one its wording gives. ``{"text": "平成31年5月1日"}`` alone is read as that wording."""
    if isinstance(data, str):
        data = {"text": data}
    if not isinstance(data, dict) or set(data) - {"kind", "date", "text"}:
        raise invalid("input.shape", "年月日は kind・date・text の組で入力してください", path)
    kind, day, text = data.get("kind"), data.get("date"), data.get("text", "")
    if not isinstance(text, str) or (kind is not None and not isinstance(kind, str)):
        raise invalid("input.shape", "年月日の各項目は文字列で入力してください", path)
    # 「年月日不詳」 is kept as date.min, outside the range of a typed day: with that wording
    # (checked below: the date must be the wording's own) it is the register's own value.
    bounded = not (text.strip() and day == date.min.isoformat())
    given = _iso_day(day, f"{path}.date", bounded=bounded) if day is not None else None
    if kind is not None and kind not in {k.value for k in DateKind}:
        raise invalid(
            "date.kind", "年月日の種類は calendar・non_calendar・unknown です", f"{path}.kind"
        )
    if not text.strip():
        if given is None or kind not in (None, DateKind.CALENDAR.value):
            raise invalid("date.format", "年月日を入力してください", path)
        return RecordDate.of(given).to_json()
    parsed = RecordDate.parse(text, field=path)
    if (kind is not None and parsed.kind.value != kind) or (
        given is not None and parsed.approximation != given
    ):
        shown = given.isoformat() if given is not None else kind
        raise invalid(
            "date.wording_mismatch",
            f"年月日の表記（{text.strip()}）と値（{shown}）が一致しません。"
            f"表記どおりなら{_wording(parsed)}です",
            path,
        )
    return parsed.to_json()


def _wording(parsed: RecordDate) -> str:
    if parsed.kind is DateKind.CALENDAR:
        return f"{format_wareki(parsed.approximation)}（{parsed.approximation.isoformat()}）"
    label = "暦上にない日付" if parsed.kind is DateKind.NON_CALENDAR else "不詳日"
    return f"{label}（{parsed.approximation.isoformat()}）"


def _iso_day(data: Any, path: str, *, bounded: bool = True) -> date:
    if isinstance(data, str) and len(data) == 10 and data[4] == "-" and data[7] == "-":
        try:
            day = date.fromisoformat(data)
        except ValueError:
            pass
        else:
            if bounded and not EARLIEST <= day <= LATEST:
                raise invalid(
                    "date.out_of_range",
                    f"{EARLIEST.year}年から{LATEST.year}年までの日付を入力してください",
                    path,
                )
            return day
    raise invalid("date.invalid", "日付は YYYY-MM-DD で入力してください（実在する日付）", path)


# -- the walk -------------------------------------------------------------------------------------


class _Faults:
    def __init__(self) -> None:
        self.found: list[Violation] = []

    def run(self, path: str, parse: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return parse(*args, **kwargs)
        except DomainError as refusal:
            self.found.extend(
                dataclasses.replace(v, field=v.field or path) for v in refusal.violations
            )
            return None

    def raise_if_any(self) -> None:
        if self.found:
            raise DomainError(*self.found)


_Parse = Callable[[Any, str], Any]


def _wrapper(parse: Callable[[str, str], Any], attribute: str = "value") -> _Parse:
    def read(data: Any, path: str) -> Any:
        if not isinstance(data, str):
            return data  # the codec names the wrong type
        return getattr(parse(data, path), attribute)

    return read


def _text_of(owner: type | None, name: str) -> _Parse:
    label = item_label(owner, name) or ""
    multiline, limit = text_limits(name)

    def read(data: Any, path: str) -> Any:
        if not isinstance(data, str):
            return data
        return free_text(data, path, label=label, multiline=multiline, max_length=limit)

    return read


def _day(data: Any, path: str) -> Any:
    return _iso_day(data, path).isoformat() if isinstance(data, str) else data


_BY_TYPE: Final[dict[Any, _Parse]] = {
    AtenaNumber: _wrapper(AtenaNumber.parse),
    HouseholdNumber: _wrapper(HouseholdNumber.parse),
    IndividualNumber: _wrapper(IndividualNumber.parse),
    ResidentCode: _wrapper(ResidentCode.parse),
    ResidenceCardNumber: _wrapper(ResidenceCardNumber.parse),
    Relationship: _wrapper(Relationship.parse, "text"),
    PersonName: person_name_data,
    Address: address_data,
    RecordDate: record_date_data,
    date: _day,
}


def _domicile(data: Any, path: str) -> Any:
    """本籍: required (「なし」 or 「不明」 where there is none or it is not known, §1.1.12)."""
    if not isinstance(data, str):
        return data
    text = free_text(data, path, label="本籍")
    if not text:
        raise invalid(
            "input.required",
            "本籍を入力してください（ない場合は「なし」、不明の場合は「不明」）",
            path,
        )
    return text


def _head_name(data: Any, path: str) -> Any:
    return name_text(data, path, label="筆頭者") if isinstance(data, str) else data


def _telephone(data: Any, path: str) -> Any:
    return (
        telephone(data, path, label=label_of(c.Notifier, "telephone"))
        if isinstance(data, str)
        else data
    )


def _alert_codes(data: Any, path: str) -> Any:
    if not isinstance(data, list):
        return data
    for index, code in enumerate(data):
        if not isinstance(code, str) or not _ALERT_CODE.fullmatch(code):
            raise invalid(
                "input.alert_code", "確認したアラートのコードが正しくありません", f"{path}[{index}]"
            )
    return data


def _event_id(data: Any, path: str) -> Any:
    if isinstance(data, str) and not _EVENT_ID.fullmatch(data):
        raise invalid("cancel.event_id", "取り消す異動のIDが正しくありません", path)
    return data


def _keyed(parse_key: Callable[[str, str], Any], *, versions: bool = False) -> _Parse:
    def read(data: Any, path: str) -> Any:
        if not isinstance(data, dict):
            return data
        out: dict[str, Any] = {}
        faults = _Faults()
        for key, value in data.items():
            where = f"{path}.{key}"
            parsed = faults.run(where, parse_key, str(key), where)
            if parsed is None:
                continue
            if versions:
                if type(value) is not int or not 0 <= value < 10**9:
                    faults.found.append(
                        Violation("input.version", "版・履歴番号は0以上の整数です", where)
                    )
                    continue
                out[parsed.value] = value
            else:
                out[parsed.value] = faults.run(where, _BY_TYPE[Relationship], value, where)
        faults.raise_if_any()
        return out

    return read


# Items whose kind is not their type alone: (class, field) → how to read it.
_BY_FIELD: Final[dict[tuple[type, str], _Parse]] = {
    (FamilyRegister, "domicile"): _domicile,
    (FamilyRegister, "head"): _head_name,
    (c.ChangeHeader, "acknowledged_alerts"): _alert_codes,
    (c.ChangeHeader, "expected_versions"): _keyed(HouseholdNumber.parse, versions=True),
    (c.ChangeHeader, "expected_histories"): _keyed(AtenaNumber.parse, versions=True),
    (c.Cancel, "event_id"): _event_id,
    (c.Notifier, "telephone"): _telephone,
    # 宛名番号 → 続柄, in every command that sets the members' relationships anew
    **{
        (cls, "relationships"): _keyed(AtenaNumber.parse)
        for cls in COMMAND_TYPES
        if any(f.name == "relationships" for f in dataclasses.fields(cls))
    },
}


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


class _Walk:
    """Parses a command's JSON value by value, collecting every fault; returns the JSON the
    values normalise to (a reading in katakana, an identifier without spaces …).

    ``by_field`` overrides how an item is read, by (class, field)."""

    def __init__(self, by_field: dict[tuple[type, str], _Parse] | None = None) -> None:
        self.faults = _Faults()
        self.by_field = _BY_FIELD if by_field is None else by_field

    def value(self, tp: Any, data: Any, path: str, owner: type | None = None) -> Any:
        if data is None:
            return None
        members = typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, _UnionType) else ()
        if members:
            inner = [m for m in members if m is not type(None)]
            if isinstance(data, str) and not data.strip(BLANK) and type(None) in members:
                return None  # an optional item left blank is not given (as a form's box)
            return self.value(inner[0], data, path, owner) if len(inner) == 1 else data
        parse = _BY_TYPE.get(tp)
        if parse is not None:
            found = self.faults.run(path, parse, data, path)
            return data if found is None else found
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if tp is str:
            name = path.rsplit(".", 1)[-1].split("[", 1)[0]
            found = self.faults.run(path, _text_of(owner, name), data, path)
            return data if found is None else found
        if origin in (tuple, list) and isinstance(data, list) and args:
            return [self.value(args[0], item, f"{path}[{i}]", owner) for i, item in enumerate(data)]
        if isinstance(tp, type) and dataclasses.is_dataclass(tp) and isinstance(data, dict):
            return self.structure(tp, data, path)
        return data

    def structure(self, cls: type, data: dict[str, Any], path: str) -> dict[str, Any]:
        hints = _hints(cls)
        out: dict[str, Any] = {}
        for key, item in data.items():
            if key not in hints:
                out[key] = item  # the codec refuses it, naming it
                continue
            where = key if cls is c.ChangeHeader or not path else f"{path}.{key}"
            special = self.by_field.get((cls, key))
            if special is not None:
                found = self.faults.run(where, special, item, where)
                out[key] = item if found is None else found
            elif key == "header" and cls in COMMAND_TYPES:
                out[key] = (
                    self.structure(c.ChangeHeader, item, "") if isinstance(item, dict) else item
                )
            else:
                out[key] = self.value(hints[key], item, where, cls)
        if cls in _READINGS_REQUIRED:
            self.faults.found.extend(_readings_missing(cls, out, path))
        return out


_UnionType: Final = type(int | str)

_READINGS_REQUIRED: Final = frozenset({c.NewPerson, c.Naturalise})


def _readings_missing(cls: type, data: dict[str, Any], path: str) -> list[Violation]:
    """A Japanese resident entering the register (or naturalised) has a フリガナ for each part
    of the name (§1.1.18 (180)); a foreign resident's name may have none."""
    if cls is c.NewPerson and data.get("kind") != "japanese":
        return []
    name = data.get("name")
    if not isinstance(name, dict):
        return []
    prefix = f"{path}.name" if path else "name"
    return [
        Violation("input.required", f"{label}を入力してください", f"{prefix}.{reading_key}")
        for part, reading_key, label in (
            ("family", "family_kana", "氏のフリガナ"),
            ("given", "given_kana", "名のフリガナ"),
        )
        if str(name.get(part, "")).strip(" \u3000") and not str(name.get(reading_key, "")).strip()
    ]


def decode_change(data: Any) -> ChangeCommand:
    """The command ``data`` holds, every value parsed; ``DomainError`` with every fault.

    Shape faults (an unknown item, a missing one, a wrong JSON type) are refused as
    ``command.invalid`` naming the path, as the storage codec finds them.
    """
    if not isinstance(data, dict):
        raise invalid(
            "command.invalid", "異動の入力内容はオブジェクトで指定してください", "command"
        )
    kind = data.get(TAG)
    command_type = next((t for t in COMMAND_TYPES if t.__name__ == kind), None)
    if command_type is None:
        names = "、".join(t.__name__ for t in COMMAND_TYPES)
        raise invalid(
            "command.invalid", f"異動の種類（type）は次のいずれかです: {names}", "command.type"
        )
    walk = _Walk()
    body = walk.structure(command_type, {k: v for k, v in data.items() if k != TAG}, "")
    walk.faults.raise_if_any()
    try:
        command: ChangeCommand = decode_tagged(COMMAND_TYPES, {TAG: kind, **body})
    except (ValueError, TypeError) as error:
        text = str(error)
        where, _, _ = text.partition(":")
        raise DomainError(
            Violation(
                "command.invalid",
                "異動の入力内容が正しくありません（項目の名前・型・値を確認してください）: "
                + text[:300],
                "command." + where.strip()[:200] if where else "command",
            )
        ) from None
    return command


def _taken_as_given(data: Any, path: str) -> Any:
    """A 住民票コード from another system: its check rule (告示436号) is not public, so codes
    that came through 住基ネット are taken as they are (the shape is still checked)."""
    if isinstance(data, str):
        return ResidentCode.parse(data, path, rule=RESIDENT_CODE_UNCHECKED).value
    return data


_RECORD_FIELDS: Final[dict[tuple[type, str], _Parse]] = {
    **_BY_FIELD,
    (ResidentRecord, "resident_code"): _taken_as_given,
}


def record_faults(data: dict[str, Any]) -> list[Violation]:
    """Every fault of a whole record that comes in (a data migration's row, in the codec's
    JSON form), each value checked as the doors check typed values. A value that would be
    stored otherwise than given (a reading in hiragana) is a fault too: an import keeps what it
    reads byte for byte, so it must read the register's own forms."""
    walk = _Walk(_RECORD_FIELDS)
    normalised = walk.structure(ResidentRecord, data, "")
    faults = list(walk.faults.found)
    if not faults:
        faults.extend(_changed(data, normalised, ""))
    return faults


def _changed(given: Any, made: Any, path: str) -> list[Violation]:
    if isinstance(given, dict) and isinstance(made, dict):
        out: list[Violation] = []
        for key, value in given.items():
            out.extend(_changed(value, made.get(key), f"{path}.{key}" if path else key))
        return out
    if isinstance(given, list) and isinstance(made, list):
        return [
            v
            for i, (a, b) in enumerate(zip(given, made, strict=False))
            for v in _changed(a, b, f"{path}[{i}]")
        ]
    if given != made:
        return [
            Violation(
                "input.not_canonical",
                f"登録の形式で記録してください（「{given}」は「{made}」として記録されます）",
                path,
            )
        ]
    return []


Faults = _Faults
"""The fault collector, for the sibling decoders (``services/inbound_national.py``)."""
iso_day = _iso_day
"""A calendar day as ``YYYY-MM-DD`` within the register's bounds, for the sibling decoders."""
