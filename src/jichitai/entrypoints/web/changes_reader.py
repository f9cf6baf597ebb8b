"""Reading a posted change form into the register command's JSON, field by field.

Every value is checked by the same inbound functions the API's decoder uses
(``services/inbound.py`` and the text rules of ``domain/inbound/text.py``: names, readings, free
text, addresses) or the value type's own ``parse`` (dates in 和暦 or 西暦 as clerks type them,
続柄, the identifiers), so a fault is named by the form field it came from and shown next to it,
and every fault of the form is collected, not only the first. The JSON built from the checked
values then goes through ``decode_change`` (the one inbound decoder, as the API's bodies do):
the counter and the API accept and refuse the same values (a differential property test holds
them to it).

Form field names are the command's JSON paths (``members[0].name.family``, ``address.lot_text``),
with the header's fields at the top (``effective_on``), as the register's rules name them.

Decisions: half-width katakana (and hiragana) typed into a フリガナ is made full-width katakana,
and the normalised text is what the form shows back (``normalised``), as the API stores it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import DateKind, RecordDate, format_seireki, format_wareki
from jichitai.domain.common.dates import parse_japanese_date as parse_date
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.inbound.text import free_text, name_text
from jichitai.domain.inbound.text import reading as read_kana
from jichitai.domain.residents.relationships import Relationship
from jichitai.services.inbound import BLANK, address_data, text_limits

T = TypeVar("T")

REQUIRED = "input.required"
ADDRESS_PARTS = (
    "prefecture",
    "city",
    "town_area",
    "lot_text",
    "address_supplement",
    "postcode",
    "country",
    "overseas_text",
)


@dataclass(frozen=True, slots=True)
class Values:
    """A posted form's values in order (a name may repeat: checkboxes)."""

    pairs: tuple[tuple[str, str], ...] = ()

    def get(self, name: str, default: str = "") -> str:
        found = default
        for key, value in self.pairs:
            if key == name:
                found = value
        return found

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.pairs)

    def replaced(self, updates: Mapping[str, str]) -> Values:
        """These values with ``updates`` set (each name once, in place of any it had)."""
        kept = tuple((k, v) for k, v in self.pairs if k not in updates)
        return Values(kept + tuple(updates.items()))

    def without(self, names: Iterable[str]) -> Values:
        dropped = set(names)
        return Values(tuple((k, v) for k, v in self.pairs if k not in dropped))

    def renamed(self, rename: Callable[[str], str | None]) -> Values:
        """Each name through ``rename``; a name it maps to None is dropped."""
        out = []
        for key, value in self.pairs:
            new = rename(key)
            if new is not None:
                out.append((new, value))
        return Values(tuple(out))


def _item_of(name: str) -> str:
    """The item a field's path ends in: ``members[0].remarks`` → ``remarks``."""
    return re.sub(r"\[\d+\]$", "", name.rsplit(".", 1)[-1])


