"""The Reports screen and report settings on the demo district: preview, save, print, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.periods import list_periods
from danvan_desktop.services.office.settings import get_setting, set_setting
from danvan_desktop.services.reporting.report_numbers import list_numbers
from danvan_desktop.ui.pdf_pages import page_sizes
from danvan_desktop.ui.report_settings_dialog import ReportSettingsDialog
from danvan_desktop.ui.reports_dialog import ReportsDialog, install_reports_menu
from tests.reports.factories import fill_phuc_chu, set_up_phuc_chu_office, settings_for_tests
from tests.reports.pdfcheck import text


@pytest.fixture
def report_db(demo_path: Path) -> Iterator[Database]:
    db = open_database(demo_path)
    with db.transaction() as session:
        for key, value in settings_for_tests().items():
            set_setting(session, key, value)
        fill_phuc_chu(session)
    yield db
    db.close()


@pytest.fixture
def own_db(commune_path: Path) -> Iterator[Database]:
    """Phúc Chu's own database: its return is its own, issued and numbered."""
    db = open_database(commune_path)
    with db.transaction() as session:
        set_up_phuc_chu_office(session)
    yield db
    db.close()


def make_dialog(qtbot: QtBot, db: Database, unit: str | int = "DH-PHUCCHU") -> ReportsDialog:
    with db.session() as session:
        installation, periods = load_installation(session), list_periods(session)
    current = next(p for p in periods if p.code == "2023")
    dialog = ReportsDialog(db, installation, periods, unit, current)
    qtbot.addWidget(dialog)
    dialog.date_edit.setDate(QDate(2023, 2, 5))
    return dialog


def previewed(qtbot: QtBot, dialog: ReportsDialog) -> ReportsDialog:
    assert dialog.start_preview()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    return dialog


def test_preview_shows_the_pages_of_a_commune_return(qtbot: QtBot, own_db: Database) -> None:
    dialog = previewed(qtbot, make_dialog(qtbot, own_db))
    assert dialog.preview is not None, dialog.message.text()
    assert len(dialog.pages.labels) == dialog.preview.report.pages > 0
    assert abs(dialog.pages.images[0].width() - 595.28 * 110 / 72) < 1  # A4 portrait at 110 dpi
    first = dialog.pages.labels[0].pixmap()
    assert not first.isNull() and 200 <= first.width() <= dialog.pages.images[0].width()
    assert first.toImage().pixelColor(5, 5).name() == "#ffffff"
    assert "<b>1</b> (BC-ĐU, 2023)" in dialog.number_label.text()
    assert not dialog.copy_note.isVisible()
    assert dialog.save_button.isEnabled() and dialog.print_button.isEnabled()
    dialog.resize(1100, 760)  # as on an office screen (the offscreen test screen is 800 wide)
    dialog.show()
    qtbot.waitExposed(dialog)
    label = dialog.pages.labels[0]
    qtbot.waitUntil(lambda: label.width() > 400 and not label.pixmap().isNull())  # fitted to the view
    dialog.grab().save("/tmp/reports_dialog.png")
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("summary"))
    assert dialog.preview is None and not dialog.save_button.isEnabled()  # a changed choice: preview again


def test_save_writes_the_pdf_and_takes_the_next_number(
    qtbot: QtBot, own_db: Database, tmp_path: Path
) -> None:
    dialog = previewed(qtbot, make_dialog(qtbot, own_db))
    out = tmp_path / "bao-cao"
    assert dialog.save_pdf(out)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    saved = tmp_path / "bao-cao.pdf"
    content = text(saved)
    assert "ĐẢNG ỦY XÃ PHÚC CHU" in content and "ĐẢNG BỘ HUYỆN ĐỊNH HÓA" in content
    assert "Số: 01/BC-ĐU" in content and "ngày 05 tháng 02 năm 2023" in content
    assert "Số 1 đã vào sổ đăng ký văn bản" in dialog.message.text()
    with own_db.session() as session:
        assert [(n.number, n.file_name) for n in list_numbers(session)] == [(1, "bao-cao.pdf")]
    assert not dialog.save_button.isEnabled()  # the number is taken; the next save needs a new preview
    previewed(qtbot, dialog)
    assert dialog.preview is not None and dialog.preview.report.number == 2


