"""Who certifies a certificate (認証者, standard §1.3.9 (310)) and what is printed with it (§5.6).

- The mayor's title and name, and a 職務代理者 (who acts in the mayor's stead) with the period of
  the 職務代理: on a day inside it the deputy certifies unless the clerk chooses otherwise, so
  copies switch over on their own (``choose_certifier``).
- A certifier is never left unnamed: §1.3.9 lists 「○○長 公印」 with the name blank among what a
  system must not do. Setting a blank name is refused, and so is issuing (or previewing) a copy
  whose certifier has none — an issuer file written by hand, by an older version or by the
  development stand-in may still lack one.
- Titles carry the prefecture: §5.6 prints the 都道府県名 before the title, for 指定都市 and 特別区
  too (「東京都千代田区長」, not 「千代田区長」), and lists leaving it out among what must not be
  built. A title must begin with the prefecture's name, on setting and again on issuing.
- A fixed phrase printed under the certifier (「この印は黒色です」 and the like).
- Each copy may name the mayor or the deputy, and may leave the seal off: it then reads 「公印省略」.

The seal images (公印: the mayor's, and the deputy's own if the deputy has one) are checked where
images are read (an adapter, with Pillow); this module holds only the rules for the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jichitai.domain.errors import DomainError, RuleViolations, Violation, invalid
from jichitai.domain.inbound.text import CERTIFIER_TEXT

MAX_ISSUER_TEXT = CERTIFIER_TEXT.max_length
MAX_SEAL_BYTES = 2 * 1024 * 1024
MAX_SEAL_PIXELS = 2000
MIN_SEAL_PIXELS = 32
SEAL_OMITTED = "公印省略"


@dataclass(frozen=True, slots=True)
class Deputy:
    """職務代理者: the title as printed (「東京都千代田区長職務代理者　東京都千代田区副区長」), the name, and
    the period of the 職務代理 (no start: only when chosen on a copy)."""

    title: str
    name: str
    starts_on: date | None = None
    ends_on: date | None = None

    def acts_on(self, day: date) -> bool:
        return (
            self.starts_on is not None
            and self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
        )


@dataclass(frozen=True, slots=True)
class IssuerText:
    """The certifiers and the fixed phrase, as set."""

    mayor_title: str
    mayor_name: str
    deputy: Deputy | None = None
    fixed_phrase: str = ""
    blank_overflow: bool = False
    """§5.8: a value that cannot be printed whole is printed blank (else as much as fits)."""


@dataclass(frozen=True, slots=True)
class IssuerSettings:
    """What the municipality's certificates are signed with, as set."""

    mayor_title: str
    mayor_name: str
    seal_width: int = 0
    seal_height: int = 0
    seal_sha256: str = ""
    """Empty when no official seal image is set."""
    deputy: Deputy | None = None
    fixed_phrase: str = ""
    deputy_seal_sha256: str = ""
    """The deputy's own seal; empty when the deputy stamps the mayor's 公印."""
    blank_overflow: bool = False


def default_mayor_title(municipality_name: str, prefecture: str) -> str:
    """The mayor's title as §5.6 prints it: the prefecture, the municipality and 「長」
    (「東京都千代田区長」); the prefecture is added when the registered name lacks it."""
    name = municipality_name.strip()
    return f"{name if name.startswith(prefecture) else prefecture + name}長"


class CertifierChoice(StrEnum):
    AUTO = "auto"
    """The deputy during the period of the 職務代理, the mayor otherwise."""
    MAYOR = "mayor"
    DEPUTY = "deputy"


@dataclass(frozen=True, slots=True)
class Certifier:
    """Who a copy is certified by, whether their seal is stamped, and the line printed under
    them (the fixed phrase, or 「公印省略」 without the seal)."""

    title: str
    name: str
    is_deputy: bool = False
    with_seal: bool = True
    note: str = ""


def choose_certifier(
    text: IssuerText,
    day: date,
    choice: CertifierChoice,
    with_seal: bool = True,
    *,
    prefecture: str,
) -> Certifier:
    """Who certifies a copy made on ``day``; refused (before the copy is numbered) when that
    certifier cannot be printed as the standard requires: no name (§1.3.9), or a title without
    ``prefecture`` (§5.6)."""
    chosen = _chosen(text, day, choice, with_seal)
    problems = _unprintable(chosen, prefecture)
    if problems:
        raise RuleViolations(*problems)
    return chosen


def _chosen(text: IssuerText, day: date, choice: CertifierChoice, with_seal: bool) -> Certifier:
    deputy = text.deputy
    if choice is CertifierChoice.DEPUTY and deputy is None:
        raise invalid(
            "certificate.no_deputy",
            "職務代理者が登録されていません。管理者が認証者の設定で登録してください",
            "certifier",
        )
    use_deputy = deputy is not None and (
        choice is CertifierChoice.DEPUTY or (choice is CertifierChoice.AUTO and deputy.acts_on(day))
    )
    note = text.fixed_phrase if with_seal else SEAL_OMITTED
    if use_deputy and deputy is not None:
        return Certifier(deputy.title, deputy.name, True, with_seal, note)
    return Certifier(text.mayor_title, text.mayor_name, False, with_seal, note)


