"""続柄: the standard's whitelist, its chains, and the household display order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichitai.domain.errors import InvalidValue
from jichitai.domain.residents.relationships import (
    BASE_TERMS,
    HEAD,
    RELATIONSHIP_CODES,
    Relationship,
    display_rank,
    sort_members,
)


@pytest.mark.spec("1.1.11")
@pytest.mark.parametrize(
    "term",
    [
        "世帯主",
        "夫",
        "妻",
        "夫（未届）",
        "妻（未届）",
        "子",
        "子の夫",
        "子の妻",
        "父",
        "母",
        "兄",
        "姉",
        "弟",
        "妹",
        "妻の子",
        "子の子",
        "父の母",
        "子の子の子の子",
        "縁故者",
        "同居人",
    ],
)
def test_the_standards_relationships_are_accepted(term: str) -> None:
    assert Relationship.parse(term).text == term


@pytest.mark.spec("1.1.11")
@pytest.mark.parametrize(
    ("typed", "stored"),
    [("夫(未届)", "夫（未届）"), (" 妻(未届) ", "妻（未届）"), ("\u3000子の妻\u3000", "子の妻")],
)
def test_half_width_parentheses_and_surrounding_spaces_are_normalised(
    typed: str, stored: str
) -> None:
    assert Relationship.parse(typed) == Relationship(stored)


@pytest.mark.spec("1.1.11")
def test_five_links_are_refused_with_a_pointer_to_enkosha() -> None:
    with pytest.raises(InvalidValue) as caught:
        Relationship.parse("子の子の子の子の子")
    assert caught.value.code == "relationship.too_many_links"
    assert "縁故者" in caught.value.message


@pytest.mark.spec("1.1.11")
@pytest.mark.parametrize(
    ("term", "suggestion"),
    [
        ("孫", "「子の子」"),
        ("祖父", "「父の父」"),
        ("祖母", "「父の母」"),
        ("長男", "「子」"),
        ("長女", "「子」"),
        ("次男", "「子」"),
        ("甥", "「兄の子」"),
        ("姪", "「姉の子」"),
        ("おじ", "「父の兄」"),
        ("おば", "「母の姉」"),
        ("家事使用人", "「同居人」"),
        ("妻の孫", "「妻の子の子」"),
        ("長男の嫁", "「子の妻」"),
        ("世帯主の子", "「子」"),
        ("子の子の子の孫", "「縁故者」"),
    ],
)
def test_terms_outside_the_whitelist_are_refused_with_the_standard_wording(
    term: str, suggestion: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        Relationship.parse(term)
    assert caught.value.code == "relationship.not_allowed"
    assert f"「{term}」は使用できません" in caught.value.message
    assert suggestion in caught.value.message


@pytest.mark.spec("1.1.11")
@pytest.mark.parametrize("term", ["準世帯主", "ペット", "子のの子", "の", "子の世帯主", "義理の兄"])
def test_other_terms_are_refused_with_the_list_of_what_is_allowed(term: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Relationship.parse(term, field="members[2].relationship")
    assert caught.value.code == "relationship.not_allowed"
    assert caught.value.field == "members[2].relationship"
    assert "縁故者、同居人" in caught.value.message


def test_an_empty_relationship_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        Relationship.parse(" ")
    assert caught.value.code == "relationship.required"


base_terms = st.sampled_from(sorted(BASE_TERMS))


@pytest.mark.spec("1.1.11")
@given(st.lists(base_terms, min_size=1, max_size=4))
def test_any_chain_of_up_to_four_base_terms_is_accepted(links: list[str]) -> None:
    relationship = Relationship.parse("の".join(links))
    assert relationship.links == tuple(links)


@pytest.mark.spec("1.1.11")
@given(st.lists(base_terms, min_size=5, max_size=8))
def test_any_chain_of_five_or_more_links_is_refused(links: list[str]) -> None:
    with pytest.raises(InvalidValue) as caught:
        Relationship.parse("の".join(links))
    assert caught.value.code == "relationship.too_many_links"


def test_the_householder_constant_is_the_head() -> None:
    assert Relationship.HEAD is HEAD
    assert HEAD.is_head
    assert str(HEAD) == "世帯主"
    assert HEAD.links == ("世帯主",)
    assert not Relationship.parse("妻").is_head
    assert Relationship.parse("妻（未届）").is_spouse


def test_known_codes_are_available_and_unknown_ones_are_none() -> None:
    assert Relationship.parse("世帯主").code == "02"
    assert Relationship.parse("妻（未届）").code == "14"
    assert Relationship.parse("同居人").code == "99"
    assert Relationship.parse("子の妻").code is None
    assert set(RELATIONSHIP_CODES.values()) >= {"02", "11", "12", "20", "96", "99"}


# --- §5.2 display order ------------------------------------------------------------------------


@pytest.mark.spec("5.2")
def test_relationships_rank_in_the_standards_order() -> None:
    in_order = [
        "世帯主",
        "妻",
        "子",
        "子の妻",
        "子の子",
        "子の子の夫",
        "子の子の子",
        "母",
        "弟",
        "父の父",
        "妻の父",
        "妻の兄",
        "妻の父の母",
        "兄の子",
        "縁故者",
        "同居人",
    ]
    ranks = [display_rank(Relationship.parse(term)) for term in in_order]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)


@pytest.mark.spec("5.2")
def test_spouses_registered_or_not_share_a_rank_and_a_spouses_child_ranks_as_a_child() -> None:
    def rank(term: str) -> tuple[int, ...]:
        return display_rank(Relationship.parse(term))

    assert rank("夫") == rank("妻") == rank("妻（未届）")
    assert rank("妻の子") == rank("子")
    assert rank("妻の子の子") == rank("子の子")
    assert rank("父") == rank("母")
    assert rank("兄") == rank("妹")


@dataclass(frozen=True)
class Member:
    atena: str
    relationship: str
    born: date


def ordered(members: list[Member]) -> list[str]:
    return [
        member.atena
        for member in sort_members(
            members,
            relationship=lambda member: Relationship.parse(member.relationship),
            birth_key=lambda member: member.born,
            id_key=lambda member: member.atena,
        )
    ]


@pytest.mark.spec("5.2")
def test_a_household_is_listed_head_spouse_children_then_family_then_others() -> None:
    household = [
        Member("009", "同居人", date(1990, 1, 1)),
        Member("008", "縁故者", date(1950, 1, 1)),
        Member("007", "妻の弟", date(1972, 1, 1)),
        Member("006", "母", date(1940, 1, 1)),
        Member("005", "子の子", date(2020, 1, 1)),
        Member("004", "子の妻", date(1996, 1, 1)),
        Member("003", "子", date(2000, 1, 1)),
        Member("002", "子", date(1995, 1, 1)),
        Member("001", "妻", date(1968, 1, 1)),
        Member("000", "世帯主", date(1965, 1, 1)),
    ]
    assert ordered(household) == [
        "000",
        "001",
        "002",
        "003",
        "004",
        "005",
        "006",
        "007",
        "008",
        "009",
    ]


@pytest.mark.spec("5.2")
def test_twins_with_the_same_birth_date_are_ordered_by_atena_number() -> None:
    # 例2: the wife's elder brother and elder sister, twins, go by 宛名番号.
    twins = [
        Member("124000000067", "妻の姉", date(1970, 5, 5)),
        Member("123000000045", "妻の兄", date(1970, 5, 5)),
    ]
    assert ordered(twins) == ["123000000045", "124000000067"]


@pytest.mark.spec("5.2")
def test_the_wifes_elder_brother_comes_before_her_younger_brother() -> None:
    # 例1: among relatives of the same rank, the older one comes first.
    brothers = [
        Member("2", "妻の弟", date(1975, 1, 1)),
        Member("1", "妻の兄", date(1965, 1, 1)),
    ]
    assert ordered(brothers) == ["1", "2"]
