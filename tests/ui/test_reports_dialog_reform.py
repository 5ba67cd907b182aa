"""The Reports screen at the province: a summary across the reform, under today's units or the old ones."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.periods import list_periods
from danvan_desktop.ui.reports_dialog import ReportsDialog
from tests.reports.pdfcheck import text
from tests.reports.test_reform_reports import Entered, province, province_template

__all__ = ["province", "province_template"]  # fixtures: the province with Định Hóa's history


def test_summary_under_todays_units_from_the_dialog(
    qtbot: QtBot, province: tuple[Database, Entered], tmp_path: Path
) -> None:
    db, _ = province
    with db.session() as session:
        installation, periods = load_installation(session), list_periods(session)
    review = next(p for p in periods if p.code == "DA05-TU-TK")
    dialog = ReportsDialog(db, installation, periods, "TN", review)
    qtbot.addWidget(dialog)
    dialog.date_edit.setDate(QDate(2026, 12, 3))
    assert dialog.structure_box.isHidden()  # the first kind is a commune's return: no such choice
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("summary"))
    assert not dialog.structure_box.isHidden()
    dialog.unit_box.setCurrentIndex(dialog.unit_box.findData("TN"))
    dialog.structure_box.setCurrentIndex(dialog.structure_box.findData("moi"))
    assert dialog.request().structure == "moi"
    assert dialog.start_preview()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    assert dialog.preview is not None, dialog.message.text()
    dialog.resize(1366, 740)
    dialog.show()
    qtbot.waitExposed(dialog)
    label = dialog.pages.labels[0]
    qtbot.waitUntil(lambda: label.width() > 400 and not label.pixmap().isNull())
    dialog.grab().save("/tmp/reports_dialog_reform.png")
    assert dialog.save_pdf(tmp_path / "tong-ket.pdf")
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    printed = text(tmp_path / "tong-ket.pdf")
    assert "quy đổi theo đơn vị hành chính mới" in printed
    assert "Đơn vị hành chính mới và các đơn vị cũ được quy đổi vào" in printed
    # Another choice makes the preview stale, as every choice does.
    dialog.structure_box.setCurrentIndex(dialog.structure_box.findData("cu"))
    assert dialog.preview is None and not dialog.save_button.isEnabled()