def _unprintable(certifier: Certifier, prefecture: str) -> list[Violation]:
    who = "職務代理者" if certifier.is_deputy else "認証者"
    fix = "管理者が認証者の設定で登録するまで、証明書は発行できません"
    problems = []
    if not certifier.title.strip():
        problems.append(
            Violation(
                "certificate.certifier_title_required",
                f"{who}の職名が未設定です。{fix}",
                "certifier",
            )
        )
    elif not certifier.title.startswith(prefecture):
        problems.append(
            Violation(
                "certificate.certifier_title_prefecture",
                f"{who}の職名「{certifier.title}」に都道府県名（{prefecture}）がありません。{fix}",
                "certifier",
            )
        )
    if not certifier.name.strip():
        problems.append(
            Violation(
                "certificate.certifier_name_required",
                f"{who}（{certifier.title.strip() or '職名未設定'}）の氏名が未設定です。{fix}",
                "certifier",
            )
        )
    return problems


def _text_problems(value: str, field: str, label: str) -> list[Violation]:
    """The faults of a text printed on the certification (``CERTIFIER_TEXT``: one line, the
    characters every door refuses, at most 40 characters)."""
    try:
        CERTIFIER_TEXT.read(value, field, label=label)
    except DomainError as refusal:
        return list(refusal.violations)
    return []


def _prefecture_problems(title: str, prefecture: str, field: str, label: str) -> list[Violation]:
    if not title or title.startswith(prefecture):
        return []
    return [
        Violation(
            "certificate.issuer_prefecture_required",
            f"{label}は都道府県名から書いてください（例: {prefecture}○○市長）。"
            "指定都市・特別区でも都道府県名を印字します",
            field,
        )
    ]


def check_issuer(
    mayor_title: str,
    mayor_name: str,
    deputy: Deputy | None = None,
    fixed_phrase: str = "",
    blank_overflow: bool = False,
    *,
    prefecture: str,
) -> IssuerText:
    """The settings as they will be printed (surrounding spaces dropped). Titles and names are
    required (§1.3.9 does not let a certifier go unnamed), titles begin with ``prefecture``
    (§5.6), every text at most 40 characters on one line (``CERTIFIER_TEXT``), and the
    deputy's period may not end before it starts. Every fault is told at once."""
    title, name = mayor_title.strip(), mayor_name.strip()
    problems: list[Violation] = []
    if not title:
        problems.append(
            Violation(
                "certificate.issuer_title_required", "認証者の職名を入力してください", "mayor_title"
            )
        )
    if not name:  # the standard does not let a certifier go unnamed (「○○長 公印」)
        problems.append(
            Violation(
                "certificate.issuer_name_required", "認証者の氏名を入力してください", "mayor_name"
            )
        )
    problems += _prefecture_problems(title, prefecture, "mayor_title", "認証者の職名")
    problems += _text_problems(title, "mayor_title", "認証者の職名")
    problems += _text_problems(name, "mayor_name", "認証者の氏名")
    phrase = fixed_phrase.strip()
    problems += _text_problems(phrase, "fixed_phrase", "固定文言")
    checked_deputy = None
    if deputy is not None:
        checked_deputy = Deputy(
            deputy.title.strip(), deputy.name.strip(), deputy.starts_on, deputy.ends_on
        )
        if not checked_deputy.title:
            problems.append(
                Violation(
                    "certificate.issuer_title_required",
                    "職務代理者の職名を入力してください",
                    "deputy.title",
                )
            )
        if not checked_deputy.name:
            problems.append(
                Violation(
                    "certificate.issuer_name_required",
                    "職務代理者の氏名を入力してください",
                    "deputy.name",
                )
            )
        problems += _prefecture_problems(
            checked_deputy.title, prefecture, "deputy.title", "職務代理者の職名"
        )
        problems += _text_problems(checked_deputy.title, "deputy.title", "職務代理者の職名")
        problems += _text_problems(checked_deputy.name, "deputy.name", "職務代理者の氏名")
        starts, ends = deputy.starts_on, deputy.ends_on
        if ends is not None and (starts is None or ends < starts):
            problems.append(
                Violation(
                    "certificate.deputy_period_invalid",
                    "職務代理の終了日は開始日以降の日付にしてください（開始日も必要です）",
                    "deputy.ends_on",
                )
            )
    if problems:
        raise RuleViolations(*problems)
    return IssuerText(title, name, checked_deputy, phrase, blank_overflow)
