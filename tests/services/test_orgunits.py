"""Org-unit queries on the demo database: lineage, dated subtrees, accent-free search, suggestions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import OrgUnit, UnitLineage
from danvan_desktop.errors import UnknownUnitError
from danvan_desktop.services.office.orgunits import (
    dated_subtree,
    find_unit,
    is_valid_during,
    predecessors,
    search_units,
    successors,
    suggest_units,
    unit_covering,
    unit_label,
    units_covering,
)
from danvan_desktop.text import fold

Y2023 = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
Y2026 = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
NEW_XA = {
    "TN-DINHHOA",
    "TN-BINHYEN",
    "TN-TRUNGHOI",
    "TN-PHUONGTIEN",
    "TN-PHUDINH",
    "TN-BINHTHANH",
    "TN-KIMPHUONG",
    "TN-LAMVY",
}


@pytest.fixture
def session(demo_db: Database) -> Iterator[Session]:
    with demo_db.session() as s:
        yield s


def test_find_unit_by_code_ignores_case_and_spaces(session: Session) -> None:
    unit = find_unit(session, "  dh-phucchu ")
    assert unit.code == "DH-PHUCCHU"
    assert unit_label(unit) == "Xã Phúc Chu"
    assert unit_label(find_unit(session, "DH-CHOCHU")) == "Thị trấn Chợ Chu"


@pytest.mark.parametrize(
    ("typed", "right"),
    [
        ("DH-PHUCHU", "DH-PHUCCHU"),
        ("phucchu", "DH-PHUCCHU"),
        ("phuc chu", "DH-PHUCCHU"),
        ("DH-DINHBEN", "DH-DINHBIEN"),
    ],
)
def test_wrong_code_suggests_the_right_one(session: Session, typed: str, right: str) -> None:
    with pytest.raises(UnknownUnitError) as info:
        find_unit(session, typed)
    error = info.value
    assert error.code == typed
    assert any(s.split(" ")[0] == right for s in error.suggestions), error.suggestions
    assert right in error.message
    assert "Không tìm thấy đơn vị" in error.message


def test_nonsense_code_gets_a_search_hint(session: Session) -> None:
    with pytest.raises(UnknownUnitError) as info:
        find_unit(session, "QQQQQQQQQQQQ")
    assert info.value.suggestions == []
    assert "danvan units --search" in info.value.message


def test_suggestions_are_limited(session: Session) -> None:
    assert len(suggest_units(session, "DH-", limit=3)) <= 3


def test_phuc_chu_belongs_to_xa_dinh_hoa_after_2025(session: Session) -> None:
    phuc_chu = find_unit(session, "DH-PHUCCHU")
    assert [u.code for u in successors(session, phuc_chu)] == ["TN-DINHHOA"]


def test_old_communes_rolling_up_into_xa_dinh_hoa(session: Session) -> None:
    dinh_hoa = find_unit(session, "TN-DINHHOA")
    names = {u.name for u in predecessors(session, dinh_hoa)}
    assert names == {"Chợ Chu", "Phúc Chu", "Bảo Linh", "Đồng Thịnh", "Bảo Cường"}


def test_bac_kan_rolls_into_thai_nguyen(session: Session) -> None:
    assert [u.code for u in predecessors(session, find_unit(session, "TN"))] == ["BK"]
    assert successors(session, find_unit(session, "TN")) == []


def test_every_old_commune_has_exactly_one_successor(session: Session) -> None:
    dh = find_unit(session, "DH")
    old = session.scalars(select(OrgUnit).where(OrgUnit.parent_id == dh.id))
    for unit in old:  # Bảo Cường went into Chợ Chu (1/12/2024) first, and so into xã Định Hóa
        later = [u for u in successors(session, unit) if u.valid_from >= dt.date(2025, 7, 1)]
        assert len(later) == 1, unit.code
        assert later[0].code in NEW_XA


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2023, 6, 1), "DH-PHUCCHU"),
        (dt.date(2025, 6, 30), "DH-PHUCCHU"),
        (dt.date(2025, 7, 1), "TN-DINHHOA"),
        (dt.date(2030, 1, 1), "TN-DINHHOA"),
        (dt.date(1990, 1, 1), None),
    ],
)
def test_unit_covering(session: Session, day: dt.date, expected: str | None) -> None:
    covering = unit_covering(session, find_unit(session, "DH-PHUCCHU"), day)
    assert (covering.code if covering else None) == expected


def test_a_split_unit_is_covered_by_every_successor_and_by_none_alone(session: Session) -> None:
    """Part of a former commune's territory went to a second new unit: unit_covering cannot name one."""
    old = find_unit(session, "DH-PHUCCHU")
    (first,) = units_covering(session, old, dt.date(2026, 1, 1))
    other = session.scalars(
        select(OrgUnit).where(
            OrgUnit.valid_from == first.valid_from, OrgUnit.kind == first.kind, OrgUnit.id != first.id
        )
    ).first()
    assert other is not None and other.kind == first.kind
    session.add(
        UnitLineage(from_unit_id=old.id, to_unit_id=other.id, effective=first.valid_from, kind="split")
    )
    session.flush()
    assert {u.id for u in units_covering(session, old, dt.date(2026, 1, 1))} == {first.id, other.id}
    assert unit_covering(session, old, dt.date(2026, 1, 1)) is None
    assert units_covering(session, old, dt.date(2024, 1, 1)) == [old]


