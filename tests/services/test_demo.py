"""The demo database's records: every form filled, every record clean, the inspection's headline figures."""

from __future__ import annotations

import json
import shutil
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop import paths
from danvan_desktop.cli.main import main
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import OrgUnit, Period, Record
from danvan_desktop.demo.build import DEMO_OFFICE, build_demo
from danvan_desktop.demo.records import DEMO_PERIOD, DistrictTargets, fill_district
from danvan_desktop.formspec.validate import validate_record
from danvan_desktop.services.entry.entry import FormContext, form_context
from danvan_desktop.services.office.forms import form_registry, get_form
from danvan_desktop.services.reporting import commune_return_data, summary_data
from tests.reports.pdfcheck import text

RecordKey = tuple[str, str, str]  # form, unit code, values as JSON


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("full-demo") / "demo.sqlite3"
    build_demo(path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir()).close()
    return path


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_file, copy)
    shutil.copytree(demo_file.parent / "keys", tmp_path / "keys")
    return copy


@pytest.fixture
def session(demo_copy: Path) -> Iterator[Session]:
    db = open_database(demo_copy)
    with db.session() as s:
        yield s
    db.close()


def _records(session: Session) -> list[tuple[Record, str]]:
    rows = session.execute(select(Record, OrgUnit.code).join(OrgUnit, Record.org_unit_id == OrgUnit.id))
    return [(record, code) for record, code in rows]


def _keys(session: Session) -> list[RecordKey]:
    return sorted(
        (r.form_id, code, json.dumps(r.values, ensure_ascii=False, sort_keys=True))
        for r, code in _records(session)
    )


def test_every_shipped_form_has_records_for_2023(session: Session) -> None:
    period = session.scalars(select(Period).where(Period.code == DEMO_PERIOD)).one()
    records = _records(session)
    assert {r.period_id for r, _ in records} == {period.id}
    per_form = Counter(r.form_id for r, _ in records)
    assert set(per_form) == set(form_registry())
    assert per_form["nha_van_hoa"] == 228  # one per village
    assert per_form["bao_cao_tong_hop"] == per_form["ho_so_xa"] == per_form["dan_chu_co_so"] == 23
    assert per_form["tien_do_ntm"] == 22  # new-rural standards apply to xã, not to the town
    assert per_form["to_chuc_doan_the"] > 1_000  # every village's branches of the Front and the unions
    communes_with = {f: {code for r, code in records if r.form_id == f} for f in per_form}
    assert all(len(codes) >= 22 for codes in communes_with.values())
    assert {"DH"} < communes_with["chi_tieu_de_an_05"] and {"DH"} < communes_with["kiem_tra_giam_sat"]


def test_every_record_validates_clean_in_nfc(session: Session) -> None:
    period = session.scalars(select(Period).where(Period.code == DEMO_PERIOD)).one()
    contexts: dict[tuple[str, int], FormContext] = {}
    problems = []
    for record, code in _records(session):
        form = get_form(record.form_id)
        key = (form.id, record.org_unit_id)
        if key not in contexts:
            contexts[key] = form_context(session, form, record.org_unit_id, period)
        issues = validate_record(form, record.values, contexts[key].validation)
        problems += [f"{form.id} {code}: {i.message}" for i in issues]
        texts = list(_strings(record.values))
        assert all(unicodedata.is_normalized("NFC", v) for v in texts), texts
    assert problems == []


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def test_summary_states_the_inspection_figures(session: Session) -> None:
    data = summary_data(session, DEMO_OFFICE, DEMO_PERIOD)
    targets = DistrictTargets()
    assert data.ntm_ratio() == (targets.ntm_met, 22) == (16, 22)
    assert data.houses_ratio() == (targets.houses_built, 228) == (169, 228)
    assert data.model_count() == targets.models == 231
    assert data.money() == targets.money == 1_950_000_000
    assert len(data.communes) == 23 and all(not c.missing_forms for c in data.communes)
    town = next(c for c in data.communes if not c.is_xa)
    assert town.label == "Thị trấn Chợ Chu" and town.criteria_met is None
    assert all(3 <= c.models <= 15 for c in data.communes)
    assert all(c.criteria_met == 19 for c in data.communes if c.ntm_met)
    assert all(
        c.criteria_met is not None and c.criteria_met < 19 for c in data.communes if c.is_xa and not c.ntm_met
    )


