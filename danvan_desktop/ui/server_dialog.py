"""The first run's "máy chủ dùng chung": the address of the office's PostgreSQL server, tested."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL

from danvan_desktop.db.location import DRIVER, SSL_MODE, SSL_ROOT_CERT, server_file_for, write_server_file
from danvan_desktop.errors import UserError
from danvan_desktop.ui.worker import run_in_background

# How the link is encrypted (libpq's sslmode): what the server offers, or checked against the office's CA.
TLS_CHOICES = [
    ("prefer", "Nếu máy chủ hỗ trợ, không kiểm tra chứng chỉ"),
    ("verify-full", "Bắt buộc, kiểm tra chứng chỉ bằng tệp CA (nên dùng)"),
]


class ServerDialog(QDialog):
    """Server, port, database, user and password; "Thử kết nối" before "Dùng máy chủ này"."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Máy chủ dùng chung — Dân Vận Desktop")
        self.setMinimumWidth(520)
        self._data_dir = data_dir
        self.connection_file: Path | None = None  # set when accepted
        self.declared = False  # the server already holds an office: open it, no unit to choose
        intro = QLabel(
            "Văn phòng có nhiều máy dùng chung một cơ sở dữ liệu PostgreSQL: nhập địa chỉ máy chủ do "
            "cán bộ kỹ thuật cung cấp (xem docs/server.md), bấm «Thử kết nối» rồi «Dùng máy chủ này»."
        )
        intro.setWordWrap(True)
        self.host = QLineEdit("localhost")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit("danvan")
        self.user = QLineEdit("danvan")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.tls = QComboBox()
        for mode, label in TLS_CHOICES:
            self.tls.addItem(label, mode)
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText("tệp .crt hoặc .pem do cán bộ kỹ thuật cung cấp")
        self.ca_button = QPushButton("Chọn…")
        self.ca_button.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_button)
        for name, widget in (
            ("serverHost", self.host),
            ("serverPort", self.port),
            ("serverDatabase", self.database),
            ("serverUser", self.user),
            ("serverPassword", self.password),
            ("serverTls", self.tls),
            ("serverCaFile", self.ca_file),
        ):
            widget.setObjectName(name)
        form = QFormLayout()
        form.addRow("Máy chủ:", self.host)
        form.addRow("Cổng:", self.port)
        form.addRow("Cơ sở dữ liệu:", self.database)
        form.addRow("Tên đăng nhập:", self.user)
        form.addRow("Mật khẩu:", self.password)
        form.addRow("Mã hóa kết nối:", self.tls)
        form.addRow("Tệp chứng chỉ CA:", ca_row)
        self.test_button = QPushButton("Thử kết nối")
        self.test_button.clicked.connect(self.test_connection)
        self.outcome = QLabel()
        self.outcome.setObjectName("serverResult")
        self.outcome.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.use_button = self.buttons.addButton("Dùng máy chủ này", QDialogButtonBox.ButtonRole.AcceptRole)
        self.use_button.setEnabled(False)  # only after a successful test of exactly these fields
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for field in (self.host, self.database, self.user, self.password, self.ca_file):
            field.textChanged.connect(self._changed)
        self.port.valueChanged.connect(self._changed)
        self.tls.currentIndexChanged.connect(self._changed)
        self._changed()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.test_button)
        layout.addWidget(self.outcome)
        layout.addWidget(self.buttons)

    def checks_certificate(self) -> bool:
        return bool(self.tls.currentData() == "verify-full")

    def url(self) -> URL:
        query = {}
        if self.checks_certificate():
            query = {SSL_MODE: "verify-full", SSL_ROOT_CERT: self.ca_file.text().strip()}
        return URL.create(
            DRIVER,
            username=self.user.text().strip() or None,
            password=self.password.text() or None,
            host=self.host.text().strip() or "localhost",
            port=self.port.value(),
            database=self.database.text().strip(),
            query=query,
        )

    def _changed(self) -> None:
        self.use_button.setEnabled(False)
        self.outcome.clear()
        self.ca_file.setEnabled(self.checks_certificate())
        self.ca_button.setEnabled(self.checks_certificate())

    def _choose_ca(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Tệp chứng chỉ CA của máy chủ", "", "Chứng chỉ (*.crt *.pem *.cer);;Mọi tệp (*)"
        )
        if chosen:
            self.ca_file.setText(chosen)

    def test_connection(self) -> None:
        if not self.database.text().strip():
            self.outcome.setText("Hãy nhập tên cơ sở dữ liệu.")
            return
        if self.checks_certificate() and not self.ca_file.text().strip():
            self.outcome.setText("Hãy chọn tệp chứng chỉ CA của máy chủ (hoặc chọn cách mã hóa khác).")
            return
        url = self.url()
        # A connection file in the data folder: the test connects exactly as the program will.
        path = write_server_file(server_file_for(url, self._data_dir), url)
        self.test_button.setEnabled(False)
        self.outcome.setText("Đang kết nối…")

        def probe() -> str | None:
            from danvan_desktop.db.server import probe_server

            return probe_server(path)

        run_in_background(probe, lambda revision: self._tested(path, revision), self._failed)

    def _tested(self, path: Path, revision: str | None) -> None:
        self.test_button.setEnabled(True)
        self.connection_file, self.declared = path, revision is not None
        if revision is None:
            self.outcome.setText(
                "Kết nối được. Cơ sở dữ liệu còn trống: bấm «Dùng máy chủ này» rồi chọn đơn vị sử dụng."
            )
        else:
            self.outcome.setText(
                "Kết nối được. Máy chủ đã có dữ liệu của đơn vị: bấm «Dùng máy chủ này» để mở."
            )
        self.use_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.connection_file = None
        message = error.message if isinstance(error, UserError) else "Lỗi ngoài dự kiến khi kết nối."
        self.outcome.setText(f"<span style='color:#b00020'>{message}</span>")


def add_server_button(first_run: QDialog, buttons: QDialogButtonBox, where: QLabel) -> QPushButton:
    """The first-run dialog's "Máy chủ dùng chung…": its `database_path` becomes the server's
    connection file; a server that already holds an office is opened at once."""
    from danvan_desktop import paths
    from danvan_desktop.db.location import database_label

    button = buttons.addButton("Máy chủ dùng chung…", QDialogButtonBox.ButtonRole.ActionRole)
    button.setObjectName("sharedServerButton")

    def choose() -> None:
        dialog = ServerDialog(paths.user_paths().data_dir, first_run)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.connection_file is None:
            return
        first_run.database_path = dialog.connection_file  # type: ignore[attr-defined]
        if dialog.declared:
            first_run.accept()
            return
        where.setText(
            f"Cơ sở dữ liệu sẽ được tạo trên máy chủ dùng chung:\n{database_label(dialog.connection_file)}"
        )

    button.clicked.connect(choose)
    return button
