"""Relationship to the householder (続柄) and the household display order.

Standard §1.1.11 (110) allows only: 世帯主; the base terms 夫, 妻, 夫（未届）, 妻（未届）,
子, 父, 母, 兄, 姉, 弟, 妹; chains of base terms joined with 「の」 of at most four links
(子の夫, 妻の子, 子の子の子の子 — links are counted mechanically); 縁故者 (other
relatives, and anything needing five links or more); and 同居人. Everything else
(祖父, 孫, おじ, 甥, 長男, 家事使用人, 準世帯主 …) is refused, with the wording the
standard expects where there is an obvious one.

§5.2 (1010) orders household members; :func:`display_rank` and :func:`sort_members` implement it
from the relationship text alone (see :func:`display_rank` for what that cannot know).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Final, TypeVar

from jichitai.domain.errors import InvalidValue, invalid

__all__ = [
    "BASE_TERMS",
    "HEAD",
    "MAX_LINKS",
    "RELATIONSHIP_CODES",
    "SPECIAL_TERMS",
    "Relationship",
    "display_rank",
    "sort_members",
]

HEAD_TERM: Final = "世帯主"
RELATIVE_TERM: Final = "縁故者"
LODGER_TERM: Final = "同居人"
SPECIAL_TERMS: Final = frozenset({HEAD_TERM, RELATIVE_TERM, LODGER_TERM})

SPOUSE_TERMS: Final = frozenset({"夫", "妻", "夫（未届）", "妻（未届）"})
PARENT_TERMS: Final = frozenset({"父", "母"})
SIBLING_TERMS: Final = frozenset({"兄", "姉", "弟", "妹"})
CHILD_TERM: Final = "子"
BASE_TERMS: Final = SPOUSE_TERMS | PARENT_TERMS | SIBLING_TERMS | {CHILD_TERM}
MAX_LINKS: Final = 4
_JOINER: Final = "の"

# Codes seen in one municipality's export (standards.md §3). The full official code table was not
# available: unknown relationships have no code here, and nothing should depend on this being
# complete.
RELATIONSHIP_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "世帯主": "02",
        "夫": "11",
        "妻": "12",
        "夫（未届）": "13",
        "妻（未届）": "14",
        "子": "20",
        "父": "51",
        "母": "52",
        "兄": "71",
        "弟": "74",
        "姉": "81",
        "妹": "84",
        "縁故者": "96",
        "同居人": "99",
    }
)

# Family-register and everyday words for a child: all are 「子」 since 1995-03-01.
_CHILD_WORDS: Final = (
    "長男", "長女", "次男", "次女", "二男", "二女", "三男", "三女", "四男", "四女",
    "五男", "五女", "養子", "養女", "実子", "息子", "娘", "子供", "子ども",
)  # fmt: skip

# Terms the standard does not allow, on their own → the wording(s) to use instead.
_REPLACEMENTS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "孫": ("子の子",),
        "ひ孫": ("子の子の子",),
        "曾孫": ("子の子の子",),
        "曽孫": ("子の子の子",),
        "玄孫": ("子の子の子の子",),
        "祖父": ("父の父", "母の父"),
        "祖母": ("父の母", "母の母"),
        **dict.fromkeys(_CHILD_WORDS, ("子",)),
        "甥": ("兄の子", "姉の子", "弟の子", "妹の子"),
        "姪": ("兄の子", "姉の子", "弟の子", "妹の子"),
        "おい": ("兄の子", "姉の子", "弟の子", "妹の子"),
        "めい": ("兄の子", "姉の子", "弟の子", "妹の子"),
        "おじ": ("父の兄", "父の弟", "母の兄", "母の弟"),
        "叔父": ("父の弟", "母の弟"),
        "伯父": ("父の兄", "母の兄"),
        "おば": ("父の姉", "父の妹", "母の姉", "母の妹"),
        "叔母": ("父の妹", "母の妹"),
        "伯母": ("父の姉", "母の姉"),
        "家事使用人": ("同居人",),
        "使用人": ("同居人",),
        "雇人": ("同居人",),
        "従業員": ("同居人",),
        "下宿人": ("同居人",),
        "知人": ("同居人",),
        "友人": ("同居人",),
        "内縁の夫": ("夫（未届）",),
        "内縁の妻": ("妻（未届）",),
        "婿": ("子の夫",),
        "娘婿": ("子の夫",),
        "女婿": ("子の夫",),
        "嫁": ("子の妻",),
        "義父": ("妻の父", "夫の父"),
        "義母": ("妻の母", "夫の母"),
        "養父": ("父",),
        "実父": ("父",),
        "養母": ("母",),
        "実母": ("母",),
        "継父": ("母の夫",),
        "継母": ("父の妻",),
        "継子": ("妻の子", "夫の子"),
        "連れ子": ("妻の子", "夫の子"),
        "兄弟": ("兄", "弟"),
        "姉妹": ("姉", "妹"),
        "配偶者": ("夫", "妻"),
        "本人": ("世帯主",),
        "準世帯主": (),
    }
)

# A word as a link of a chain, relative to the person before it: 「長男の嫁」 is the eldest son's
# wife (子の妻), while 「嫁」 alone is the householder's daughter-in-law (also 子の妻).
_CHAIN_LINKS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(_CHILD_WORDS, "子"),
        "孫": "子の子",
        "ひ孫": "子の子の子",
        "曾孫": "子の子の子",
        "曽孫": "子の子の子",
        "玄孫": "子の子の子の子",
        "嫁": "妻",
        "婿": "夫",
        "娘婿": "子の夫",
        "女婿": "子の夫",
        "養父": "父",
        "実父": "父",
        "養母": "母",
        "実母": "母",
    }
)

_ALLOWED_HINT: Final = (
    "世帯主、夫、妻、夫（未届）、妻（未届）、子、父、母、兄、姉、弟、妹を「の」でつないだもの"
    f"（{MAX_LINKS}つまで）、縁故者、同居人のいずれかを記載してください。"
)
_NORMALIZE: Final = str.maketrans({"(": "（", ")": "）", " ": None, "\u3000": None})


@dataclass(frozen=True, slots=True)
class Relationship:
    """A relationship to the householder, e.g. 「子の妻」. Build it with :meth:`parse`."""

    text: str

    HEAD: ClassVar[Relationship]

    @classmethod
    def parse(cls, text: str, field: str = "relationship") -> Relationship:
        """Validate and normalise (spaces removed, ``夫(未届)`` → ``夫（未届）``).

        Codes: ``relationship.required``, ``relationship.not_allowed`` (with the standard's wording
        when there is one), ``relationship.too_many_links`` (five links or more: use 縁故者).
        """
        term = text.translate(_NORMALIZE).replace("未届け", "未届")
        if not term:
            raise invalid("relationship.required", "続柄を入力してください。", field)
        if term in SPECIAL_TERMS or term in BASE_TERMS:
            return cls(term)
        if term in _REPLACEMENTS:
            raise _not_allowed(term, _REPLACEMENTS[term], field)
        links = term.split(_JOINER)
        if all(link in BASE_TERMS for link in links):
            if len(links) > MAX_LINKS:
                raise invalid(
                    "relationship.too_many_links",
                    f"続柄「{term}」は{len(links)}世代になります。「の」でつなげられるのは"
                    f"{MAX_LINKS}世代までです。5世代以上は「縁故者」と記載してください。",
                    field,
                )
            return cls(term)
        raise _not_allowed(term, _suggest_chain(links), field)

    @property
    def links(self) -> tuple[str, ...]:
        """The base terms of a chain (「子の妻」 → ("子", "妻")); a special term is one link."""
        if self.text in SPECIAL_TERMS:
            return (self.text,)
        return tuple(self.text.split(_JOINER))

    @property
    def is_head(self) -> bool:
        return self.text == HEAD_TERM

    @property
    def is_spouse(self) -> bool:
        """夫, 妻, 夫（未届）or 妻（未届）of the householder."""
        return self.text in SPOUSE_TERMS

    @property
    def code(self) -> str | None:
        """The code from :data:`RELATIONSHIP_CODES`, or None where it is not known."""
        return RELATIONSHIP_CODES.get(self.text)

    def __str__(self) -> str:
        return self.text


HEAD: Final = Relationship(HEAD_TERM)
Relationship.HEAD = HEAD


def _suggest_chain(links: Sequence[str]) -> tuple[str, ...]:
    """Rewrite a chain link by link (妻の孫 → 妻の子の子, 長男の嫁 → 子の妻) if every link has
    a relative meaning in :data:`_CHAIN_LINKS`; () when there is no safe rewriting.
    """
    if len(links) > 1 and links[0] == HEAD_TERM:  # 世帯主の子 → 子
        links = links[1:]
    rewritten: list[str] = []
    for link in links:
        if link in BASE_TERMS:
            rewritten.append(link)
        elif link in _CHAIN_LINKS:
            rewritten.append(_CHAIN_LINKS[link])
        else:
            return ()
    chain = _JOINER.join(rewritten)
    if chain.count(_JOINER) + 1 > MAX_LINKS:
        return (RELATIVE_TERM,)
    return (chain,)


def _not_allowed(term: str, alternatives: tuple[str, ...], field: str) -> InvalidValue:
    if not alternatives:
        return invalid(
            "relationship.not_allowed", f"続柄「{term}」は使用できません。{_ALLOWED_HINT}", field
        )
    wording = "、".join(f"「{alt}」" for alt in alternatives)
    if len(alternatives) > 1:
        wording = f"{wording}のいずれか"
    return invalid(
        "relationship.not_allowed",
        f"続柄「{term}」は使用できません。{wording}と記載してください。",
        field,
    )


# --- §5.2 display order -------------------------------------------------------------------


def display_rank(rel: Relationship) -> tuple[int, ...]:
    """The §5.2 (1010) rank of a relationship; lower comes first.

    * (1, 0) 世帯主; (1, 1) spouse (夫, 妻, 夫（未届）, 妻（未届）); (1, 2) 子.
      A spouse's child (妻の子, 夫の子 …) ranks with 子 (the couple-and-children group),
      and its descendants like 子's.
    * (2, n) the children's families: (2, 1) 子の夫/子の妻, (2, 2) 子の子, (2, 3) 子の子の夫/妻,
      (2, 4) 子の子の子 … (n = 2 × (generations − 1) + 1 for a spouse).
    * (3, 0) 父, 母; (3, 1) 兄, 姉, 弟, 妹; (3, 2) 父の父, 父の母, 母の父, 母の母.
    * (4, 0, k) other relatives, ordered like rank 3 after their anchor: k = 0 parents (妻の父),
      1 siblings (妻の兄), 2 grandparents (妻の父の母), 3 anything else (兄の子, 父の兄 …).
    * (4, 1) 縁故者; (4, 2) 同居人.

    The relationship alone cannot tell *whose* spouse or child a 子の妻 or 子の子 is, nor
    which parent is the 筆頭者, so §5.2's grouping of each child with their own family is
    approximated by generation; the standard lets the order be set by hand where needed.
    """
    text = rel.text
    if text == HEAD_TERM:
        return (1, 0)
    if text in SPOUSE_TERMS:
        return (1, 1)
    if text == RELATIVE_TERM:
        return (4, 1)
    if text == LODGER_TERM:
        return (4, 2)
    links = rel.links
    core = (
        links[1:]
        if len(links) > 1 and links[0] in SPOUSE_TERMS and links[1] == CHILD_TERM
        else links
    )
    if core[0] == CHILD_TERM and all(link == CHILD_TERM or link in SPOUSE_TERMS for link in core):
        generations = core.count(CHILD_TERM)
        spouse = 1 if core[-1] in SPOUSE_TERMS else 0
        if generations == 1 and not spouse:
            return (1, 2)
        return (2, 2 * (generations - 1) + spouse)
    family_rank = _family_rank(links)
    if family_rank is not None:
        return (3, family_rank)
    anchored = links[1:] if links[0] in SPOUSE_TERMS else links
    anchored_rank = _family_rank(anchored)
    return (4, 0, 3 if anchored_rank is None else anchored_rank)


def _family_rank(links: Sequence[str]) -> int | None:
    """0 parents, 1 siblings, 2 grandparents (as links from someone); None for anything else."""
    if len(links) == 1 and links[0] in PARENT_TERMS:
        return 0
    if len(links) == 1 and links[0] in SIBLING_TERMS:
        return 1
    if len(links) == 2 and links[0] in PARENT_TERMS and links[1] in PARENT_TERMS:
        return 2
    return None


T = TypeVar("T")


def sort_members(
    members: Sequence[T],
    *,
    relationship: Callable[[T], Relationship],
    birth_key: Callable[[T], Any],
    id_key: Callable[[T], str],
) -> list[T]:
    """Members in §5.2 order: :func:`display_rank`, then birth (older first), then 宛名番号.

    ``birth_key`` must give comparable values (e.g. a date, or a tuple that sorts unknown dates
    last); ``id_key`` gives the 宛名番号.
    """
    return sorted(
        members,
        key=lambda member: (display_rank(relationship(member)), birth_key(member), id_key(member)),
    )
