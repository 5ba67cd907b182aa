"""Province summaries across the reform of 1/7/2025: the 2025 split, lineage totals, Project 05's review.

The units are found by query (commune-level units under Thái Nguyên, their lineage), never by count,
so that the tests hold for today's Định Hóa catalog and for the whole province's.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop import paths
from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.cli.main import main
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import OrgUnit, Period, UnitLineage
from danvan_desktop.reports.model import SummaryData
from danvan_desktop.services.entry.entry import Writer, form_context, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import initialize_database, load_installation
from danvan_desktop.services.office.orgunits import find_unit, is_valid_on, predecessors
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.settings import set_setting
from danvan_desktop.services.reporting import summary_data
from tests.reports.pdfcheck import text

REFORM = dt.date(2025, 7, 1)
TODAY = dt.date(2026, 12, 3)
SETTINGS = {
    "signer.name": "Nguyễn Văn Bình",
    "signer.title": "TRƯỞNG BAN",
    "signer.collective": "BAN TUYÊN GIÁO VÀ DÂN VẬN",
    "office.issuing_body": "BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY",
    "office.superior_body": "TỈNH ỦY THÁI NGUYÊN",
    "office.place_name": "Thái Nguyên",
    "office.abbreviation": "BTGDVTU",
    "report.profile": "nha_nuoc",
}


@dataclass
class Entered:
    """What the test entered: cash and villages per (unit code, period code)."""

    cash: dict[tuple[str, str], int] = field(default_factory=dict)
    villages: dict[tuple[str, str], int] = field(default_factory=dict)

    def cash_of(self, code: str, *periods: str) -> int:
        return sum(self.cash.get((code, p), 0) for p in periods)


def _save(session: Session, form_id: str, unit: OrgUnit, period_code: str, values: dict[str, object]) -> None:
    form, period = get_form(form_id), get_period(session, period_code)
    writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
    context = form_context(session, form, unit.id, period)
    save_entry(session, form, unit.id, period.id, values, writer=writer, context=context)


def _report(session: Session, unit: OrgUnit, period: str, cash: int, villages: int, entered: Entered) -> None:
    gift = {
        "ten_cong_trinh": f"Đường trục xóm, {period}",
        "loai_cong_trinh": "duong_giao_thong",
        "so_ho_tham_gia": 10,
        "dong_gop_tien": cash,
        "ngay_cong": 10,
    }
    _save(session, "dong_gop_nhan_dan", unit, period, gift)
    _save(session, "ho_so_xa", unit, period, {"so_xom": villages, "so_ho": 500, "so_nhan_khau": 2000})
    entered.cash[unit.code, period] = cash
    entered.villages[unit.code, period] = villages


def new_communes(session: Session) -> list[OrgUnit]:
    """Today's commune-level units under Thái Nguyên that were formed from former communes of Định Hóa."""
    tn, dh = find_unit(session, "TN"), find_unit(session, "DH")
    found = []
    for unit in session.scalars(select(OrgUnit).where(OrgUnit.parent_id == tn.id)):
        current = UnitKind(unit.kind).is_commune_level and is_valid_on(unit, TODAY)
        if current and any(p.parent_id == dh.id for p in predecessors(session, unit)):
            found.append(unit)
    return found


def former(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """The communes `unit` was formed from, as they stood on 30/6/2025 (Bảo Cường had gone into Chợ Chu
    on 1/12/2024: it is a predecessor through Chợ Chu, but reports no 2025)."""
    last_day = REFORM - dt.timedelta(days=1)
    return [
        p
        for p in predecessors(session, unit)
        if UnitKind(p.kind).is_commune_level and is_valid_on(p, last_day)
    ]


@pytest.fixture(scope="session")
def province_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Entered]:
    """The provincial office with Định Hóa's history (2021-2024 years, 2025-H1) and its new communes'
    2025-H2, plus records that must not count twice (halves inside a year, another phase)."""
    path = tmp_path_factory.mktemp("province") / "province.sqlite3"
    initialize_database(path, "TN", None, catalog_dir=paths.catalog_dir()).close()
    db = open_database(path)
    entered = Entered()
    with db.transaction() as session:
        for key, value in SETTINGS.items():
            set_setting(session, key, value)
        step = 0
        for new in new_communes(session):
            for old in former(session, new):
                step += 1
                for year in range(2021, 2025):
                    _report(session, old, str(year), 1_000_000 * step + year, 5, entered)
                _report(session, old, "2025-H1", 3_000_000 * step, 5, entered)
            step += 1
            _report(session, new, "2025-H2", 7_000_000 * step, 20 + step, entered)
        # Must not be added on top of the year 2023 nor into the 2021-2025 review.
        noise = former(session, new_communes(session)[0])[0]
        noise_gift = {"ten_cong_trinh": "Nửa năm", "loai_cong_trinh": "khac", "loai_khac": "Khác"}
        _save(
            session,
            "dong_gop_nhan_dan",
            noise,
            "2023-H1",
            {**noise_gift, "so_ho_tham_gia": 1, "dong_gop_tien": 99},
        )
        _save(
            session,
            "dong_gop_nhan_dan",
            noise,
            "DA05-TU-SK",
            {**noise_gift, "so_ho_tham_gia": 1, "dong_gop_tien": 77},
        )
    db.close()
    return path, entered


