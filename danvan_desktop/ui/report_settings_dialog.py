"""Report settings: the letterhead, signer and recipients a return prints, and the default profile."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.text import nfc
from danvan_desktop.ui.layout_helpers import dialog_buttons, resize_within_screen

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database

LINE_KEYS = (
    ("office.issuing_body", "Cơ quan &ban hành:", "ví dụ: ỦY BAN NHÂN DÂN XÃ PHÚC CHU"),
    ("office.superior_body", "Cơ quan cấp &trên:", "ví dụ: UBND HUYỆN ĐỊNH HÓA (để trống nếu không in)"),
    ("office.place_name", "Địa &danh:", "in ở dòng «…, ngày … tháng … năm …», ví dụ: Phúc Chu"),
    ("office.abbreviation", "&Ký hiệu viết tắt:", "ví dụ: UBND, ĐU, BDVHU"),
    ("signer.name", "&Họ và tên người ký:", ""),
    ("signer.title", "&Chức vụ người ký:", "ví dụ: CHỦ TỊCH, BÍ THƯ, TRƯỞNG BAN"),
    ("signer.collective", "Tập thể thay &mặt:", "sau TM., T/M; ví dụ: ỦY BAN NHÂN DÂN"),
)
AUTHORITIES = (
    ("", "Ký trực tiếp (không ghi thẩm quyền)"),
    ("TM.", "TM. — thay mặt (văn bản nhà nước)"),
    ("KT.", "KT. — ký thay (văn bản nhà nước)"),
    ("T/M", "T/M — thay mặt (văn bản của Đảng)"),
    ("K/T", "K/T — ký thay (văn bản của Đảng)"),
)
REQUIRED = ("office.issuing_body", "office.place_name", "signer.name", "signer.title")


class ReportSettingsDialog(QDialog):
    """Filled once per office; every return prints these values."""

    def __init__(self, db: Database, parent: QWidget | None = None, profiles_dir: Path | None = None) -> None:
        from danvan_desktop.paths import user_paths
        from danvan_desktop.services.office.settings import get_setting
        from danvan_desktop.services.reporting import all_setting_keys
        from danvan_desktop.services.reporting.pushed_profiles import pushed_profile_texts
        from danvan_desktop.services.reporting.report_output import (
            PROFILE_SETTING,
            profile_choices,
            profile_key,
        )

        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Cài đặt báo cáo")
        resize_within_screen(self, 620, 560)
        self.labels = all_setting_keys()
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        with db.session() as session:
            values = {key: get_setting(session, key) or "" for key in self.labels}
            default_profile = profile_key(session, None)
            pushed = pushed_profile_texts(session)  # profiles sent from above are offered too
        for key, label, hint in LINE_KEYS:
            edit = QLineEdit(values[key])
            edit.setObjectName(key)
            edit.setPlaceholderText(hint)
            edit.setToolTip(self.labels[key])
            self.edits[key] = edit
            form.addRow(label, edit)
            if key == "signer.title":
                self.authority = QComboBox()
                self.authority.setObjectName("signer.authority")
                for value, text in AUTHORITIES:
                    self.authority.addItem(text, value)
                current = self.authority.findData(values["signer.authority"])
                if current < 0 and values["signer.authority"]:
                    self.authority.addItem(values["signer.authority"], values["signer.authority"])
                    current = self.authority.count() - 1
                self.authority.setCurrentIndex(max(0, current))
                form.addRow("Thẩm &quyền ký:", self.authority)
        self.recipients = QPlainTextEdit("\n".join(_split(values["report.recipients"])))
        self.recipients.setObjectName("report.recipients")
        self.recipients.setPlaceholderText(
            "Mỗi nơi nhận một dòng, ví dụ:\nBan Dân vận Huyện ủy\nThường trực Đảng ủy"
        )
        self.recipients.setTabChangesFocus(True)
        self.recipients.setMaximumHeight(110)
        form.addRow("&Nơi nhận:", self.recipients)
        self.profile = QComboBox()
        self.profile.setObjectName(PROFILE_SETTING)
        for key, name in profile_choices(profiles_dir or user_paths().profiles_dir, pushed):
            self.profile.addItem(name, key)
        self.profile.setCurrentIndex(max(0, self.profile.findData(default_profile)))
        form.addRow("Mẫu văn bản &mặc định:", self.profile)

        self.message = QLabel()
        self.message.setObjectName("settingsMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        note = QLabel("«Lưu: VT.» luôn được in ở dòng cuối của Nơi nhận.")
        note.setStyleSheet("color: #555555;")
        buttons = dialog_buttons(self, "&Lưu", self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str]:
        from danvan_desktop.services.reporting.report_output import PROFILE_SETTING

        values = {key: nfc(edit.text().strip()) for key, edit in self.edits.items()}
        values["signer.authority"] = str(self.authority.currentData() or "")
        values["report.recipients"] = "\n".join(_split(nfc(self.recipients.toPlainText())))
        values[PROFILE_SETTING] = str(self.profile.currentData() or "")
        return values

    def save(self) -> bool:
        """Store every value; refused, with the reason shown here, while a required one is empty."""
        from danvan_desktop.services.office.audit import change_setting

        values = self.values()
        missing = [key for key in REQUIRED if not values[key]]
        if missing:
            names = ", ".join(self.labels[key].lower() for key in missing)
            self.message.setText(f"Chưa lưu: cần điền {names}.")
            self.edits[missing[0]].setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        with self.db.transaction() as session:
            for key, value in values.items():
                change_setting(session, key, value)  # attributed, old → new in the audit trail
        self.message.clear()
        self.accept()
        return True


def _split(text: str) -> list[str]:
    return [line.strip() for line in text.replace(";", "\n").splitlines() if line.strip()]
