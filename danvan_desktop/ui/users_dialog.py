"""The users screen (administrators): accounts with their roles; add, change roles, lock, reset password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.db.engine import Database
from danvan_desktop.errors import UserError
from danvan_desktop.services.office import account_admin, accounts
from danvan_desktop.ui.layout_helpers import resize_within_screen

COLUMNS = ["Tên đăng nhập", "Họ và tên", "Chức vụ", "Vai trò", "Trạng thái"]


class AccountForm(QDialog):
    """A new account (name, title, roles, password twice), or only the roles of an existing one."""

    def __init__(
        self, parent: QWidget, *, login: str | None = None, roles: frozenset[str] = frozenset()
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Vai trò của tài khoản" if login else "Thêm tài khoản")
        self.login = QLineEdit(login or "")
        self.login.setObjectName("newLogin")
        self.login.setReadOnly(login is not None)
        self.full_name = QLineEdit()
        self.full_name.setObjectName("newFullName")
        self.title = QLineEdit()
        self.password = QLineEdit()
        self.password.setObjectName("newPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("newPasswordAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.role_boxes = {code: QCheckBox(label) for code, label in accounts.ROLE_LABELS.items()}
        for code, box in self.role_boxes.items():
            box.setObjectName(f"role_{code}")
            box.setChecked(code in roles or (not roles and code == accounts.NHAP_LIEU))
        form = QFormLayout()
        form.addRow("&Tên đăng nhập:", self.login)
        if login is None:
            form.addRow("&Họ và tên:", self.full_name)
            form.addRow("&Chức vụ:", self.title)
            form.addRow("&Mật khẩu:", self.password)
            form.addRow("&Nhập lại mật khẩu:", self.again)
        role_row = QHBoxLayout()
        for box in self.role_boxes.values():
            role_row.addWidget(box)
        form.addRow("Vai trò:", role_row)
        help_text = QLabel(
            "Nhập liệu: nhập, nạp bảng tính, xuất gói. Lãnh đạo: như nhập liệu, thêm chốt/mở kỳ, quyết định "
            "xung đột, lấy số văn bản. Quản trị: tài khoản, tin cậy đơn vị gửi, khôi phục, danh mục, cài đặt."
        )
        help_text.setWordWrap(True)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.check_and_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        (self.role_boxes[accounts.NHAP_LIEU] if login else self.login).setFocus()

    def roles(self) -> list[str]:
        return [code for code, box in self.role_boxes.items() if box.isChecked()]

    def check_and_accept(self) -> None:
        if not self.login.isReadOnly() and self.password.text() != self.again.text():
            self.message.setText("Hai lần nhập mật khẩu không giống nhau.")
            return
        self.accept()


class UsersDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Quản lý tài khoản")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("accountsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message = QLabel()
        self.message.setObjectName("usersMessage")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, slot in (
            ("&Thêm…", self.add),
            ("&Vai trò…", self.edit_roles),
            ("&Khóa / mở khóa", self.toggle_active),
            ("Đặt lại &mật khẩu…", self.reset_password),
            ("&Một người dùng máy này", self.toggle_single_user),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        resize_within_screen(self, 1000, 480)
        self.reload()

    def reload(self) -> None:
        with self.db.session() as session:
            rows = accounts.list_accounts(session)
            single = accounts.single_user_login(session)
        self.table.setRowCount(len(rows))
        for row, account in enumerate(rows):
            roles = ", ".join(
                label for code, label in accounts.ROLE_LABELS.items() if code in account.roles.split()
            )
            state = "Đang dùng" if account.active else "Đã khóa"
            if account.login == single:
                state += " · một người dùng máy này"
            for column, text in enumerate((account.login, account.full_name, account.title, roles, state)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, account.login)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()

    def selected_login(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.message.setText("Hãy chọn một tài khoản trong bảng.")
            return None
        item = self.table.item(rows[0].row(), 0)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _do(self, work: object, done: str) -> bool:
        assert callable(work)
        try:
            work()
        except UserError as exc:
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText(exc.message)
            return False
        self.message.setStyleSheet("")
        self.message.setText(done)
        self.reload()
        return True

    def add(self) -> None:
        form = AccountForm(self)
        if not form.exec():
            return
        self._do(
            lambda: account_admin.add(
                self.db,
                form.login.text(),
                form.full_name.text(),
                form.password.text(),
                form.roles(),
                title=form.title.text(),
            ),
            f"Đã thêm tài khoản «{form.login.text().strip().lower()}».",
        )

    def edit_roles(self) -> None:
        login = self.selected_login()
        if login is None:
            return
        with self.db.session() as session:
            account = accounts.find_account(session, login)
            roles = accounts.parse_roles(account.roles) if account else frozenset()
        form = AccountForm(self, login=login, roles=roles)
        if form.exec():
            self._do(lambda: account_admin.change_roles(self.db, login, form.roles()), "Đã đổi vai trò.")

    def toggle_active(self) -> None:
        login = self.selected_login()
        if login is None:
            return
        with self.db.session() as session:
            account = accounts.find_account(session, login)
            active = bool(account and account.active)
        self._do(
            lambda: account_admin.change_active(self.db, login, not active),
            "Đã khóa tài khoản." if active else "Đã mở khóa tài khoản.",
        )

    def reset_password(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        login = self.selected_login()
        if login is None:
            return
        password, ok = QInputDialog.getText(
            self, "Đặt lại mật khẩu", f"Mật khẩu mới cho «{login}»:", QLineEdit.EchoMode.Password
        )
        if ok:
            self._do(lambda: account_admin.change_password(self.db, login, password), "Đã đặt lại mật khẩu.")

    def toggle_single_user(self) -> None:
        login = self.selected_login()
        if login is None:
            return
        with self.db.session() as session:
            current = accounts.single_user_login(session)
        target = None if current == login else login
        self._do(
            lambda: account_admin.change_single_user(self.db, target),
            "Đã tắt chế độ một người dùng."
            if target is None
            else f"Máy này mở thẳng với tài khoản «{login}».",
        )