@dataclass
class FormReader:
    """Reads one posted form; faults are collected in ``violations`` (each with its field)."""

    values: Values
    violations: list[Violation] = field(default_factory=list)
    echo: dict[str, str] = field(default_factory=dict)
    """The date each date field was understood as (和暦, or 西暦 where the standard wants it)."""
    normalised: dict[str, str] = field(default_factory=dict)
    """Fields whose text was normalised (フリガナ made full-width katakana)."""

    # --- plumbing ------------------------------------------------------------------------

    def raw(self, name: str) -> str:
        return self.values.get(name)

    def fault(self, code: str, message: str, name: str) -> None:
        self.violations.append(Violation(code, message, name))

    def missing(self, name: str, label: str) -> None:
        self.fault(REQUIRED, f"{label}を入力してください", name)

    def _checked(self, name: str, make: Callable[[], T]) -> T | None:
        try:
            return make()
        except DomainError as refusal:
            for v in refusal.violations:
                self.violations.append(
                    Violation(v.code, v.message, v.field or name, v.severity, v.line)
                )
            return None

    def refuse_if_any(self) -> None:
        if self.violations:
            raise DomainError(*self.violations)

    # --- plain values --------------------------------------------------------------------

    def text(
        self,
        name: str,
        label: str,
        *,
        required: bool = False,
        max_length: int | None = None,
    ) -> str:
        """The text of the field ``name`` (a command's path), read by the rule every door keeps
        for that item (``services/inbound.text_limits``: its lines and its length);
        ``max_length`` only for a value that is no free-text item of a command (an event id)."""
        multiline, limit = text_limits(_item_of(name))
        raw = self.raw(name)
        value = self._checked(
            name,
            lambda: free_text(
                raw, name, label=label, multiline=multiline, max_length=max_length or limit
            ),
        )
        if value is None:
            return ""
        if not value and required:
            self.missing(name, label)
        return value

    def flag(self, name: str) -> bool:
        return self.raw(name) in ("on", "1", "true")

    def choice(
        self, name: str, label: str, allowed: Iterable[str], *, required: bool = True
    ) -> str | None:
        value = self.raw(name).strip()
        if not value:
            if required:
                self.fault(REQUIRED, f"{label}を選んでください", name)
            return None
        if value not in set(allowed):
            self.fault("input.choice", f"{label}の選択が正しくありません", name)
            return None
        return value

    def date(
        self, name: str, label: str, *, required: bool = True, seireki: bool = False
    ) -> str | None:
        """A calendar day in 和暦 or 西暦 as clerks type it; the JSON's ISO date."""
        text = self.raw(name).strip()
        if not text:
            if required:
                self.missing(name, label)
            return None
        day = self._checked(name, lambda: parse_date(text, field=name))
        if day is None:
            return None
        self.echo[name] = _shown(day, seireki)
        return day.isoformat()

    def record_date(
        self, name: str, label: str, *, required: bool = True, seireki: bool = False
    ) -> dict[str, str] | None:
        """A date as the register keeps it: a calendar day, or one 戸籍 carries, or 不詳."""
        text = self.raw(name).strip()
        if not text:
            if required:
                self.missing(name, label)
            return None
        parsed = self._checked(name, lambda: RecordDate.parse(text, field=name))
        if parsed is None:
            return None
        if parsed.kind is DateKind.CALENDAR:
            self.echo[name] = _shown(parsed.approximation, seireki)
        elif parsed.kind is DateKind.NON_CALENDAR:
            self.echo[name] = f"{parsed.text}（暦上にない日付として記録します）"
        else:
            self.echo[name] = f"{parsed.text}（不詳日として記録します）"
        return parsed.to_json()

    def parsed(
        self, name: str, label: str, parse: Callable[[str, str], Any], *, required: bool = False
    ) -> str | None:
        """An identifier (個人番号, 世帯番号 …) through its ``parse(text, field)``: its value."""
        text = self.raw(name)
        if not text.strip(BLANK):
            if required:
                self.missing(name, label)
            return None
        found = self._checked(name, lambda: parse(text, name))
        return None if found is None else str(found.value)

    def relationship(self, name: str, *, required: bool = True) -> str | None:
        text = self.raw(name).strip()
        if not text:
            if required:
                self.fault("relationship.required", "続柄を入力してください", name)
            return None
        found = self._checked(name, lambda: Relationship.parse(text, name))
        return None if found is None else found.text

    # --- names and addresses -------------------------------------------------------------

    def _name_part(self, name: str, label: str, *, required: bool) -> str:
        text = self.raw(name).strip(" \u3000")
        if not text:
            if required:
                self.missing(name, label)
            return ""
        return self._checked(name, lambda: name_text(text, name, label=label)) or ""

    def _reading(self, name: str, label: str, *, required: bool) -> str:
        text = self.raw(name)
        if not text.strip(" \u3000"):
            if required:
                self.missing(name, label)
            return ""
        reading = self._checked(name, lambda: read_kana(text, name, label=label))
        if reading is None:
            return ""
        if reading != text:
            self.normalised[name] = reading
        return reading

    def person_name(
        self, prefix: str, *, roman: bool = False, kana_required: bool = True
    ) -> dict[str, Any] | None:
        """氏・名 with their フリガナ (and a foreign resident's ローマ字 name)."""
        before = len(self.violations)
        roman_text = (
            self._name_part(f"{prefix}.roman", "氏名（ローマ字）", required=False) if roman else ""
        )
        family = self._name_part(f"{prefix}.family", "氏", required=not roman_text)
        given = self._name_part(f"{prefix}.given", "名", required=False)
        family_kana = self._reading(
            f"{prefix}.family_kana", "氏のフリガナ", required=kana_required and bool(family)
        )
        given_kana = self._reading(
            f"{prefix}.given_kana", "名のフリガナ", required=kana_required and bool(given)
        )
        if len(self.violations) > before:
            return None
        made = self._checked(
            prefix,
            lambda: PersonName.create(
                family, given, family_kana, given_kana, roman=roman_text, field_prefix=prefix
            ),
        )
        return None if made is None else made.to_json()

    def address(
        self,
        prefix: str,
        label: str,
        *,
        required: bool = True,
        allow_unknown: bool = False,
    ) -> dict[str, str] | None:
        """An address from its parts (都道府県, 市区町村, 町字, 番地, 方書, 郵便番号, or abroad 国名
        and 国外住所); 「不明」 where the form offers it. ``{}`` when left blank and optional."""
        if allow_unknown and self.flag(f"{prefix}.unknown"):
            return Address.unknown().to_json()
        parts = {part: self.raw(f"{prefix}.{part}") for part in ADDRESS_PARTS}
        if not any(v.strip(" \u3000") for v in parts.values()):
            if required:
                self.fault(REQUIRED, f"{label}を入力してください", prefix)
                return None
            return {}
        return self._checked(prefix, lambda: address_data(parts, prefix))

    def family_register(self, prefix: str) -> dict[str, str] | None:
        """本籍 and 筆頭者 (either may be 「不明」 or 「なし」)."""
        domicile = self.text(f"{prefix}.domicile", "本籍", required=True)
        head = self._name_part(f"{prefix}.head", "筆頭者", required=True)
        if not domicile or not head:
            return None
        return {"domicile": domicile, "head": head}


def _shown(day: date, seireki: bool) -> str:
    return format_seireki(day) if seireki else format_wareki(day)


def drop_empty(data: Mapping[str, Any], keep: Iterable[str] = ()) -> dict[str, Any]:
    """The JSON without the items left out (None, "" and empty lists or objects), so a command
    keeps its defaults for what the clerk did not fill in; ``keep`` names items kept even
    when empty (a required address that may be blank)."""
    kept = set(keep)
    return {k: v for k, v in data.items() if k in kept or v not in (None, "", [], {})}
