"""A record entered under an older form definition still opens and saves after the form grows."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from danvan_desktop import paths
from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Period, Record
from danvan_desktop.services.entry.entry import Writer, form_context, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.ui.form_editor import FormEditor

NEW_FIELD = """      - id: so_buoi_sinh_hoat
        type: integer
        label: "Số buổi sinh hoạt trong kỳ"
        unit: "buổi"
        min: 0
"""


def _grown_forms(tmp_path: Path) -> Path:
    folder = tmp_path / "forms"
    shutil.copytree(paths.forms_dir(), folder)
    path = folder / "to_chuc_doan_the.yaml"
    text = path.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1)
    anchor = "      - id: doi_tuong\n"
    path.write_text(text.replace(anchor, NEW_FIELD + anchor, 1), encoding="utf-8")
    return folder


def _save_v1(session: Session) -> Record:
    form = get_form("to_chuc_doan_the")
    writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
    values = {
        "to_chuc": "HCCB",
        "ten_chi_hoi": "Chi hội Cựu chiến binh xã",
        "hoi_vien": 120,
        "doi_tuong": 150,
    }
    result = save_entry(session, form, unit.id, period.id, values, writer=writer)
    return session.get_one(Record, result.record_id)


def test_old_record_opens_and_saves_with_the_new_version(
    qtbot: QtBot, demo_db: Database, tmp_path: Path
) -> None:
    grown = get_form("to_chuc_doan_the", _grown_forms(tmp_path))
    assert grown.version == 2
    with demo_db.transaction() as session:
        record = _save_v1(session)
        assert record.form_version == 1
        period = session.get_one(Period, record.period_id)
        context = form_context(session, grown, record.org_unit_id, period)
        editor = FormEditor(grown, context.validation, context.choices, context.units, context.organizations)
        qtbot.addWidget(editor)
        editor.set_values(record.values)
        assert editor.values()["hoi_vien"] == 120 and editor.values().get("so_buoi_sinh_hoat") is None
        assert [i for i in editor.validate() if i.severity == "error"] == []
        editor.field_widget("so_buoi_sinh_hoat").set_value(12)
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        save_entry(
            session,
            grown,
            record.org_unit_id,
            record.period_id,
            editor.values(),
            writer=writer,
            record_id=record.id,
        )
        assert (record.form_version, record.values["so_buoi_sinh_hoat"]) == (2, 12)
        assert find_unit(session, "DH-PHUCCHU").id == record.org_unit_id
