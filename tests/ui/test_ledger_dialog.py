"""A forged package at the district: refused in the wizard, kept in the ledger, shown in its dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database
from danvan_desktop.services.exchange.signing_keys import signing_key
from danvan_desktop.ui.import_wizard import ImportWizard
from danvan_desktop.ui.ledger_dialog import REFUSED_COLOUR, LedgerDialog
from tests.exchange.conftest import BRANCH, Site
from tests.exchange.hostile import Forger


def test_forged_origin_is_refused_in_the_wizard_and_listed_in_the_ledger(
    qtbot: QtBot, commune_db: Database, demo_db: Database, tmp_path: Path
) -> None:
    phuc_chu, district = Site(commune_db, tmp_path), Site(demo_db, tmp_path / "dh")
    (tmp_path / "dh").mkdir()
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    genuine = phuc_chu.export("pc-1.danvan")
    district.import_(genuine, accept_new_site=True)
    forger = Forger(genuine, signing_key(commune_db.path, phuc_chu.site_id), tmp_path)
    fake = forger.records()[0] | {"id": "6a1f4c52-9d7e-4b8a-8f00-00000000abcd", "unit_code": "DH-BAOLINH"}
    forged = forger.package("pc-2.danvan", [fake], manifest={"sequence": 2})

    wizard = ImportWizard(
        demo_db, site_id=district.site_id, user="Hoàng Văn Dũng", backup_dir=tmp_path / "bk"
    )
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.files_page.add_paths([forged])
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.preview_page.running, timeout=20000)
    status = wizard.preview_page.table.item(0, 3).text()
    assert status.startswith("Bị từ chối cả gói: ") and "Xã Bảo Linh" in status, status
    assert not wizard.preview_page.isComplete()

    dialog = LedgerDialog(demo_db)
    qtbot.addWidget(dialog)
    dialog.show()
    table = dialog.table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    refused = [row for row in rows if row[4] == "bị từ chối"]
    assert len(refused) == 1, rows  # the preview kept it once
    assert refused[0][1:4] == ["Xã Phúc Chu", "2", "pc-2.danvan"]
    assert "Xã Bảo Linh" in refused[0][5]
    assert any(row[4] == "đã nhập" and row[3] == "pc-1.danvan" for row in rows)
    row = next(r for r in range(table.rowCount()) if table.item(r, 4).text() == "bị từ chối")
    assert table.item(row, 0).background().color() == QColor(REFUSED_COLOUR)
    dialog.refused_only.setChecked(True)
    assert table.rowCount() == 1
    dialog.resize(1366 - 40, 520)
    dialog.grab().save("/tmp/ledger.png")
