"""Shipped catalog and demo files validate and hold Định Hóa's facts; the loader refuses bad files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from danvan_desktop import paths
from danvan_desktop.catalog.files import shipped_catalog_paths
from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.catalog.loader import load_catalog_file, load_checked
from danvan_desktop.catalog.schema import CatalogFile, UnitEntry
from danvan_desktop.errors import CatalogError

OLD_END = dt.date(2025, 6, 30)
NEW_START = dt.date(2025, 7, 1)

OLD_XA = {
    "Bảo Cường", "Bảo Linh", "Bình Thành", "Bình Yên", "Bộc Nhiêu", "Điềm Mặc", "Định Biên",
    "Đồng Thịnh", "Kim Phượng", "Lam Vỹ", "Linh Thông", "Phú Đình", "Phú Tiến", "Phúc Chu",
    "Phượng Tiến", "Quy Kỳ", "Sơn Phú", "Tân Dương", "Tân Thịnh", "Thanh Định", "Trung Hội",
    "Trung Lương",
}  # fmt: skip

# New xã (from 1/7/2025) -> names of the old units merged into it (Nghị quyết 1683/NQ-UBTVQH15;
# Bảo Cường had gone into Chợ Chu on 1/12/2024, Nghị quyết 1240/NQ-UBTVQH15, unverified).
NEW_XA = {
    "Định Hóa": {"Chợ Chu", "Phúc Chu", "Bảo Linh", "Đồng Thịnh"},
    "Bình Yên": {"Trung Lương", "Định Biên", "Thanh Định", "Bình Yên"},
    "Trung Hội": {"Phú Tiến", "Bộc Nhiêu", "Trung Hội"},
    "Phượng Tiến": {"Tân Dương", "Tân Thịnh", "Phượng Tiến"},
    "Phú Đình": {"Điềm Mặc", "Phú Đình"},
    "Bình Thành": {"Sơn Phú", "Bình Thành"},
    "Kim Phượng": {"Quy Kỳ", "Kim Phượng"},
    "Lam Vỹ": {"Linh Thông", "Lam Vỹ"},
}

HEADER = "catalog_version: 1\ntitle: Thử nghiệm\n"


def _catalog_files() -> list[Path]:
    return shipped_catalog_paths(paths.catalog_dir())


def _demo_files() -> list[Path]:
    return sorted(paths.demo_dir().glob("*.yaml"))


@pytest.fixture(scope="module")
def shipped() -> CatalogFile:
    """All shipped catalog files merged into one object for content checks."""
    files = load_checked(_catalog_files())
    return CatalogFile(
        catalog_version=1,
        title="merged",
        units=[u for f in files for u in f.units],
        lineage=[x for f in files for x in f.lineage],
        organizations=[o for f in files for o in f.organizations],
        criteria_sets=[c for f in files for c in f.criteria_sets],
        programmes=[p for f in files for p in f.programmes],
    )


def test_resource_folders_hold_yaml_files() -> None:
    assert len(_catalog_files()) >= 4
    assert len(_demo_files()) >= 1


@pytest.mark.parametrize("path", _catalog_files() + _demo_files(), ids=lambda p: p.name)
def test_each_shipped_file_matches_the_schema(path: Path) -> None:
    catalog = load_catalog_file(path)
    assert catalog.catalog_version >= 1
    assert catalog.title


def test_shipped_catalog_and_demo_are_consistent_together() -> None:
    catalogs = load_checked(_catalog_files() + _demo_files())
    assert len(catalogs) == len(_catalog_files()) + len(_demo_files())


def _by_code(catalog: CatalogFile) -> dict[str, UnitEntry]:
    return {u.code: u for u in catalog.units}


def test_thai_nguyen_and_dinh_hoa_district(shipped: CatalogFile) -> None:
    units = _by_code(shipped)
    assert units["TN"].name == "Thái Nguyên"
    assert units["TN"].kind is UnitKind.TINH
    assert units["TN"].valid_to is None
    dh = units["DH"]
    assert (dh.name, dh.kind, dh.parent, dh.valid_to) == ("Định Hóa", UnitKind.HUYEN, "TN", OLD_END)


def test_dinh_hoa_has_cho_chu_and_exactly_22_xa_until_mid_2025(shipped: CatalogFile) -> None:
    children = [u for u in shipped.units if u.parent == "DH"]
    towns = [u for u in children if u.kind is UnitKind.THI_TRAN]
    xa = [u for u in children if u.kind is UnitKind.XA]
    assert [t.name for t in towns] == ["Chợ Chu"]
    assert len(xa) == 22
    assert {u.name for u in xa} == OLD_XA
    assert len(children) == 23
    (bao_cuong,) = [u for u in children if u.name == "Bảo Cường"]
    assert bao_cuong.code == "DH-BAOCUONG"
    assert bao_cuong.valid_to == dt.date(2024, 11, 30)
    assert all(u.valid_to == OLD_END for u in children if u is not bao_cuong)
    assert all(u.valid_from <= dt.date(2021, 1, 1) for u in children)


def test_bao_cuong_went_into_cho_chu_on_1_december_2024(shipped: CatalogFile) -> None:
    (link,) = [x for x in shipped.lineage if x.from_code == "DH-BAOCUONG"]
    assert (link.to_code, link.date, link.kind) == ("DH-CHOCHU", dt.date(2024, 12, 1), "merge")
    assert link.verified is False and link.source and "1240/NQ-UBTVQH15" in link.source


def test_eight_new_xa_of_dinh_hoa_from_july_2025_with_lineage(shipped: CatalogFile) -> None:
    units = _by_code(shipped)
    from_dh = {
        x.to_code for x in shipped.lineage if units[x.from_code].parent == "DH" and x.date == NEW_START
    }
    new = {code: units[code] for code in from_dh}
    assert {u.name for u in new.values()} == set(NEW_XA)
    assert len(new) == 8
    assert all(u.valid_from == NEW_START and u.kind is UnitKind.XA for u in new.values())
    assert all(u.parent == "TN" and u.valid_to is None for u in new.values())
    for code, unit in new.items():
        sources = {units[link.from_code].name for link in shipped.lineage if link.to_code == code}
        assert sources == NEW_XA[unit.name], unit.name
        assert all(link.date == NEW_START for link in shipped.lineage if link.to_code == code), unit.name


def test_every_old_commune_flows_into_exactly_one_new_xa(shipped: CatalogFile) -> None:
    old = [u.code for u in shipped.units if u.parent == "DH"]
    for code in old:
        targets = [link.to_code for link in shipped.lineage if link.from_code == code]
        assert len(targets) == 1, code


def test_six_organizations(shipped: CatalogFile) -> None:
    codes = {o.code for o in shipped.organizations}
    assert codes == {"MTTQ", "HLHPN", "DTN", "HND", "HCCB", "CD"}
    assert len(shipped.organizations) == 6
    assert all(o.branch_label for o in shipped.organizations)


def test_ntm_criteria_sets_with_19_and_10_criteria(shipped: CatalogFile) -> None:
    sets = {c.criteria_count: c for c in shipped.criteria_sets}
    assert set(sets) == {19, 10}
    old, new = sets[19], sets[10]
    assert "318" in old.decision
    assert len(old.groups) == 5
    assert [c.number for g in old.groups for c in g.criteria] == list(range(1, 20))
    assert [c.number for g in new.groups for c in g.criteria] == list(range(1, 11))
    assert new.valid_from == dt.date(2026, 2, 15)
    assert old.valid_to is not None and old.valid_to < new.valid_from


def test_project_05_with_phases(shipped: CatalogFile) -> None:
    (project,) = [p for p in shipped.programmes if p.code == "DA05-TU"]
    assert project.issued == dt.date(2021, 4, 9)
    assert (project.start_year, project.end_year) == (2021, 2025)
    assert {ph.kind for ph in project.phases} == {"so_ket", "tong_ket"}
    assert all(ph.start <= ph.end for ph in project.phases)


def test_demo_villages_cover_every_old_commune() -> None:
    (demo,) = load_checked(_catalog_files() + _demo_files())[-1:]
    assert len(demo.units) == 228
    assert all(UnitKind(u.kind).is_village_level for u in demo.units)
    parents = {u.parent for u in demo.units}
    assert len(parents) == 23
    assert sum(1 for u in demo.units if u.parent == "DH-PHUCCHU") == 6


# --- the loader refuses bad files ---------------------------------------------------------


def _write(tmp_path: Path, body: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _refused(path: Path) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        load_checked([path])
    return info.value


def test_malformed_yaml(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, "units: [\n  - {code: A, name: 'x'\n"))
    assert "không đúng định dạng YAML" in error.message
    assert "bad.yaml" in error.message


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    assert "không có nội dung hợp lệ" in _refused(path).message


def test_missing_field(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, "units:\n  - {code: A, kind: xa, valid_from: 2020-01-01}\n"))
    assert "bad.yaml" in error.message
    assert error.problems == ["units.0.name: thiếu trường bắt buộc"]


@pytest.mark.parametrize("value", ["30/02/2023", "2023-02-30", "2023-13-01", "hôm nay"])
def test_bad_date(tmp_path: Path, value: str) -> None:
    body = f"units:\n  - {{code: A, name: A, kind: xa, valid_from: '{value}'}}\n"
    for text in (body, body.replace(f"'{value}'", value)):  # quoted and bare YAML scalars
        error = _refused(_write(tmp_path, text))
        assert error.problems == ["units.0.valid_from: ngày không hợp lệ (dạng YYYY-MM-DD)"], text


def test_bad_code_and_unknown_kind(tmp_path: Path) -> None:
    error = _refused(
        _write(tmp_path, "units:\n  - {code: a b, name: A, kind: quan_huyen, valid_from: 2020-01-01}\n")
    )
    assert any(p.startswith("units.0.code: mã chỉ gồm chữ in hoa") for p in error.problems)
    assert any(p.startswith("units.0.kind:") for p in error.problems)


def test_duplicate_code(tmp_path: Path) -> None:
    body = (
        "units:\n"
        "  - {code: A, name: A, kind: tinh, valid_from: 2020-01-01}\n"
        "  - {code: A, name: B, kind: tinh, valid_from: 2020-01-01}\n"
    )
    error = _refused(_write(tmp_path, body))
    assert error.problems == ["bad.yaml: đơn vị A: mã bị trùng"]
    assert "Danh mục có 1 lỗi" in error.message


def test_unknown_parent(tmp_path: Path) -> None:
    error = _refused(
        _write(tmp_path, "units:\n  - {code: A, name: A, kind: xa, parent: ZZZ, valid_from: 2020-01-01}\n")
    )
    assert error.problems == ["bad.yaml: đơn vị A: không có đơn vị cấp trên mã ZZZ"]
    assert "ZZZ" in str(error)


def test_lineage_to_unknown_unit(tmp_path: Path) -> None:
    body = (
        "units:\n  - {code: A, name: A, kind: tinh, valid_from: 2020-01-01}\n"
        "lineage:\n  - {from: A, to: NOWHERE, date: 2025-07-01}\n"
    )
    error = _refused(_write(tmp_path, body))
    assert error.problems == ["bad.yaml: kế thừa A→NOWHERE: không có đơn vị NOWHERE"]


def test_lineage_into_unit_not_yet_valid(tmp_path: Path) -> None:
    body = (
        "units:\n"
        "  - {code: A, name: A, kind: tinh, valid_from: 2020-01-01}\n"
        "  - {code: B, name: B, kind: tinh, valid_from: 2026-01-01}\n"
        "lineage:\n  - {from: A, to: B, date: 2025-07-01}\n"
    )
    (problem,) = _refused(_write(tmp_path, body)).problems
    assert "chưa có hiệu lực vào ngày 01/07/2025" in problem


def test_criteria_count_mismatch(tmp_path: Path) -> None:
    body = (
        "criteria_sets:\n"
        "  - code: NTM-X\n    title: T\n    decision: D\n    valid_from: 2022-01-01\n"
        "    criteria_count: 3\n"
        "    groups:\n      - name: G\n        criteria:\n"
        "          - {number: 1, name: A}\n          - {number: 2, name: B}\n"
    )
    error = _refused(_write(tmp_path, body))
    assert error.problems == ["bad.yaml: bộ tiêu chí NTM-X: khai báo 3 tiêu chí nhưng liệt kê 2"]


def test_cycle_and_reversed_dates(tmp_path: Path) -> None:
    body = (
        "units:\n"
        "  - {code: A, name: A, kind: tinh, parent: B, valid_from: 2020-01-01, valid_to: 2019-01-01}\n"
        "  - {code: B, name: B, kind: tinh, parent: A, valid_from: 2018-01-01}\n"
    )
    problems = _refused(_write(tmp_path, body)).problems
    assert "bad.yaml: đơn vị A: ngày hết hiệu lực trước ngày bắt đầu" in problems
    assert any("vòng lặp" in p for p in problems)


def test_later_file_may_refer_to_earlier_file(tmp_path: Path) -> None:
    first = _write(tmp_path, "units:\n  - {code: A, name: A, kind: tinh, valid_from: 2020-01-01}\n", "1.yaml")
    second = _write(
        tmp_path, "units:\n  - {code: B, name: B, kind: xa, parent: A, valid_from: 2020-01-01}\n", "2.yaml"
    )
    assert [len(c.units) for c in load_checked([first, second])] == [1, 1]
    with pytest.raises(CatalogError):
        load_checked([second, first])