@pytest.fixture
def province(province_template: tuple[Path, Entered], tmp_path: Path) -> Iterator[tuple[Database, Entered]]:
    source, entered = province_template
    target = tmp_path / "province.sqlite3"
    shutil.copyfile(source, target)
    shutil.copytree(source.parent / "keys", tmp_path / "keys", dirs_exist_ok=True)
    db = open_database(target)
    yield db, entered
    db.close()


def _summary(db: Database, period: str, structure: str = "ky") -> SummaryData:
    with db.session() as session:
        return summary_data(session, "TN", period, structure, today=TODAY)  # type: ignore[arg-type]


def test_2025_is_split_at_the_reform_never_double_counted(province: tuple[Database, Entered]) -> None:
    db, entered = province
    data = _summary(db, "2025")
    labels = [c.label for c in data.communes]
    assert len(labels) == len(set(labels)), "the same name twice without its dates"
    with db.session() as session:
        news = {u.code for u in new_communes(session)}
        olds = {p.code for u in new_communes(session) for p in former(session, u)}
    rows = {c.code: c for c in data.communes}
    assert all(rows[c].group == "Đơn vị cũ, có hiệu lực đến 30/6/2025" and not rows[c].at_end for c in olds)
    assert all(rows[c].group == "Đơn vị mới, có hiệu lực từ 1/7/2025" and rows[c].at_end for c in news)
    # Flows: the old units' first half and the new units' second half, each once.
    expected = sum(v for (_, p), v in entered.cash.items() if p in ("2025-H1", "2025-H2"))
    assert data.money() == expected
    for code in olds:
        assert rows[code].cash == entered.cash[code, "2025-H1"] and rows[code].reported
    # States at the end of the year: the new units' villages only.
    assert data.houses_ratio()[1] == sum(entered.villages[c, "2025-H2"] for c in news)
    assert any(
        "Năm 2025 gồm số liệu của các đơn vị cũ đến 30/6/2025 và các đơn vị mới từ 1/7/2025" in n
        for n in data.notes
    )


def test_lineage_totals_are_the_sum_of_the_predecessors(province: tuple[Database, Entered]) -> None:
    db, entered = province
    data = _summary(db, "2025", "moi")
    with db.session() as session:
        news = {u.code: [p.code for p in former(session, u)] for u in new_communes(session)}
    rows = {c.code: c for c in data.communes}
    for code, olds in news.items():
        own = entered.cash[code, "2025-H2"]
        assert rows[code].cash == own + sum(entered.cash[o, "2025-H1"] for o in olds)
        assert rows[code].villages == entered.villages[code, "2025-H2"]  # a state: today's unit only
        assert rows[code].at_end and not rows[code].group
    assert not set(rows) & {o for olds in news.values() for o in olds}, "no former unit as its own row"
    assert len(data.folded) >= len(news)
    # A year before the reform, under today's units: the former units' figures summed.
    history = {c.code: c for c in _summary(db, "2024", "moi").communes}
    for code, olds in news.items():
        assert history[code].cash == sum(entered.cash[o, "2024"] for o in olds)
        assert history[code].villages == 5 * len(olds)  # states at the end of 2024: the former units'


def test_project_05_final_review_for_todays_communes(province: tuple[Database, Entered]) -> None:
    db, entered = province
    with db.session() as session:
        review = session.scalars(select(Period).where(Period.code == "DA05-TU-TK")).one()
        assert review.kind == "phase"
        news = {u.code: [p.code for p in former(session, u)] for u in new_communes(session)}
    data = _summary(db, review.code, "moi")
    rows = {c.code: c for c in data.communes}
    years = ("2021", "2022", "2023", "2024", "2025-H1")
    for code, olds in news.items():
        expected = entered.cash[code, "2025-H2"] + sum(entered.cash_of(o, *years) for o in olds)
        assert rows[code].cash == expected  # the 2023-H1 and DA05-TU-SK extras are not added
    assert any("từ 1/1/2021 đến 31/12/2025" in n for n in data.notes)
    old_structure = _summary(db, review.code, "cu")
    # Định Hóa's communes, former and new, under their former district; the rest of the province's
    # former districts are listed too (with nothing entered), each group a former district or the
    # units formed from several of them.
    entered_codes = set(news) | {o for olds in news.values() for o in olds}
    groups = {c.group for c in old_structure.communes if c.code in entered_codes}
    assert groups == {"Huyện Định Hóa (cũ)"}
    assert all(c.group.endswith("(cũ)") or "từ 1/7/2025" in c.group for c in old_structure.communes)
    assert sum(c.cash for c in old_structure.communes) == sum(c.cash for c in data.communes)
    phuc_chu = next(c for c in old_structure.communes if c.code == "DH-PHUCCHU")
    assert phuc_chu.cash == entered.cash_of("DH-PHUCCHU", *years)
    assert (
        next(c for c in old_structure.communes if c.code == "TN-DINHHOA").label == "Xã Định Hóa (từ 1/7/2025)"
    )


