"""Every kind of certificate the register issues, each registered once.

A ``CertificateType`` holds what is particular to one kind: the title its sheets and the issue
history carry, the name the counter lists it under, its certification text (認証文), the sheet
layouts and optional items a request may choose, whether it always shows the 個人番号 and
whether a copy may be issued again. Every list of kinds derives from ``CERTIFICATE_TYPES``: the
counter's choices, the service's checks (which the API and the CLI go through) and the titles
printed on the PDF. ``docs/howto/add-a-certificate-kind.md`` lists the steps to add one.

Only the ``CertificateKind`` values are stored (the issue history's ``kind``) and sent by API
clients and the CLI: a member may be renamed, a value never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Final


class CertificateKind(StrEnum):
    """A kind of certificate (証明書の種類); the values are stored and sent, never changed."""

    RESIDENCE_CERTIFICATE = "juminhyo"
    """住民票の写し: living records only."""
    REMOVED_RECORD_CERTIFICATE = "johyo"
    """住民票の除票の写し: removed records (除票) only."""
    RECORDED_MATTERS_CERTIFICATE = "kisai-jiko"
    """住民票記載事項証明書: living or removed records, not both on one certificate."""
    SEAL_CERTIFICATE = "inkan"
    """印鑑登録証明書: the registered impression and the person's items."""
    MOVE_OUT_CERTIFICATE = "tenshutsu"
    """転出証明書: one person's filed move-out (住民基本台帳法施行令 第23条)."""


class SheetLayout(StrEnum):
    HOUSEHOLD = "household"
    """世帯連記式: the household's address once, up to four persons a sheet."""
    PERSONAL = "personal"
    """個人票: one person a sheet."""

    @property
    def label(self) -> str:
        return "世帯連記式" if self is SheetLayout.HOUSEHOLD else "個人票"


@dataclass(frozen=True, slots=True)
class ItemChoice:
    """Items and marks shown only when asked for (the standard's default is to omit them)."""

    head_and_relationship: bool = False
    domicile: bool = False
    resident_code: bool = False
    individual_number: bool = False
    foreign_items: bool = False
    furigana: bool = False
    """フリガナ in brackets after the name and the 通称 (§5.3)."""
    official_use: bool = False
    """「公用」 on every sheet (§5.7): the copy is for a public office's own use."""


OPTIONAL_ITEMS: Final = tuple(f.name for f in fields(ItemChoice))
"""The optional items a request may ask for, by their ``ItemChoice`` names."""


@dataclass(frozen=True, slots=True)
class CertificateType:
    """One kind of certificate: what its sheets are called and say, and what a request for it
    may choose."""

    kind: CertificateKind
    title: str
    """Printed at the head of every sheet and kept in the issue history (and on ``/verify``)."""
    label: str
    """How the counter lists it among the kinds to choose from."""
    certification: str
    """Its certification text (認証文) on the last sheet; ``contents.certification`` says when a
    copy of a whole household or of 除票 words it otherwise."""
    layouts: tuple[SheetLayout, ...] = ()
    """The sheet layouts a request chooses between; none: the kind has a form of its own and a
    requested layout is not used."""
    items: frozenset[str] = frozenset()
    """The optional items (``OPTIONAL_ITEMS``) a request may ask it to carry; others are left
    out."""
    carries_individual_number: bool = False
    """It always shows the 個人番号: only staff whose duty allows seeing it issue it, or issue it
    again."""
    reissuable: bool = True
    """A copy may be issued again with the content first issued (再交付・再印刷)."""

    @property
    def is_record_copy(self) -> bool:
        """A copy of resident records (住民票の写し等): the requester chooses the persons, the
        layout and the optional items."""
        return bool(self.layouts)

    def chosen_items(self, items: ItemChoice) -> ItemChoice:
        """The items asked for that this kind may carry; the others are not shown."""
        return ItemChoice(
            **{name: getattr(items, name) and name in self.items for name in OPTIONAL_ITEMS}
        )


_EVERY_LAYOUT: Final = (SheetLayout.HOUSEHOLD, SheetLayout.PERSONAL)
_EVERY_ITEM: Final = frozenset(OPTIONAL_ITEMS)

CERTIFICATE_TYPES: Final[tuple[CertificateType, ...]] = (
    CertificateType(
        CertificateKind.RESIDENCE_CERTIFICATE,
        title="住民票の写し",
        label="住民票の写し",
        certification="この写しは、住民票の原本と相違ないことを証明する。",
        layouts=_EVERY_LAYOUT,
        items=_EVERY_ITEM,
    ),
    CertificateType(
        CertificateKind.REMOVED_RECORD_CERTIFICATE,
        title="住民票の除票の写し",
        label="除票の写し（住民票の除票の写し）",
        certification="この写しは、住民票の除票の原本と相違ないことを証明する。",
        layouts=_EVERY_LAYOUT,
        items=_EVERY_ITEM,
    ),
    CertificateType(
        CertificateKind.RECORDED_MATTERS_CERTIFICATE,
        title="住民票記載事項証明書",
        label="住民票記載事項証明書",
        certification="上記の事項は、住民票に記載されていることを証明する。",
        layouts=_EVERY_LAYOUT,
        items=_EVERY_ITEM,
    ),
    CertificateType(
        CertificateKind.SEAL_CERTIFICATE,
        title="印鑑登録証明書",
        label="印鑑登録証明書",
        certification="この写しは、登録されている印影と相違ないことを証明する。",
        # It certifies the registration as it stands on the day: a new one is issued instead.
        reissuable=False,
    ),
    CertificateType(
        CertificateKind.MOVE_OUT_CERTIFICATE,
        title="転出証明書",
        label="転出証明書",
        certification="上記の者は、転出の届出をしたことを証明する。",
        carries_individual_number=True,
    ),
)
"""In the order the counter lists them."""

_BY_KIND: Final = {t.kind: t for t in CERTIFICATE_TYPES}


def certificate_type(kind: CertificateKind) -> CertificateType:
    """The registration of a kind."""
    return _BY_KIND[kind]
