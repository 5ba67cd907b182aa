"""The province demo: packages from every commune of today, clean records, the ledger, Định Hóa's history.

The counts come from the catalog (whatever number of communes it holds), never from a constant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from danvan_desktop import paths
from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.cli.main import main
from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import OrgUnit, Period, ReceivedPackage, Record, RefusedPackage, TrustedSite
from danvan_desktop.demo.province import build_province_demo
from danvan_desktop.formspec.validate import validate_record
from danvan_desktop.services.entry.entry import FormContext, form_context
from danvan_desktop.services.exchange.package_ledger import ledger_entries
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.office.orgunits import dated_subtree, find_unit, is_valid_during, predecessors
from danvan_desktop.services.office.settings import get_setting
from danvan_desktop.services.reporting import summary_data

TODAY = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def province_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("province-demo") / "demo-tinh.sqlite3"
    lines: list[str] = []
    demo = build_province_demo(
        path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir(), progress=lines.append
    )
    demo.db.close()
    assert lines and all(line.endswith("…") for line in lines)  # the CLI's progress
    return path


@pytest.fixture
def session(province_file: Path) -> Iterator[Session]:
    db = open_database(province_file)
    with db.session() as s:
        yield s
    db.close()


def _communes_of_today(session: Session) -> set[str]:
    """Straight from the catalog: every commune-level unit under TN valid on 1/1/2026."""
    province = find_unit(session, "TN")
    kinds = [k.value for k in UnitKind if k.is_commune_level]
    units = session.scalars(select(OrgUnit).where(OrgUnit.parent_id == province.id, OrgUnit.kind.in_(kinds)))
    return {u.code for u in units if is_valid_during(u, TODAY, TODAY)}


def _period_ids(session: Session) -> dict[str, int]:
    return {code: id_ for code, id_ in session.execute(select(Period.code, Period.id))}


def test_every_commune_of_today_sent_a_signed_package_per_period(session: Session) -> None:
    communes = _communes_of_today(session)
    assert len(communes) >= 8
    received = session.scalars(select(ReceivedPackage)).all()
    senders = [p.office_unit_code for p in received if p.office_unit_code != "DH"]
    assert sorted(senders) == sorted([*communes, *communes])  # one package for 2025-H2, one for 2026
    trusted = session.scalars(select(TrustedSite)).all()
    assert {t.office_unit_code for t in trusted} == communes | {"DH"}
    assert len({t.public_key for t in trusted}) == len(trusted)  # each site its own key
    periods = _period_ids(session)
    for code in ("2025-H2", "2026"):
        units = session.scalars(
            select(OrgUnit.code)
            .join(Record, Record.org_unit_id == OrgUnit.id)
            .where(Record.period_id == periods[code])
            .distinct()
        )
        assert set(units) == communes, code
    assert get_setting(session, "office.issuing_body") == "BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY"


def test_every_record_validates_for_a_unit_valid_in_its_period(session: Session) -> None:
    forms = form_registry()
    periods = {p.id: p for p in session.scalars(select(Period))}
    units = {u.id: u for u in session.scalars(select(OrgUnit))}
    contexts: dict[tuple[str, int, int], FormContext] = {}
    problems: list[str] = []
    for record in session.scalars(select(Record)):
        form, period, unit = forms[record.form_id], periods[record.period_id], units[record.org_unit_id]
        if not is_valid_during(unit, period.start, period.end):
            problems.append(f"{unit.code} không có hiệu lực trong kỳ {period.code}")
        # The context depends on the form only through catalog-driven choices (NTM criteria).
        key = (form.id if any(f.choices_from for f in form.fields()) else "", unit.id, period.id)
        if key not in contexts:
            contexts[key] = form_context(session, form, unit.id, period)
        context = dataclasses.replace(contexts[key], _labels={})
        issues = validate_record(form, record.values, context.validation)
        problems += [f"{form.id} {unit.code} {period.code}: {i.message}" for i in issues]
    assert problems == []


def test_the_ledger_lists_every_package_and_refuses_none(session: Session) -> None:
    entries = ledger_entries(session)
    received = session.scalar(select(func.count()).select_from(ReceivedPackage))
    assert len(entries) == received == 2 * len(_communes_of_today(session)) + 1
    assert not [e for e in entries if e.refused]
    assert session.scalar(select(func.count()).select_from(RefusedPackage)) == 0
    names = {e.sender for e in entries}
    assert "Xã Định Hóa" in names and "Huyện Định Hóa" in names


def test_dinh_hoa_history_2021_to_2024_is_there_for_every_former_commune(session: Session) -> None:
    district = find_unit(session, "DH")
    periods = {p.code: p for p in session.scalars(select(Period))}
    for year in ("2021", "2022", "2023", "2024"):
        period = periods[year]
        tree = dated_subtree(session, district.id, period.start, period.end)
        assert tree is not None
        communes = {n.id for n in tree.children if UnitKind(n.kind).is_commune_level}
        with_records = set(
            session.scalars(
                select(Record.org_unit_id).where(Record.period_id == period.id, Record.form_id == "ho_so_xa")
            )
        )
        assert communes and communes <= with_records, year
        data = summary_data(session, "DH", year)  # the former district's summary, from the province
        assert len(data.communes) == len(communes) and data.model_count() > 0


def test_the_province_summary_for_2026_has_every_commune(session: Session) -> None:
    data = summary_data(session, "TN", "2026")
    assert {c.code for c in data.communes} == _communes_of_today(session)
    assert all(not c.missing_forms for c in data.communes)
    assert data.model_count() > 0 and data.money() > 0


def test_a_commune_formed_from_demo_communes_keeps_their_villages_by_lineage(session: Session) -> None:
    dinh_hoa = find_unit(session, "TN-DINHHOA")
    villages = session.scalars(select(OrgUnit).where(OrgUnit.parent_id == dinh_hoa.id)).all()
    assert villages
    former = {p.parent.code for v in villages for p in predecessors(session, v) if p.parent is not None}
    assert former == {u.code for u in predecessors(session, dinh_hoa)}


def test_the_command_refuses_an_existing_file_and_leaves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "da-co.sqlite3"
    existing.write_bytes(b"du lieu cua ai do")
    assert main(["demo", "--province", str(existing)]) == 2
    assert existing.read_bytes() == b"du lieu cua ai do"
    err = capsys.readouterr().err
    assert "không ghi đè" in err and "Traceback" not in err
