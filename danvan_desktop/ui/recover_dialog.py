"""The administrator forgot the password: the recovery code sets a new one, and a new code is shown once."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from danvan_desktop import APP_TITLE
from danvan_desktop.db.engine import Database
from danvan_desktop.errors import UserError
from danvan_desktop.services.office import account_admin, accounts
from danvan_desktop.ui.layout_helpers import buddy_form, passwords_differ


class RecoverDialog(QDialog):
    """Login name, the recovery code written down at the start, the new password twice."""

    def __init__(self, db: Database, login: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.new_code = ""
        self.setWindowTitle(f"Khôi phục mật khẩu quản trị — {APP_TITLE}")
        self.setMinimumWidth(520)
        intro = QLabel(
            "Dùng mã khôi phục đã chép ra giấy khi tạo tài khoản quản trị đầu tiên. Sau khi đặt mật khẩu "
            "mới, mã cũ hết hiệu lực và chương trình cho một mã mới (chỉ hiện một lần)."
        )
        intro.setWordWrap(True)
        self.login = QLineEdit(login)
        self.login.setObjectName("recoverLogin")
        self.code = QLineEdit()
        self.code.setObjectName("recoverCode")
        self.code.setPlaceholderText("ví dụ: D35731-12F517-DF1A4B-6E6781")
        self.password = QLineEdit()
        self.password.setObjectName("recoverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"ít nhất {accounts.MIN_PASSWORD} ký tự")
        self.again = QLineEdit()
        self.again.setObjectName("recoverPasswordAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        form = buddy_form(
            (
                ("&Tên đăng nhập quản trị:", self.login),
                ("Mã &khôi phục:", self.code),
                ("&Mật khẩu mới:", self.password),
                ("&Nhập lại mật khẩu:", self.again),
            )
        )
        self.message = QLabel()
        self.message.setObjectName("recoverMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox()
        ok = buttons.addButton("Đặt mật khẩu mới", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setDefault(True)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_recover)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        (self.code if login else self.login).setFocus()

    def try_recover(self) -> None:
        if passwords_differ(self.password, self.again, self.message):
            return
        try:
            self.new_code = account_admin.recover(
                self.db, self.login.text(), self.code.text(), self.password.text()
            )
        except UserError as exc:
            self.message.setText(exc.message)
            self.code.setFocus()
            return
        self.accept()