def test_commune_records_agree_with_each_other(session: Session) -> None:
    by_unit: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for record, code in _records(session):
        by_unit.setdefault(code, {}).setdefault(record.form_id, []).append(record.values)
    for code, forms in by_unit.items():
        if code == DEMO_OFFICE:
            continue
        profile, houses = forms["ho_so_xa"][0], forms["nha_van_hoa"]
        without = sum(1 for h in houses if h["tinh_trang"] == "chua_co")
        assert profile["so_xom"] == len(houses), code
        assert profile["so_nha_van_hoa"] == len(houses) - without, code
        for ntm in forms.get("tien_do_ntm", []):
            if without:  # a village without a cultural house: criterion 6 (cultural facilities) is not met
                assert ntm["muc_dat"] == "chua_dat" and "6" not in ntm["tieu_chi_dat"], code
            people = sum(
                g.get("dong_gop_tien", 0) + g.get("hien_vat_quy_doi", 0) for g in forms["dong_gop_nhan_dan"]
            )
            assert ntm["von_nhan_dan"] >= people, code
        models = [m for m in forms["mo_hinh_dan_van_kheo"] if m["trang_thai"] != "rut"]
        text_ = forms["bao_cao_tong_hop"][0]["ket_qua_chi_tieu"]
        assert f'Có {len(models)} mô hình, điển hình "Dân vận khéo"' in text_, code
    office = {i["ten_chi_tieu"]: i for i in by_unit[DEMO_OFFICE]["chi_tieu_de_an_05"]}
    assert office["Số xã đạt chuẩn nông thôn mới"]["ket_qua"] == 16


def test_two_builds_store_the_same_values(session: Session, tmp_path: Path) -> None:
    other = tmp_path / "again" / "demo.sqlite3"
    other.parent.mkdir()
    build_demo(other, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir()).close()
    db = open_database(other)
    with db.session() as again:
        assert _keys(again) == _keys(session)
    db.close()


def test_a_district_left_incomplete_still_adds_up(demo_path: Path) -> None:
    """The report tests' district: the demo's generator with one commune not reporting."""
    db: Database = open_database(demo_path)  # built without records
    with db.transaction() as s:
        filled = fill_district(s, skip=("DH-TRUNGLUONG",))
    assert filled.warnings == []
    with db.session() as s:
        data = summary_data(s, DEMO_OFFICE, DEMO_PERIOD)
        assert (data.ntm_ratio(), data.houses_ratio(), data.model_count()) == ((16, 22), (169, 228), 231)
        assert [c.label for c in data.communes if c.missing_forms] == ["Xã Trung Lương"]
    db.close()


def test_a_commune_return_prints_from_the_demo(demo_copy: Path, tmp_path: Path) -> None:
    db = open_database(demo_copy)
    with db.session() as s:
        data = commune_return_data(s, "DH-PHUCCHU", DEMO_PERIOD)
    db.close()
    assert data.narrative[0].heading == "I. Đặc điểm tình hình"
    assert data.contributions and data.houses and data.ntm is not None and data.organizations
    out = tmp_path / "phuc-chu.pdf"
    args = ["--db", str(demo_copy), "report", "--kind", "return", "--unit", "DH-PHUCCHU"]
    assert main([*args, "--period", DEMO_PERIOD, "--out", str(out), "--date", "2024-01-15"]) == 0
    content = text(out)
    assert "Xã Phúc Chu có 6 xóm" in content and "Kết quả công tác dân vận năm 2023" in content
    # The demo office is the district's Ban Dân vận, a Party body: HD 36-HD/VPTW layout. The commune's
    # return printed there is the commune's, read at the district: marked, its letterhead, no number.
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in content and "BẢN SAO ĐỂ THEO DÕI" in content
    assert "ĐẢNG ỦY XÃ PHÚC CHU" in content and "BDVHU" not in content and "Hoàng Thị Minh" not in content
