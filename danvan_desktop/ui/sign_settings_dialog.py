"""«Cài đặt ký số»: the signature and seal images, the token's library, the trusted-roots folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.text import nfc
from danvan_desktop.ui.layout_helpers import dialog_buttons, resize_within_screen

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database

FIELDS = (
    ("sign.signature_image", "Ảnh &chữ ký (PNG):", "Ảnh PNG (*.png)", False),
    ("sign.seal_image", "Ảnh con &dấu (PNG):", "Ảnh PNG (*.png)", False),
    ("sign.pkcs11_module", "Thư viện &token (PKCS#11):", "Thư viện (*.so *.dll *.dylib)", False),
    ("sign.trust_dir", "Thư mục chứng thư &gốc tin cậy:", "", True),
)


class SignSettingsDialog(QDialog):
    """The office's signing settings, each path checked before it is saved (audited like any setting)."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        from danvan_desktop.services.office.settings import get_setting

        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Cài đặt ký số")
        resize_within_screen(self, 720, 300)
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        with db.session() as session:
            values = {key: get_setting(session, key) or "" for key, *_rest in FIELDS}
        for key, label, pattern, folder in FIELDS:
            edit = QLineEdit(values[key])
            edit.setObjectName(key)
            self.edits[key] = edit
            form.addRow(label, self._with_browse(edit, pattern, folder))
        note = QLabel(
            "Để trống mục nào không dùng. Ảnh chữ ký và con dấu theo Nghị định 30/2020/NĐ-CP: PNG nền trong "
            "suốt. Thư mục chứng thư gốc chứa các tệp .crt/.cer/.pem của tổ chức cung cấp dịch vụ chữ ký số "
            "mà đơn vị tin cậy (dùng khi kiểm tra báo cáo nhận được)."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555555;")
        self.message = QLabel()
        self.message.setObjectName("signSettingsMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        buttons = dialog_buttons(self, "&Lưu", self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def _with_browse(self, edit: QLineEdit, pattern: str, folder: bool) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        browse = QPushButton("Chọn…")
        browse.setAutoDefault(False)

        def choose() -> None:
            if folder:
                name = QFileDialog.getExistingDirectory(self, "Chọn thư mục", edit.text())
            else:
                name, _ = QFileDialog.getOpenFileName(self, "Chọn tệp", edit.text(), pattern)
            if name:
                edit.setText(name)

        browse.clicked.connect(choose)
        row.addWidget(browse)
        return box

    def values(self) -> dict[str, str]:
        return {key: nfc(edit.text().strip()) for key, edit in self.edits.items()}

    def save(self) -> bool:
        from danvan_desktop.services.office.audit import change_setting
        from danvan_desktop.services.reporting.signing_setup import check_sign_settings

        values = self.values()
        problem = check_sign_settings(values)
        if problem:
            self.message.setText(f"Chưa lưu: {problem}")
            return False
        with self.db.transaction() as session:
            for key, value in values.items():
                change_setting(session, key, value)
        self.message.clear()
        self.accept()
        return True
