"""Signing in, the users and audit screens, and the role gates of the main window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Account
from danvan_desktop.services.entry.locking import lock_period
from danvan_desktop.services.office import account_admin, accounts
from danvan_desktop.services.office.audit import change_setting
from danvan_desktop.services.office.office_view import load_office_snapshot
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.ui.audit_dialog import AuditDialog
from danvan_desktop.ui.entry_data import lock_reason
from danvan_desktop.ui.login_dialog import FirstAdministratorDialog, LoginDialog, sign_in_without_dialog
from danvan_desktop.ui.main_window import MainWindow
from tests.ui.keyboard import type_text

ADMIN_PASSWORD = "mật khẩu quản trị"


def _office(db: Database) -> accounts.Actor:
    """An administrator «quan» and a clerk «lan» (nhập liệu only)."""
    admin, _ = account_admin.create_first_administrator(db, "quan", "Nguyễn Văn Quân", ADMIN_PASSWORD)
    with accounts.acting_as(admin):
        account_admin.add(db, "lan", "Trần Thị Lan", "mật khẩu nhập liệu", ["nhap_lieu"])
    return admin


def test_first_administrator_typed_on_the_keyboard(
    qtbot: QtBot, commune_db: Database, tmp_path: Path
) -> None:
    dialog = FirstAdministratorDialog(commune_db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.full_name
    type_text(dialog.full_name, "Nguyễn Thị Hương")
    type_text(dialog.title, "Chánh Văn phòng Đảng ủy")
    type_text(dialog.login, "huong")
    type_text(dialog.password, "mật khẩu 2026")
    type_text(dialog.again, "mật khẩu 2025")
    qtbot.keyClick(dialog.again, Qt.Key.Key_Return)  # Enter: the default button
    assert dialog.message.text() == "Hai lần nhập mật khẩu không giống nhau."
    assert dialog.isVisible() and dialog.focusWidget() is dialog.again
    type_text(dialog.again, "mật khẩu 2026")
    dialog.single_user.setChecked(True)
    dialog.grab().save(str(tmp_path / "first-admin.png"))
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.full_name == "Nguyễn Thị Hương"
    assert dialog.recovery_code
    with commune_db.session() as session:
        account = session.scalars(select(Account)).one()
        assert (account.login, account.title) == ("huong", "Chánh Văn phòng Đảng ủy")
        assert accounts.single_user_login(session) == "huong"
    # The one-person mode: the next start needs no dialog, and acts as that named account.
    actor = sign_in_without_dialog(commune_db)
    assert actor is not None and actor.login == "huong"


def test_login_remembers_the_name_and_refuses_a_wrong_password(
    qtbot: QtBot, commune_db: Database, tmp_path: Path
) -> None:
    _office(commune_db)
    accounts.remember_login(commune_db, "lan")
    dialog = LoginDialog(commune_db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.login.text() == "lan" and dialog.focusWidget() is dialog.password
    for attempt in ("sai mật khẩu", "sai lần hai", "sai lần ba"):  # the wait grows: 1, 2, then 4 s
        type_text(dialog.password, attempt)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        if attempt == "sai mật khẩu":
            assert dialog.message.text() == "Sai tên đăng nhập hoặc mật khẩu."
            assert dialog.password.text() == "" and dialog.isVisible()
        qtbot.wait(2100 if attempt == "sai lần hai" else 1100)
    type_text(dialog.password, "mật khẩu nhập liệu")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # within 4 s: even the right one waits
    assert "Hãy đợi" in dialog.message.text() and dialog.isVisible()
    dialog.resize(460, dialog.sizeHint().height())
    dialog.grab().save(str(tmp_path / "login.png"))
    with commune_db.session() as session:
        account = accounts.find_account(session, "lan")
        assert account is not None and account.failed_attempts == 3
    with accounts.acting_as(accounts.authenticate(commune_db, "quan", ADMIN_PASSWORD)):
        account_admin.change_password(commune_db, "lan", "mật khẩu mới của Lan")  # the delay ends
    type_text(dialog.password, "mật khẩu mới của Lan")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.roles == {"nhap_lieu"}


def _window(qtbot: QtBot, db: Database, actor: accounts.Actor) -> MainWindow:
    db.sign_in(actor)
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready):
        window.attach(db, load_office_snapshot(db, current_year=2023))
    return window


def _action(window: MainWindow, text: str) -> QAction:
    [action] = [a for a in window.findChildren(QAction) if a.text() == text]
    return action


def test_clerk_sees_leaders_and_administrators_actions_disabled_with_the_role(
    qtbot: QtBot, commune_db: Database
) -> None:
    _office(commune_db)
    clerk = accounts.authenticate(commune_db, "lan", "mật khẩu nhập liệu")
    window = _window(qtbot, commune_db, clerk)
    assert not window.lock_action.isEnabled()
    assert window.lock_action.toolTip() == "Cần vai trò «Lãnh đạo» (lanh_dao)."
    assert not _action(window, "&Cài đặt báo cáo…").isEnabled()
    assert _action(window, "&Cài đặt báo cáo…").toolTip() == "Cần vai trò «Quản trị» (quan_tri)."
    assert not window.account_menu.users_action.isEnabled()
    assert not _action(window, "Xung đột &chờ xử lý…").isEnabled()
    assert _action(window, "&Xuất gói gửi cấp trên…").isEnabled()  # a clerk exports
    assert "Trần Thị Lan" in window.account_menu.who.text()


def test_leader_may_lock_and_an_administrator_alone_only_reads_the_data(
    qtbot: QtBot, commune_db: Database
) -> None:
    admin = _office(commune_db)
    with accounts.acting_as(admin):
        account_admin.change_roles(commune_db, "lan", ["nhap_lieu", "lanh_dao"])
        account_admin.add(commune_db, "it", "Đỗ Văn Hùng", "mật khẩu kỹ thuật", ["quan_tri"])
    leader = accounts.authenticate(commune_db, "lan", "mật khẩu nhập liệu")
    window = _window(qtbot, commune_db, leader)
    assert window.lock_action.isEnabled() and not window.lock_action.toolTip().startswith("Cần vai trò")
    assert not _action(window, "&Cài đặt báo cáo…").isEnabled()
    target = window.current_target()
    assert target is not None and lock_reason(commune_db, target) is None
    technician = accounts.authenticate(commune_db, "it", "mật khẩu kỹ thuật")
    commune_db.sign_in(technician)
    reason = lock_reason(commune_db, target)
    assert reason is not None and "chỉ được xem" in reason and "«Nhập liệu» (nhap_lieu)" in reason


def test_audit_screen_filters_and_exports(qtbot: QtBot, commune_db: Database, tmp_path: Path) -> None:
    admin = _office(commune_db)
    leader = accounts.Actor(admin.id, admin.login, admin.full_name, "", accounts.ALL_ROLES)
    with commune_db.transaction() as session, accounts.acting_as(leader):
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        lock_period(session, unit.id, period.id, user=leader.login, note="Đã gửi huyện")
        change_setting(session, "signer.name", "Nguyễn Văn Quân")
    dialog = AuditDialog(commune_db)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 700)
    dialog.show()
    qtbot.waitExposed(dialog)
    texts = {dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())}
    assert {"Chốt gửi kỳ báo cáo", "Đổi thiết lập", "Thêm tài khoản"} <= texts
    dialog.grab().save(str(tmp_path / "audit.png"))
    dialog.action.setCurrentIndex(dialog.action.findData("lock"))
    assert dialog.table.rowCount() == 1
    assert [dialog.table.item(0, c).text() for c in (1, 3, 4)] == [
        "Nguyễn Văn Quân",
        "Xã Phúc Chu (DH-PHUCCHU)",
        "2023",
    ]
    dialog.action.setCurrentIndex(0)
    dialog.person.setCurrentIndex(dialog.person.findData("lan"))
    assert dialog.table.rowCount() == 0  # Lan did nothing
    dialog.person.setCurrentIndex(0)
    dialog.since.setDate(dialog.since.date().currentDate().addDays(1))
    assert dialog.table.rowCount() == 0
    dialog.since.setDate(dialog.since.date().currentDate().addDays(-1))
    count = dialog.export_to(tmp_path / "nhat-ky.xlsx")
    sheet = load_workbook(tmp_path / "nhat-ky.xlsx")["Nhật ký"]
    assert [c.value for c in sheet[1]][:4] == ["Thời điểm", "Tài khoản", "Người thực hiện", "Việc"]
    assert sheet.max_row == count + 1 and count == dialog.table.rowCount() >= 4
    assert isinstance(sheet["A2"].value, dt.datetime)


def test_users_screen_locks_an_account_but_never_the_last_administrator(
    qtbot: QtBot, commune_db: Database
) -> None:
    from danvan_desktop.ui.users_dialog import UsersDialog

    admin = _office(commune_db)
    commune_db.sign_in(admin)
    dialog = UsersDialog(commune_db)
    qtbot.addWidget(dialog)
    dialog.show()
    logins = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert logins == ["lan", "quan"]
    dialog.table.selectRow(logins.index("quan"))
    dialog.toggle_active()
    assert dialog.message.text() == "Phải còn ít nhất một tài khoản quản trị đang hoạt động."
    dialog.table.selectRow(logins.index("lan"))
    dialog.toggle_active()
    assert dialog.table.item(logins.index("lan"), 4).text() == "Đã khóa"
    with commune_db.session() as session:
        account = accounts.find_account(session, "lan")
        assert account is not None and not account.active
