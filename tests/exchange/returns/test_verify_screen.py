"""The verify screen at the district: received returns, a file opened, a paper code typed (keyboard first)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database
from danvan_desktop.services.exchange.package_export import export_package
from danvan_desktop.ui.verify_returns_dialog import VerifyReturnsDialog
from tests.exchange.conftest import Site
from tests.exchange.returns.test_package_returns import _issue_signed
from tests.signing.conftest import Pki


def test_verify_screen_shows_signatures_chain_and_figures_and_matches_a_typed_code(
    qtbot: QtBot, phuc_chu_db: Database, test_pki: Pki, trusting_district: Site, tmp_path: Path
) -> None:
    pdf = _issue_signed(phuc_chu_db, test_pki, tmp_path / "bc-2023.pdf")
    export_package(phuc_chu_db, tmp_path / "pc.danvan", returns=[pdf])
    [outcome] = trusting_district.import_(tmp_path / "pc.danvan", accept_new_site=True).returns

    dialog = VerifyReturnsDialog(trusting_district.db)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    assert dialog.table.rowCount() == 1 and "Hợp lệ" in dialog.table.item(0, 5).text()
    assert dialog.code_edit.hasFocus() or dialog.focusWidget() is dialog.code_edit

    # The code as a clerk types it from paper: lower case, spaces; Enter checks it.
    qtbot.keyClicks(dialog.code_edit, outcome.code.lower().replace("-", " "))
    qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "KHỚP" in dialog.details.toPlainText(), timeout=20000)
    assert "Xã Phúc Chu" in dialog.details.toPlainText()

    dialog.table.selectRow(0)
    qtbot.waitUntil(lambda: "HỢP LỆ." in dialog.details.toPlainText(), timeout=20000)
    text = dialog.details.toPlainText()
    assert "Nguyễn Văn An" in text and "Chuỗi chứng thư" in text and ": tin cậy" in text
    assert "không bị sửa" in text and "Số liệu: KHỚP" in text
    dialog.grab().save(str(tmp_path / "verify.png"))

    # A file changed after signing, opened from disk: flagged, with the reason.
    changed = bytearray(pdf.read_bytes())
    changed[changed.index(b"stream") + 40] ^= 0x01
    bad = tmp_path / "sua.pdf"
    bad.write_bytes(bytes(changed))
    dialog.check_file(bad)
    qtbot.waitUntil(lambda: "CẦN XEM LẠI" in dialog.details.toPlainText(), timeout=20000)
    assert "KHÔNG — tệp đã bị sửa" in dialog.details.toPlainText()
    dialog.grab().save(str(tmp_path / "verify-bad.png"))


def test_export_dialog_sends_the_chosen_signed_returns(
    qtbot: QtBot, phuc_chu_db: Database, test_pki: Pki, tmp_path: Path
) -> None:
    from danvan_desktop.services.office.installation import load_installation
    from danvan_desktop.services.office.periods import list_periods
    from danvan_desktop.transport.reader import open_package
    from danvan_desktop.ui.export_dialog import ExportDialog

    pdf = _issue_signed(phuc_chu_db, test_pki, tmp_path / "bc-2023.pdf")
    with phuc_chu_db.session() as session:
        info, periods = load_installation(session), list_periods(session)
    dialog = ExportDialog(phuc_chu_db, info, periods, None, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    unsigned = tmp_path / "khong-ky.pdf"
    unsigned.write_bytes(b"%PDF-1.4\n%%EOF\n")
    dialog.returns.set_paths([unsigned])
    assert dialog.start_export()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=20000)
    assert "khong-ky.pdf" in dialog.message.text()
    dialog.returns.set_paths([pdf])
    assert dialog.returns.shown.text() == "bc-2023.pdf"
    dialog.grab().save(str(tmp_path / "export.png"))
    assert dialog.start_export()
    qtbot.waitUntil(lambda: dialog.export_result is not None, timeout=20000)
    package = open_package(Path(dialog.path_edit.text()))
    assert package.manifest.format_version == 3 and len(package.return_pdfs()) == 1