@pytest.mark.parametrize("kind", ["return", "register"])
def test_print_to_a_pdf_printer(qtbot: QtBot, own_db: Database, tmp_path: Path, kind: str) -> None:
    dialog = make_dialog(qtbot, own_db)
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(kind))
    dialog.form_box.setCurrentIndex(dialog.form_box.findData("mo_hinh_dan_van_kheo"))
    preview = previewed(qtbot, dialog).preview
    assert preview is not None, dialog.message.text()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "ban-in.pdf"
    printer.setOutputFileName(str(printed))
    printer.setResolution(72)  # small pictures: the test checks the path, not the print quality
    assert dialog.print_report(printer), dialog.message.text()
    pages = PdfReader(printed).pages
    assert len(pages) == preview.report.pages
    wide = [float(p.mediabox.width) > float(p.mediabox.height) for p in pages]
    assert wide == [w > h for w, h in page_sizes(preview.report.pdf)]  # each page keeps its orientation
    assert any(wide) and (all(wide) if kind == "register" else not wide[0])
    assert "Đã gửi" in dialog.message.text()
    with own_db.session() as session:  # a list is no numbered document: the register stays empty
        numbers = [(n.number, n.file_name) for n in list_numbers(session)]
    assert numbers == ([(1, "(bản in)")] if kind == "return" else [])


@pytest.mark.parametrize(
    ("db_name", "unit", "setting", "message"),
    [
        ("report_db", "DH-BAOLINH", None, "chưa có số liệu nào"),
        ("own_db", "DH-PHUCCHU", "signer.name", "họ và tên người ký"),
        ("own_db", "DH-PHUCCHU", "signer.authority", "Thẩm quyền ký «ủy quyền»"),
    ],
)
def test_bad_input_is_shown_in_the_dialog(
    qtbot: QtBot, request: pytest.FixtureRequest, db_name: str, unit: str, setting: str | None, message: str
) -> None:
    db: Database = request.getfixturevalue(db_name)
    if setting is not None:
        with db.transaction() as session:
            set_setting(session, setting, "ủy quyền" if setting == "signer.authority" else "")
    dialog = previewed(qtbot, make_dialog(qtbot, db, unit))
    assert dialog.preview is None and not dialog.save_button.isEnabled()
    assert "Chưa lập được báo cáo" in dialog.message.text() and message in dialog.message.text()


def test_a_commune_return_at_the_district_is_announced_as_a_reading_copy(
    qtbot: QtBot, report_db: Database, tmp_path: Path
) -> None:
    dialog = make_dialog(qtbot, report_db)
    # Before any preview: the user is told what will print.
    note = dialog.copy_note.text()
    assert not dialog.copy_note.isHidden() and "bản sao để theo dõi" in note and "Xã Phúc Chu" in note
    assert "không lấy số" in note
    previewed(qtbot, dialog)
    assert dialog.preview is not None and dialog.preview.report.number is None, dialog.message.text()
    assert "Không có số văn bản" in dialog.number_label.text()
    dialog.resize(1366, 740)
    dialog.show()
    qtbot.waitExposed(dialog)
    label = dialog.pages.labels[0]
    qtbot.waitUntil(lambda: label.width() > 400 and not label.pixmap().isNull())
    dialog.grab().save("/tmp/reports_dialog_copy.png")
    assert dialog.save_pdf(tmp_path / "ban-sao.pdf")
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    assert "Không lấy số văn bản" in dialog.message.text()
    content = text(tmp_path / "ban-sao.pdf")
    assert "BẢN SAO ĐỂ THEO DÕI" in content and "Hoàng Thị Minh" not in content
    with report_db.session() as session:
        assert list_numbers(session) == []
    dialog.unit_box.setCurrentIndex(dialog.unit_box.findData("DH"))  # the district's own: no note
    assert dialog.copy_note.isHidden()
    dialog.unit_box.setCurrentIndex(dialog.unit_box.findData("DH-PHUCCHU"))
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("register"))  # the office's own list
    assert dialog.copy_note.isHidden()


