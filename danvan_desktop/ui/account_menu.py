"""The Accounts menu: who is signed in, role gates on the window's actions, users and audit screens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMainWindow, QMenu, QMessageBox

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database
    from danvan_desktop.services.office.accounts import Actor

# Window actions (by object name or menu text) and what each needs (accounts.ACTION_ROLES).
GATED_TEXTS = {
    "&Xuất gói gửi cấp trên…": "package.export",
    "&Nhập gói nhận được…": "package.import",
    "Xung đột &chờ xử lý…": "conflict.resolve",
    "&Cài đặt báo cáo…": "settings.change",
}


class AccountMenu:
    """Owned by the window: re-reads the signed-in account whenever a database is attached."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.actor: Actor | None = None
        self.menu = window.menuBar().addMenu("&Người dùng")  # Alt+N: K is Kỳ báo cáo
        self.menu.setObjectName("accountMenu")
        self.menu.setToolTipsVisible(True)
        self.who = self.menu.addAction("(chưa đăng nhập)")
        self.who.setObjectName("signedInAs")
        self.who.setEnabled(False)
        self.menu.addSeparator()
        self.first_action = self.menu.addAction("&Tạo tài khoản quản trị đầu tiên…", self.create_first)
        self.first_action.setObjectName("createFirstAdministrator")
        self.users_action = self.menu.addAction("&Quản lý tài khoản…", self.show_users)
        self.users_action.setObjectName("manageUsers")
        self.audit_action = self.menu.addAction("&Nhật ký thao tác…", self.show_audit)
        self.audit_action.setObjectName("showAudit")
        self.password_action = self.menu.addAction("Đổi &mật khẩu của tôi…", self.change_own_password)
        self.switch_action = self.menu.addAction("Đăng nhập &người khác…", self.switch_user)
        self.status = QLabel()
        self.status.setObjectName("signedInStatus")
        window.statusBar().addPermanentWidget(self.status)  # who is at the keyboard, always in sight
        self.dialog: object = None  # the screen opened last, kept alive while shown
        window.ready.connect(self.on_attached)  # type: ignore[attr-defined]

    def db(self) -> Database | None:
        return getattr(self.window, "db", None)

    def on_attached(self) -> None:
        """A database was attached (start, switch, restore): sign in to it if nobody is, then gate."""
        from danvan_desktop.services.office.accounts import signed_in_actor
        from danvan_desktop.ui.login_dialog import sign_in

        db = self.db()
        if db is None:
            return
        actor = signed_in_actor(db)
        if actor is None:  # another office's file or a restored copy: its own accounts
            actor = sign_in(db, self.window, first_administrator=False)
            if actor is None:
                self.window.close()
                return
        self.actor = actor
        self.refresh()

    def refresh(self) -> None:
        from danvan_desktop.services.office.accounts import NO_ACCOUNT, roles_text

        actor = self.actor
        if actor is None:
            return
        if actor is NO_ACCOUNT:
            self.who.setText("Cơ sở dữ liệu chưa có tài khoản")
            self.status.setText("")
        else:
            title = f", {actor.title}" if actor.title else ""
            self.who.setText(f"Đang làm việc: {actor.full_name}{title} — {roles_text(actor.roles)}")
            self.status.setText(f"Người dùng: {actor.full_name}")
        self.first_action.setVisible(actor is NO_ACCOUNT)  # a file opened from the File menu, say
        self.password_action.setEnabled(actor is not NO_ACCOUNT)
        self.switch_action.setEnabled(actor is not NO_ACCOUNT)
        apply_role_gates(self.window)

    def create_first(self) -> None:
        from danvan_desktop.ui.login_dialog import FirstAdministratorDialog, RecoveryCodeDialog

        db = self.db()
        if db is None:
            return
        dialog = FirstAdministratorDialog(db, self.window)
        if dialog.exec() and dialog.actor is not None:
            RecoveryCodeDialog(dialog.recovery_code, self.window).exec()
            db.sign_in(dialog.actor)
            self.actor = dialog.actor
            self.refresh()

    def show_users(self) -> None:
        from danvan_desktop.ui.users_dialog import UsersDialog

        db = self.db()
        if db is not None:
            dialog = UsersDialog(db, self.window)
            self.dialog = dialog
            dialog.open()

    def show_audit(self) -> None:
        from danvan_desktop.ui.audit_dialog import AuditDialog

        db = self.db()
        if db is not None:
            dialog = AuditDialog(db, self.window)
            self.dialog = dialog
            dialog.open()

    def change_own_password(self) -> None:
        from danvan_desktop.errors import UserError
        from danvan_desktop.services.office.account_admin import change_password

        db, actor = self.db(), self.actor
        if db is None or actor is None:
            return
        first, ok = QInputDialog.getText(
            self.window, "Đổi mật khẩu", "Mật khẩu mới (ít nhất 8 ký tự):", QLineEdit.EchoMode.Password
        )
        if not ok:
            return
        again, ok = QInputDialog.getText(
            self.window, "Đổi mật khẩu", "Nhập lại mật khẩu mới:", QLineEdit.EchoMode.Password
        )
        if not ok:
            return
        if first != again:
            QMessageBox.warning(self.window, "Đổi mật khẩu", "Hai lần nhập không giống nhau; chưa đổi gì.")
            return
        try:
            change_password(db, actor.login, first)
        except UserError as exc:
            QMessageBox.warning(self.window, "Đổi mật khẩu", exc.message)
            return
        self.window.statusBar().showMessage("Đã đổi mật khẩu.", 8000)

    def switch_user(self) -> None:
        from danvan_desktop.ui.login_dialog import LoginDialog

        db = self.db()
        form_area = getattr(self.window, "form_area", None)
        if db is None or (form_area is not None and not form_area.maybe_leave()):
            return
        dialog = LoginDialog(db, self.window)
        if dialog.exec() and dialog.actor is not None:
            db.sign_in(dialog.actor)
            self.actor = dialog.actor
            self.refresh()
            if form_area is not None:
                form_area.refresh()  # pages read-only or not for the new person


