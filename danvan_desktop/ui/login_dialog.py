"""Signing in: the login dialog, the first administrator's dialog (with the recovery code), the choice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop import APP_TITLE
from danvan_desktop.db.engine import Database
from danvan_desktop.errors import UserError
from danvan_desktop.services.office import account_admin, accounts
from danvan_desktop.services.office.accounts import Actor
from danvan_desktop.ui.layout_helpers import buddy_form, passwords_differ


class LoginDialog(QDialog):
    """Login name (the last one filled in) and password; Enter signs in, Esc quits."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle(f"Đăng nhập — {APP_TITLE}")
        self.setMinimumWidth(440)
        with db.session() as session:
            last = accounts.last_login(session)
        intro = QLabel(f"Đăng nhập để làm việc với cơ sở dữ liệu:\n{db.path}")
        intro.setWordWrap(True)
        self.login = QLineEdit(last)
        self.login.setObjectName("loginName")
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        name_label = QLabel("&Tên đăng nhập:")
        name_label.setBuddy(self.login)
        password_label = QLabel("&Mật khẩu:")
        password_label.setBuddy(self.password)
        form.addRow(name_label, self.login)
        form.addRow(password_label, self.password)
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        hint = QLabel(
            "Quên mật khẩu: nhờ người quản trị đặt lại. Quản trị quên mật khẩu: bấm «Dùng mã khôi phục» "
            "(hoặc lệnh «danvan users recover TÊN»)."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("Đăng nhập", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.recover_button = buttons.addButton("Dùng mã &khôi phục…", QDialogButtonBox.ButtonRole.ResetRole)
        self.recover_button.setObjectName("recoverButton")
        self.recover_button.clicked.connect(self.recover)
        buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        (self.password if last else self.login).setFocus()

    def try_sign_in(self) -> None:
        if not self.login.text().strip():
            self.message.setText("Hãy gõ tên đăng nhập.")
            self.login.setFocus()
            return
        try:
            self.actor = accounts.authenticate(
                self.db, self.login.text(), self.password.text(), record_login=True
            )
        except UserError as exc:
            self.message.setText(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        accounts.remember_login(self.db, self.actor.login)
        self.accept()

    def recover(self) -> None:
        """The administrator's new password from the recovery code; then the new code, shown once."""
        from danvan_desktop.ui.recover_dialog import RecoverDialog

        dialog = RecoverDialog(self.db, self.login.text().strip(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        RecoveryCodeDialog(dialog.new_code, self).exec()
        self.login.setText(dialog.login.text().strip().lower())
        self.message.setText("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu đó.")
        self.password.clear()
        self.password.setFocus()


class FirstAdministratorDialog(QDialog):
    """The database has no account yet: create its administrator, then show the recovery code once."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.recovery_code = ""
        self.setWindowTitle(f"Tạo tài khoản quản trị — {APP_TITLE}")
        self.setMinimumWidth(560)
        intro = QLabel(
            "Cơ sở dữ liệu này chưa có tài khoản. Hãy tạo tài khoản quản trị đầu tiên: người này thêm "
            "tài khoản cho những người khác và được làm mọi việc. Mọi thao tác đều được ghi tên người làm."
        )
        intro.setWordWrap(True)
        self.full_name = QLineEdit()
        self.full_name.setObjectName("adminFullName")
        self.title = QLineEdit()
        self.title.setObjectName("adminTitle")
        self.title.setPlaceholderText("ví dụ: Chánh Văn phòng Đảng ủy")
        self.login = QLineEdit()
        self.login.setObjectName("adminLogin")
        self.login.setPlaceholderText("không dấu cách, ví dụ: lan")
        self.password = QLineEdit()
        self.password.setObjectName("adminPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"ít nhất {accounts.MIN_PASSWORD} ký tự")
        self.again = QLineEdit()
        self.again.setObjectName("adminPasswordAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.single_user = QCheckBox(
            "&Chỉ một người dùng máy này: mở chương trình không cần đăng nhập,\n"
            "mọi thao tác vẫn ghi tên tài khoản này"
        )
        self.single_user.setObjectName("singleUser")
        form = buddy_form(
            (
                ("&Họ và tên:", self.full_name),
                ("C&hức vụ:", self.title),
                ("&Tên đăng nhập:", self.login),
                ("&Mật khẩu:", self.password),
                ("&Nhập lại mật khẩu:", self.again),
            )
        )
        self.message = QLabel()
        self.message.setObjectName("adminMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox()
        create = buttons.addButton("Tạo tài khoản", QDialogButtonBox.ButtonRole.AcceptRole)
        create.setDefault(True)
        buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.create_account)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.single_user)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.full_name.setFocus()

    def create_account(self) -> None:
        if passwords_differ(self.password, self.again, self.message):
            return
        try:
            self.actor, self.recovery_code = account_admin.create_first_administrator(
                self.db,
                self.login.text(),
                self.full_name.text(),
                self.password.text(),
                title=self.title.text(),
                single_user=self.single_user.isChecked(),
            )
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.accept()


class RecoveryCodeDialog(QDialog):
    """The recovery code, shown once: the only way back in if the only administrator forgets."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mã khôi phục — chỉ hiện một lần")
        text = QLabel(
            "Hãy chép mã dưới đây ra giấy và cất ở nơi an toàn. Khi quản trị quên mật khẩu, mã này cho "
            "phép đặt mật khẩu mới (nút «Dùng mã khôi phục» khi đăng nhập). Chương trình không lưu mã "
            "này và sẽ không hiện lại."
        )
        text.setWordWrap(True)
        shown = QLabel(code)
        shown.setObjectName("recoveryCode")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(16)
        font.setBold(True)
        shown.setFont(font)
        shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        buttons.addButton("Tôi đã chép lại mã", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(shown)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)


def sign_in_without_dialog(db: Database) -> Actor | None:
    """The single-user account, or NO_ACCOUNT for a database without accounts; None: ask."""
    with db.session() as session:
        if not accounts.has_accounts(session):
            return accounts.NO_ACCOUNT
        if accounts.single_user_login(session):
            return accounts.current_actor(session)
    return None


def sign_in_at_start(db: Database, parent: QWidget | None, *, ask: bool) -> bool:
    """Sign the window's person in before any data shows; False when they chose to quit."""
    if ask:
        return sign_in(db, parent) is not None
    actor = sign_in_without_dialog(db)
    if actor is not None:
        db.sign_in(actor)
    return True


def sign_in(db: Database, parent: QWidget | None = None, *, first_administrator: bool = True) -> Actor | None:
    """Whoever works in this window, signed into `db`; None when the person chose to quit.

    `first_administrator`: a database without accounts asks for its administrator (the window at
    start); otherwise such a database is used as before accounts existed.
    """
    actor = sign_in_without_dialog(db)
    if actor is accounts.NO_ACCOUNT and first_administrator:
        first = FirstAdministratorDialog(db, parent)
        if first.exec() != QDialog.DialogCode.Accepted or first.actor is None:
            return None
        RecoveryCodeDialog(first.recovery_code, parent).exec()
        actor = first.actor
    elif actor is None:
        login = LoginDialog(db, parent)
        if login.exec() != QDialog.DialogCode.Accepted or login.actor is None:
            return None
        actor = login.actor
    db.sign_in(actor)
    return actor