@pytest.mark.parametrize(
    ("period", "structure"), [("2025", None), ("DA05-TU-TK", "moi"), ("DA05-TU-TK", "cu")]
)
def test_the_printed_summary_says_how_it_counts(
    province: tuple[Database, Entered], tmp_path: Path, period: str, structure: str | None
) -> None:
    db, _ = province
    out = tmp_path / "tong-hop.pdf"
    extra = ["--theo-don-vi", structure] if structure else []
    args = ["--db", str(db.path), "report", "--kind", "summary", "--unit", "TN", "--period", period]
    assert main([*args, *extra, "--out", str(out), "--date", "2026-12-03"]) == 0
    printed = text(out)
    if structure is None:
        assert "Năm 2025 gồm số liệu của các đơn vị cũ đến 30/6/2025 và các đơn vị mới từ 1/7/2025" in printed
        assert "Đơn vị cũ, có hiệu lực đến 30/6/2025:" in printed
        assert "Xã Bình Thành (đến 30/6/2025)" in printed and "Xã Bình Thành (từ 1/7/2025)" in printed
    elif structure == "moi":
        assert "quy đổi theo đơn vị hành chính mới" in printed
        assert "Đơn vị hành chính mới và các đơn vị cũ được quy đổi vào" in printed
        assert "Xã Phúc Chu (đến 30/6/2025)" in printed
    else:
        assert "Huyện Định Hóa (cũ):" in printed


def test_structure_is_only_for_summaries(
    province: tuple[Database, Entered], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = province
    out = tmp_path / "xa.pdf"
    args = ["--db", str(db.path), "report", "--kind", "return", "--unit", "TN-DINHHOA", "--period", "2025-H2"]
    assert main([*args, "--theo-don-vi", "moi", "--out", str(out)]) == 2
    assert "chỉ dùng cho báo cáo tổng hợp" in capsys.readouterr().err
    assert not out.exists()


def test_a_former_unit_split_between_new_units_is_listed_apart(province: tuple[Database, Entered]) -> None:
    """Part of a former commune's territory also went to a second new commune: it is not summed into
    either; its own figures stay in the province's total, once."""
    db, entered = province
    with db.transaction() as session:
        first, second = new_communes(session)[:2]
        split = former(session, first)[0]
        session.add(UnitLineage(from_unit_id=split.id, to_unit_id=second.id, effective=REFORM, kind="split"))
        split_code = split.code
        first_code, second_code = first.code, second.code
        whole = {
            c: [p.code for p in former(session, find_unit(session, c)) if p.code != split_code]
            for c in (first_code, second_code)
        }
    data = _summary(db, "2025", "moi")
    rows = {c.code: c for c in data.communes}
    assert rows[split_code].group == "Đơn vị cũ chia về nhiều đơn vị mới (không quy đổi)"
    assert rows[split_code].cash == entered.cash[split_code, "2025-H1"] and not rows[split_code].at_end
    for code in (first_code, second_code):
        assert rows[code].cash == entered.cash[code, "2025-H2"] + sum(
            entered.cash[o, "2025-H1"] for o in whole[code]
        )
    expected = sum(v for (_, p), v in entered.cash.items() if p in ("2025-H1", "2025-H2"))
    assert data.money() == expected
    assert any(new.endswith("(chia về nhiều đơn vị)") for new, _ in data.folded)


def test_an_abolished_district_reports_2025_up_to_its_last_day(province: tuple[Database, Entered]) -> None:
    """Định Hóa district ended on 30/6/2025: its 2025 is its first half, states as they stood then."""
    db, entered = province
    with db.session() as session:
        dh = find_unit(session, "DH")
        olds = {p.code for u in new_communes(session) for p in former(session, u) if p.parent_id == dh.id}
        data = summary_data(session, "DH", "2025", today=TODAY)
    assert {c.code for c in data.communes if c.reported} == olds
    assert all(c.at_end and not c.group for c in data.communes)
    assert data.houses_ratio()[1] == sum(entered.villages[c, "2025-H1"] for c in olds)
    assert data.money() == sum(entered.cash[c, "2025-H1"] for c in olds)
    assert any("chỉ có hiệu lực đến 30/6/2025" in n for n in data.notes)
    assert not any("đơn vị mới" in n for n in data.notes)