def install_account_menu(window: QMainWindow) -> AccountMenu:
    menu = AccountMenu(window)
    window.account_menu = menu  # type: ignore[attr-defined]
    return menu


def _window_actions(window: QMainWindow) -> list[tuple[QAction, str]]:
    gated: list[tuple[QAction, str]] = []
    for attribute, action_key in (("lock_action", "period.lock"), ("reopen_action", "period.reopen")):
        action = getattr(window, attribute, None)
        if isinstance(action, QAction):
            gated.append((action, action_key))
    for action in window.findChildren(QAction):
        if action.text() in GATED_TEXTS:
            gated.append((action, GATED_TEXTS[action.text()]))
    menu: AccountMenu | None = getattr(window, "account_menu", None)
    if menu is not None:
        gated.append((menu.users_action, "users.manage"))
    return gated


def apply_role_gates(window: QMainWindow) -> None:
    """Disable what the signed-in account may not do, with a tooltip naming the role it needs."""
    menu: AccountMenu | None = getattr(window, "account_menu", None)
    actor = menu.actor if menu is not None else None
    if actor is None:
        return
    from danvan_desktop.services.office.accounts import may, needed_roles_text

    for bar_menu in window.menuBar().findChildren(QMenu):
        bar_menu.setToolTipsVisible(True)
    for action, action_key in _window_actions(window):
        if may(actor, action_key):
            if action.toolTip().startswith("Cần vai trò"):
                action.setToolTip("")
                action.setStatusTip("")
                if action not in (
                    getattr(window, "lock_action", None),
                    getattr(window, "reopen_action", None),
                ):
                    action.setEnabled(True)
            continue
        action.setEnabled(False)
        action.setToolTip(needed_roles_text(action_key))
        action.setStatusTip(needed_roles_text(action_key))