def test_village_is_covered_only_while_it_exists(session: Session) -> None:
    village = session.scalars(select(OrgUnit).where(OrgUnit.source == "demo")).first()
    assert village is not None
    assert unit_covering(session, village, dt.date(2023, 1, 1)) is village
    assert unit_covering(session, village, dt.date(2026, 1, 1)) is None  # no lineage for villages


def test_demo_office_tree_in_2023(session: Session) -> None:
    tree = dated_subtree(session, find_unit(session, "DH").id, *Y2023)
    assert tree is not None
    assert tree.code == "DH"
    assert tree.display == "Huyện Định Hóa"
    assert len(tree.children) == 23
    assert tree.children[0].display == "Thị trấn Chợ Chu"  # towns first, as official lists do
    assert all(c.kind in {"xa", "thi_tran"} for c in tree.children)
    villages = [n for n in tree.walk() if n.kind in {"xom", "to_dan_pho"}]
    assert len(villages) == 228
    assert len(tree.walk()) == 1 + 23 + 228
    phuc_chu = next(c for c in tree.children if c.code == "DH-PHUCCHU")
    assert len(phuc_chu.children) == 6
    names = [c.name for c in tree.children[1:]]
    assert [fold(n) for n in names] == sorted(fold(n) for n in names)


def test_demo_office_tree_in_2026_is_gone(session: Session) -> None:
    assert dated_subtree(session, find_unit(session, "DH").id, *Y2026) is None


def test_unknown_root_gives_none(session: Session) -> None:
    assert dated_subtree(session, 987_654, *Y2023) is None


def test_province_tree_in_2026_holds_the_new_xa(session: Session) -> None:
    tree = dated_subtree(session, find_unit(session, "TN").id, *Y2026)
    assert tree is not None
    children = {c.code for c in tree.children}
    assert children >= NEW_XA
    assert len(children) == 92  # Nghị quyết 1683/NQ-UBTVQH15: 92 communes and wards
    assert all(c.valid_from == dt.date(2025, 7, 1) and c.valid_to is None for c in tree.children)
    codes = {n.code for n in tree.walk()}
    assert "DH" not in codes
    assert "DH-PHUCCHU" not in codes


def test_province_tree_across_the_reform_holds_both_shapes(session: Session) -> None:
    tree = dated_subtree(session, find_unit(session, "TN").id, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert tree is not None
    new = {c.code for c in tree.children if c.valid_from == dt.date(2025, 7, 1)}
    former = {c.code for c in tree.children if c.valid_to == dt.date(2025, 6, 30)}
    assert new >= NEW_XA and len(new) == 92
    assert "DH" in former and len(former) == 9  # the former Thái Nguyên's 9 district-level units
    assert new | former == {c.code for c in tree.children}


def test_is_valid_during_edges(session: Session) -> None:
    dh = find_unit(session, "DH")
    assert is_valid_during(dh, dt.date(2025, 6, 30), dt.date(2025, 6, 30))
    assert not is_valid_during(dh, dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    assert is_valid_during(dh, dt.date(1900, 1, 1), dt.date(1997, 1, 1))


@pytest.mark.parametrize("query", ["dinh hoa", "Định Hóa", "ĐỊNH HÓA", "hoa dinh"])
def test_search_units_finds_dinh_hoa_without_accents(session: Session, query: str) -> None:
    codes = [u.code for u in search_units(session, query)]
    assert "DH" in codes
    assert "TN-DINHHOA" in codes
    assert "DH-DINHBIEN" not in codes


def test_search_units_on_a_date(session: Session) -> None:
    assert [u.code for u in search_units(session, "dinh hoa", on=dt.date(2023, 1, 1))] == ["DH"]
    assert [u.code for u in search_units(session, "dinh hoa", on=dt.date(2026, 1, 1))] == ["TN-DINHHOA"]


def test_search_units_by_code_and_commune_before_villages(session: Session) -> None:
    assert search_units(session, "DH-PHUCCHU")[0].code == "DH-PHUCCHU"
    results = search_units(session, "phuc chu")
    assert results[0].code == "DH-PHUCCHU"
    assert search_units(session, "khong co xa nay") == []
    assert len(search_units(session, "", limit=7)) == 7


def test_like_wildcards_in_search_are_taken_literally(session: Session) -> None:
    assert search_units(session, "%") == []
    assert search_units(session, "_") == []
    assert [u.code for u in search_units(session, "DH-PHUCCHU-0")][:1] == ["DH-PHUCCHU-01"]