def test_save_and_print_wait_for_a_preview(qtbot: QtBot, report_db: Database, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, report_db)
    assert not dialog.save_pdf(tmp_path / "x.pdf") and not dialog.print_report(QPrinter())
    assert "Xem trước" in dialog.message.text() and not (tmp_path / "x.pdf").exists()


def test_the_main_window_unit_id_is_preselected(qtbot: QtBot, report_db: Database) -> None:
    from danvan_desktop.services.office.orgunits import find_unit

    with report_db.session() as session:
        unit_id = find_unit(session, "DH-PHUDINH").id
    dialog = make_dialog(qtbot, report_db, unit_id)
    assert dialog.unit_box.currentData() == "DH-PHUDINH"
    assert dialog.unit_box.findData("DH-PHUCCHU-01") == -1  # villages print no return


def test_settings_dialog_stores_the_letterhead(qtbot: QtBot, report_db: Database) -> None:
    dialog = ReportSettingsDialog(report_db)
    qtbot.addWidget(dialog)
    dialog.edits["office.issuing_body"].setText("ỦY BAN NHÂN DÂN XÃ PHÚC CHU")
    dialog.edits["office.abbreviation"].setText("UBND")
    dialog.edits["signer.name"].setText("Nguyễn Văn Hải")
    dialog.edits["signer.title"].setText("Phó Chủ tịch")
    dialog.authority.setCurrentIndex(dialog.authority.findData("KT."))
    dialog.recipients.setPlainText("Ban Dân vận Huyện ủy\n\nThường trực Đảng ủy;UBND huyện")
    dialog.profile.setCurrentIndex(dialog.profile.findData("dang"))
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save("/tmp/report_settings.png")
    assert dialog.save()
    with report_db.session() as session:
        stored = {k: get_setting(session, k) for k in dialog.values()}
    assert stored["signer.name"] == "Nguyễn Văn Hải" and stored["signer.authority"] == "KT."
    assert stored["report.recipients"] == "Ban Dân vận Huyện ủy\nThường trực Đảng ủy\nUBND huyện"
    assert stored["report.profile"] == "dang" and stored["office.abbreviation"] == "UBND"


def test_settings_dialog_refuses_an_empty_signer(qtbot: QtBot, report_db: Database) -> None:
    dialog = ReportSettingsDialog(report_db)
    qtbot.addWidget(dialog)
    dialog.edits["signer.name"].setText("  ")
    assert not dialog.save()
    assert "họ và tên người ký" in dialog.message.text()
    with report_db.session() as session:
        assert get_setting(session, "signer.name") == "Hoàng Thị Minh"


class _Window(QMainWindow):
    def __init__(self, db: Database) -> None:
        super().__init__()
        with db.session() as session:
            self.db, self.installation, self.periods = db, load_installation(session), list_periods(session)

    def current_target(self) -> None:
        return None

    def current_period(self) -> None:
        return None


def test_reports_menu(qtbot: QtBot, report_db: Database) -> None:
    window = _Window(report_db)
    qtbot.addWidget(window)
    menu = install_reports_menu(window)
    actions = {a.objectName(): a for a in menu.actions()}
    assert menu.title() == "&Báo cáo"
    assert actions["openReports"].shortcut() == QKeySequence("Ctrl+P")
    assert "openReportSettings" in actions


def test_a_clerk_previews_but_may_not_take_a_number(qtbot: QtBot, own_db: Database) -> None:
    from danvan_desktop.services.office import account_admin, accounts

    admin, _ = account_admin.create_first_administrator(own_db, "quan", "Nguyễn Văn Quân", "mật khẩu QT")
    with accounts.acting_as(admin):
        account_admin.add(own_db, "lan", "Trần Thị Lan", "mật khẩu NL", ["nhap_lieu"])
    own_db.sign_in(accounts.authenticate(own_db, "lan", "mật khẩu NL"))
    dialog = previewed(qtbot, make_dialog(qtbot, own_db))
    assert dialog.preview is not None and dialog.preview.report.number == 1
    assert not dialog.save_button.isEnabled() and not dialog.print_button.isEnabled()
    assert dialog.save_button.toolTip() == "Cần vai trò «Lãnh đạo» (lanh_dao)."
