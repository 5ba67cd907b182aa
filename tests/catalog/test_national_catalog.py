"""The generated catalog: every province, Thái Nguyên's 92 units sourced and linked, codes, the index."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from danvan_desktop import paths
from danvan_desktop.catalog.files import INDEX_NAME, UNITS_PREFIX, read_index, units_file_for
from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.catalog.loader import load_catalog_file, load_checked
from danvan_desktop.catalog.schema import CatalogFile

REFORM = dt.date(2025, 7, 1)
ROOT = Path(__file__).resolve().parents[2]


def _units_files() -> list[Path]:
    return sorted(paths.catalog_dir().glob(f"{UNITS_PREFIX}*.yaml"))


@pytest.fixture(scope="module")
def thai_nguyen() -> CatalogFile:
    return load_catalog_file(paths.catalog_dir() / f"{UNITS_PREFIX}thai_nguyen.yaml")


def test_one_file_per_province_of_today() -> None:
    files = _units_files()
    assert len(files) == 34
    provinces = []
    for path in files:
        catalog = load_catalog_file(path)
        today = [u for u in catalog.units if u.parent is None and u.valid_to is None]
        assert len(today) == 1, path.name  # the province as it is since 1/7/2025, and only it
        provinces.append(today[0].code)
    assert len(set(provinces)) == 34


def test_thai_nguyen_has_92_units_each_with_a_source_and_a_predecessor(thai_nguyen: CatalogFile) -> None:
    units = {u.code: u for u in thai_nguyen.units}
    new = [u for u in thai_nguyen.units if u.parent == "TN" and u.valid_from == REFORM]
    assert len(new) == 92
    assert all(u.kind.is_commune_level and u.valid_to is None for u in new)
    assert all(u.admin_code and len(u.admin_code) == 5 for u in new)  # the statistics office's code
    for unit in new:
        assert unit.source, unit.code
        links = [x for x in thai_nguyen.lineage if x.to_code == unit.code]
        assert links, unit.code
        assert all(x.source and x.date == REFORM for x in links), unit.code
        assert all(units[x.from_code].valid_to == REFORM - dt.timedelta(days=1) for x in links), unit.code


def test_unconfirmed_facts_stay_unverified(thai_nguyen: CatalogFile) -> None:
    checked = {u.name for u in thai_nguyen.units if u.verified and u.parent == "TN"}
    assert checked == {"Tân Cương", "Đại Phúc", "Thành Công", "Định Hóa"}  # clauses 1-4 read in the text
    for unit in thai_nguyen.units:
        if unit.verified:
            assert unit.source and "1683/NQ-UBTVQH15" in unit.source
    library_only = [x for x in thai_nguyen.lineage if "1683" not in (x.source or "")]
    assert library_only and not any(x.verified for x in library_only)
    (province,) = [u for u in thai_nguyen.units if u.code == "TN"]
    assert province.office_name == "Ban Tuyên giáo và Dân vận Tỉnh ủy Thái Nguyên"
    assert province.verified is False


def test_former_thai_nguyen_and_bac_kan_on_30_june_2025(thai_nguyen: CatalogFile) -> None:
    day = dt.date(2025, 6, 30)
    valid = [
        u for u in thai_nguyen.units if u.valid_from <= day and (u.valid_to is None or day <= u.valid_to)
    ]
    districts = Counter(u.parent for u in valid if u.kind in {UnitKind.HUYEN, UnitKind.THANH_PHO})
    assert districts == {"TN": 9, "BK": 8}
    communes = Counter(u.parent for u in valid if u.kind.is_commune_level)
    under_tn = sum(n for parent, n in communes.items() if _province_of(thai_nguyen, parent) == "TN")
    assert under_tn == 172  # Nghị quyết 1240/NQ-UBTVQH15: 172 commune-level units from 1/12/2024


def test_nq_1240_changes_are_dated(thai_nguyen: CatalogFile) -> None:
    units = {u.code: u for u in thai_nguyen.units}
    dated = [x for x in thai_nguyen.lineage if x.date == dt.date(2024, 12, 1)]
    assert {units[x.from_code].name for x in dated} == {"Bảo Cường", "Vạn Thọ", "Ký Phú", "Na Mao", "Tân Lợi"}
    assert all(units[x.from_code].valid_to == dt.date(2024, 11, 30) for x in dated)
    na_mao = sorted(units[x.to_code].name for x in dated if units[x.from_code].name == "Na Mao")
    assert na_mao == ["Phú Cường", "Phú Xuyên"]  # one commune split between two: two links
    assert all(x.kind == "split" for x in dated if units[x.from_code].name == "Na Mao")
    (van_phu,) = [u for u in thai_nguyen.units if u.name == "Vạn Phú" and u.parent == "TN.DAITU"]
    assert van_phu.valid_from == dt.date(2024, 12, 1)


def test_a_split_commune_has_one_link_per_successor() -> None:
    splits = 0
    for path in _units_files():
        catalog = load_catalog_file(path)
        targets = Counter(x.from_code for x in catalog.lineage if x.date == REFORM)
        for link in catalog.lineage:
            if link.date == REFORM and link.kind == "split":
                assert targets[link.from_code] > 1, link
                splits += 1
            elif link.date == REFORM and link.kind == "merge":
                assert targets[link.from_code] == 1, link
    assert splits > 100


def test_codes_are_unique_in_the_whole_country_and_old_codes_are_kept() -> None:
    codes = Counter(u.code for path in _units_files() for u in load_catalog_file(path).units)
    assert [c for c, n in codes.items() if n > 1] == []
    assert all(len(code) <= 64 for code in codes)
    assert {"TN", "BK", "DH", "DH-PHUCCHU", "DH-CHOCHU", "DH-BAOCUONG", "TN-DINHHOA", "TN-LAMVY"} <= set(
        codes
    )


def test_index_matches_the_files() -> None:
    index = read_index(paths.catalog_dir())
    assert index is not None
    files = _units_files()
    assert index["files"] == [p.name for p in files]
    expected = {(u.code, p.name) for p in files for u in load_catalog_file(p).units}
    assert {(row[0], index["files"][row[-1]]) for row in index["units"]} == expected
    assert units_file_for(paths.catalog_dir(), "DH-PHUCCHU") == f"{UNITS_PREFIX}thai_nguyen.yaml"
    assert units_file_for(paths.catalog_dir(), "NO-SUCH-UNIT") is None


def test_every_shipped_file_passes_the_check_together() -> None:
    catalogs = load_checked(sorted(paths.catalog_dir().glob("*.yaml")))
    assert sum(len(c.units) for c in catalogs) > 14000


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("vietnam_provinces") is None
    or importlib.util.find_spec("vietnamadminunits") is None,
    reason="the generator's libraries are development extras",
)
def test_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "generate_catalog.py"),
            "--out",
            str(tmp_path),
            "--codes-from",
            str(paths.catalog_dir()),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    produced = sorted(p.name for p in tmp_path.iterdir())
    shipped = [p.name for p in _units_files()] + ["DISAGREEMENTS.md", INDEX_NAME]
    assert produced == sorted(shipped)
    for name in produced:
        assert (tmp_path / name).read_bytes() == (paths.catalog_dir() / name).read_bytes(), name


def _province_of(catalog: CatalogFile, code: str | None) -> str | None:
    units = {u.code: u for u in catalog.units}
    while code is not None and units[code].parent is not None:
        code = units[code].parent
    return code


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("vietnam_provinces") is None
    or importlib.util.find_spec("vietnamadminunits") is None,
    reason="the generator's libraries are development extras",
)
def test_generator_keeps_the_codes_already_shipped(tmp_path: Path) -> None:
    """A unit keeps its code (found by official code) even when the rule would now give another."""
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for path in _units_files():
        shutil.copy(path, shipped / path.name)
    tn_file = shipped / f"{UNITS_PREFIX}thai_nguyen.yaml"
    text = tn_file.read_text(encoding="utf-8")
    tn_file.write_text(
        text.replace("code: TN.DAITU-PHUCUONG,", "code: TN.DAITU-PHUCUONG-CU,"), encoding="utf-8"
    )
    out = tmp_path / "out"
    args = ["--out", str(out), "--codes-from", str(shipped)]
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "generate_catalog.py"), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    catalog = load_catalog_file(out / f"{UNITS_PREFIX}thai_nguyen.yaml")
    codes = {u.code for u in catalog.units}
    assert "TN.DAITU-PHUCUONG-CU" in codes and "TN.DAITU-PHUCUONG" not in codes
    assert any(x.to_code == "TN.DAITU-PHUCUONG-CU" for x in catalog.lineage)  # links follow the kept code
