"""What a new clerk meets at the keyboard: Delete with undo, Ctrl+N, live error summary, locked
periods, names in the history, and one local time on every screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import PeriodLock, Record, RecordHistory
from danvan_desktop.services.entry.locking import lock_period
from danvan_desktop.services.maintenance.backups import list_backups, make_backup
from danvan_desktop.ui.backups_dialog import BackupsDialog
from danvan_desktop.ui.entry_pages import AggregatePage, RegisterPage
from danvan_desktop.ui.history_dialog import HistoryDialog
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.record_dialog import RecordDialog
from tests.ui.keyboard import type_text
from tests.ui.test_entry_screens import open_on

COMMUNE = "DH-PHUCCHU"
BRANCHES = "to_chuc_doan_the"


def _active(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def _register(qtbot: QtBot, db: Database, form_id: str = BRANCHES) -> tuple[MainWindow, RegisterPage]:
    window = open_on(qtbot, db, COMMUNE, form_id)
    _active(qtbot, window)
    page = window.form_area.page
    assert isinstance(page, RegisterPage)
    return window, page


def _add_branch(page: RegisterPage, name: str, members: int = 40, village: str | None = None) -> None:
    dialog = page.add()
    assert dialog is not None
    values = {"to_chuc": "HLHPN", "xom": village, "ten_chi_hoi": name, "hoi_vien": members, "doi_tuong": 90}
    for field_id, value in values.items():
        dialog.editor.field_widget(field_id).set_value(value)
    assert dialog.try_save(), dialog.summary.text()


def _stored(db: Database, name: str) -> Record:
    with db.session() as session:
        records = session.scalars(select(Record).where(Record.form_id == BRANCHES)).all()
        return next(r for r in records if r.values.get("ten_chi_hoi") == name)


def _dialog_of(page: QWidget) -> RecordDialog:
    dialogs = [d for d in page.findChildren(RecordDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


# --- 1. Delete: at once, named, undone by Ctrl+Z or the bar's button ------------------------------


def test_delete_key_names_the_record_and_ctrl_z_brings_it_back(qtbot: QtBot, demo_db: Database) -> None:
    _window, page = _register(qtbot, demo_db)
    _add_branch(page, "Chi hội Phụ nữ xóm Bản Lác")
    _add_branch(page, "Chi hội Phụ nữ xóm Nà Mòn")
    assert page.model is not None
    row = next(r for r in range(2) if page.model.record_name(r) == "Chi hội Phụ nữ xóm Bản Lác")
    page.table.selectRow(row)
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    assert not page.undo_bar.isVisible()

    QTest.keyClick(page.table, Qt.Key.Key_Delete)
    assert _stored(demo_db, "Chi hội Phụ nữ xóm Bản Lác").deleted
    assert page.undo_bar.isVisible()
    assert page.undo_bar.message.text() == "Đã xóa «Chi hội Phụ nữ xóm Bản Lác»."
    assert page.model.rowCount() == 1 and page.current_record_id() is not None  # the next row is chosen

    QTest.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not _stored(demo_db, "Chi hội Phụ nữ xóm Bản Lác").deleted
    assert not page.undo_bar.isVisible() and page.model.rowCount() == 2
    assert page.current_record_id() == _stored(demo_db, "Chi hội Phụ nữ xóm Bản Lác").id

    QTest.keyClick(page.table, Qt.Key.Key_Delete)  # and the bar's button does the same
    page.undo_bar.undo_button.click()
    assert not _stored(demo_db, "Chi hội Phụ nữ xóm Bản Lác").deleted


def test_delete_in_the_search_box_edits_the_text_not_the_register(qtbot: QtBot, demo_db: Database) -> None:
    _window, page = _register(qtbot, demo_db)
    _add_branch(page, "Chi hội Phụ nữ xóm Bản Lác")
    page.table.selectRow(0)
    page.search.setFocus()
    qtbot.waitUntil(page.search.hasFocus)
    QTest.keyClick(page.search, Qt.Key.Key_Delete)
    assert not _stored(demo_db, "Chi hội Phụ nữ xóm Bản Lác").deleted
    assert not page.undo_bar.isVisible()


# --- 2. Ctrl+N: the cursor is in the first field ------------------------------------------------------


def test_ctrl_n_from_the_form_list_types_into_the_first_field(qtbot: QtBot, demo_db: Database) -> None:
    window, page = _register(qtbot, demo_db, "mo_hinh_dan_van_kheo")
    window.form_area.form_list.setFocus()
    qtbot.waitUntil(window.form_area.form_list.hasFocus)
    QTest.keyClick(window.form_area.form_list, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = _dialog_of(page)
    first = dialog.editor.field_widget("ten_mo_hinh")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first.focus_widgets()[0])
    type_text(QApplication.focusWidget(), "Dân vận khéo")
    assert first.value() == "Dân vận khéo"
    dialog.editor.mark_clean()
    dialog.reject()


def test_ctrl_n_from_the_table_types_into_the_first_field(qtbot: QtBot, demo_db: Database) -> None:
    _window, page = _register(qtbot, demo_db)
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    QTest.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = _dialog_of(page)
    first = dialog.editor.field_widget("to_chuc")  # an organization list: typed into its search box
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first.focus_widgets()[0])
    type_text(QApplication.focusWidget(), "phu nu")
    assert first.value() == "HLHPN"  # found by the full name, not only by "Hội LHPN"
    dialog.editor.mark_clean()
    dialog.reject()


def test_ctrl_n_on_an_aggregate_form_goes_to_its_first_field(qtbot: QtBot, demo_db: Database) -> None:
    window = open_on(qtbot, demo_db, COMMUNE, "ho_so_xa")
    _active(qtbot, window)
    page = window.form_area.page
    assert isinstance(page, AggregatePage)
    window.form_area.form_list.setFocus()
    qtbot.waitUntil(window.form_area.form_list.hasFocus)
    QTest.keyClick(window.form_area.form_list, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    first = page.editor.field_widget(page.form.fields()[0].id)
    assert QApplication.focusWidget() is first.focus_widgets()[0]


# --- 5. The error summary follows the fixes --------------------------------------------------------


def test_error_summary_counts_down_and_goes_when_fixed(qtbot: QtBot, demo_db: Database) -> None:
    _window, page = _register(qtbot, demo_db)
    dialog = page.add()
    assert dialog is not None
    editor = dialog.editor
    editor.field_widget("to_chuc").set_value("HLHPN")
    editor.field_widget("hoi_vien").set_value(80)
    editor.field_widget("doi_tuong").set_value(60)  # more members than people to gather: an error
    assert not dialog.try_save()  # and the branch's name is missing: a second error
    assert dialog.summary.isVisible()
    assert dialog.summary.text().startswith("Chưa lưu được, còn 2 lỗi")

    name = editor.field_widget("ten_chi_hoi").focus_widgets()[0]
    name.setFocus()
    type_text(name, "Chi hội Phụ nữ xóm Bản Lác")
    assert dialog.summary.text().startswith("Chưa lưu được, còn 1 lỗi")

    people = editor.field_widget("doi_tuong").focus_widgets()[0]
    people.setFocus()
    QTest.keyClick(people, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(people, "120")
    assert not dialog.summary.isVisible() and dialog.summary.text() == ""
    assert dialog.try_save()


def test_aggregate_status_line_follows_the_fixes(qtbot: QtBot, demo_db: Database) -> None:
    window = open_on(qtbot, demo_db, COMMUNE, "ho_so_xa")
    page = window.form_area.page
    assert isinstance(page, AggregatePage)
    for field_id, value in (("so_xom", 6), ("so_nha_van_hoa", 9), ("so_ho", 600), ("so_nhan_khau", 2000)):
        page.editor.field_widget(field_id).set_value(value)
    try:
        assert not page.save()
        assert "còn 1 lỗi" in page.status.text()
        halls = page.editor.field_widget("so_nha_van_hoa").focus_widgets()[0]
        halls.setFocus()
        QTest.keyClick(halls, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        type_text(halls, "5")
        assert page.status.text() == "Đã sửa hết lỗi; bấm Lưu (Ctrl+S)."
    finally:
        page.editor.mark_clean()  # a failed check must not leave closing the window asking


# --- 6. A locked period: the record is shown, not edited ------------------------------------------


def test_a_record_in_a_locked_period_opens_as_read_only(qtbot: QtBot, demo_db: Database) -> None:
    window, page = _register(qtbot, demo_db)
    _add_branch(page, "Chi hội Phụ nữ xóm Bản Lác")
    with demo_db.transaction() as session:
        lock_period(session, page.target.unit_id, page.target.period_id, user="Văn thư", note="Đã gửi")
    window.form_area.refresh()
    page = window.form_area.page
    assert isinstance(page, RegisterPage)
    assert page.buttons["edit"].text() == "Xem"
    page.table.selectRow(0)
    dialog = page.edit_current()
    assert dialog is not None
    assert dialog.windowTitle() == f"Xem — {page.form.title}, kỳ đã chốt"
    assert dialog.save_button.isHidden() and dialog.close_button.text() == "Đóng (chỉ xem)"
    assert dialog.editor.is_read_only()
    qtbot.waitUntil(dialog.close_button.hasFocus)
    dialog.reject()


# --- 4. The history names villages and organizations --------------------------------------------


def test_history_names_the_village_and_the_organization(
    qtbot: QtBot, demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _window, page = _register(qtbot, demo_db)
    dialog = page.add()
    assert dialog is not None
    villages = dialog.editor.field_widget("xom")
    code, village = next((c, n) for c, n in dialog.editor._units or [] if n.startswith("Xóm"))
    dialog.reject()
    assert villages is not None
    _add_branch(page, "Chi hội Phụ nữ", village=code)
    shown: list[HistoryDialog] = []
    monkeypatch.setattr(HistoryDialog, "exec", lambda self: shown.append(self) or 0)
    page.table.selectRow(0)
    page.history_current()
    [history] = shown
    created = history.tree.topLevelItem(0)
    changes = {created.child(i).text(0): created.child(i).text(2) for i in range(created.childCount())}
    assert changes["Xóm, tổ dân phố"] == village and code not in village
    assert changes["Tổ chức"] == "Hội LHPN"


# --- 7. One moment, one time on every screen -------------------------------------------------------


@pytest.mark.sqlite_only(reason="the Backups list shows copies of the SQLite file")
@pytest.mark.parametrize("zone", ["UTC", "Asia/Ho_Chi_Minh"], indirect=True)
def test_a_lock_and_a_backup_made_at_the_same_moment_show_the_same_time(
    qtbot: QtBot, demo_db: Database, demo_path: Path, tmp_path: Path, zone: str
) -> None:
    folder = tmp_path / "bk"
    make_backup(demo_path, folder, "thu-cong")
    [backup] = list_backups(folder)
    expected = f"{backup.created:%d/%m/%Y %H:%M}"  # the copy's name holds the local clock
    moment = backup.created.astimezone(dt.UTC).replace(tzinfo=None)  # as the database stores it
    window, page = _register(qtbot, demo_db)
    _add_branch(page, "Chi hội Phụ nữ xóm Bản Lác")
    with demo_db.transaction() as session:
        lock_period(session, page.target.unit_id, page.target.period_id, user="Văn thư", note="")
        session.get_one(PeriodLock, (page.target.unit_id, page.target.period_id)).locked_at = moment
        for version in session.scalars(select(RecordHistory)):
            version.changed_at = moment
    window.form_area.refresh()
    page = window.form_area.page
    assert isinstance(page, RegisterPage)
    assert f"đã chốt lúc {expected} (Văn thư)" in page.note.text()
    backups = BackupsDialog(demo_path, folder)
    qtbot.addWidget(backups)
    assert backups.table.item(0, 0).text() == expected
    shown: list[HistoryDialog] = []
    page.table.selectRow(0)
    HistoryDialog.exec = lambda self: shown.append(self) or 0  # type: ignore[method-assign]
    try:
        page.history_current()
    finally:
        del HistoryDialog.exec  # type: ignore[misc]
    assert shown[0].tree.topLevelItem(0).text(0) == expected
