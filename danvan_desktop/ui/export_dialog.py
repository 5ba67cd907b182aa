"""Exporting a signed package for the level above: file, periods, changes only, passphrase."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.errors import UserError
from danvan_desktop.paths import PACKAGE_SUFFIX
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.layout_helpers import resize_within_screen
from danvan_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database
    from danvan_desktop.services.exchange.package_export import ExportResult
    from danvan_desktop.services.office.installation import InstallationInfo
    from danvan_desktop.services.office.periods import PeriodInfo

CODE_ROLE = Qt.ItemDataRole.UserRole


def documents_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location and Path(location).is_dir() else Path.home()


def default_package_path(office_code: str, today: dt.date, folder: Path) -> Path:
    """OFFICECODE-YYYYMMDD.danvan, numbered -2, -3… when a package of that day is already there."""
    base = f"{office_code}-{today:%Y%m%d}"
    candidate, number = folder / f"{base}{PACKAGE_SUFFIX}", 2
    while candidate.exists():
        candidate, number = folder / f"{base}-{number}{PACKAGE_SUFFIX}", number + 1
    return candidate


class ExportDialog(QDialog):
    """Choose what to send; the package is written in the background; the result stays shown."""

    def __init__(
        self,
        db: Database,
        installation: InstallationInfo,
        periods: list[PeriodInfo],
        current: PeriodInfo | None = None,
        parent: QWidget | None = None,
        log_file: Path | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.installation, self.log_file = db, installation, log_file
        self.export_result: ExportResult | None = None
        self.busy = False
        self.setWindowTitle("Xuất gói gửi cấp trên")
        resize_within_screen(self, 640, 620)
        folder = folder or documents_folder()
        self.path_edit = QLineEdit(
            str(default_package_path(installation.office_code, dt.date.today(), folder))
        )
        self.path_edit.setObjectName("packagePath")
        browse = QPushButton("&Chọn…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.all_periods = QRadioButton("&Tất cả các kỳ")
        self.some_periods = QRadioButton("Chỉ các &kỳ đánh dấu dưới đây:")
        group = QButtonGroup(self)
        group.addButton(self.all_periods)
        group.addButton(self.some_periods)
        self.period_list = QListWidget()
        self.period_list.setObjectName("exportPeriods")
        self.period_list.setMaximumHeight(170)
        for period in periods:
            item = QListWidgetItem(period.label)
            item.setData(CODE_ROLE, period.code)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            checked = current is not None and period.code == current.code
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.period_list.addItem(item)
        self.some_periods.toggled.connect(self.period_list.setEnabled)
        self.all_periods.setChecked(True)
        self.period_list.setEnabled(False)
        self.since_last = QCheckBox("Chỉ những gì thay đổi từ &lần gửi trước")
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("để trống nếu không mã hóa")
        self.confirm = QLineEdit()
        self.confirm.setObjectName("passphraseConfirm")
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)

        form = QFormLayout()
        path_label = QLabel("Tệp &gói:")
        path_label.setBuddy(self.path_edit)
        form.addRow(path_label, path_row)
        periods_box = QVBoxLayout()
        periods_box.addWidget(self.all_periods)
        periods_box.addWidget(self.some_periods)
        periods_box.addWidget(self.period_list)
        form.addRow("Kỳ báo cáo:", periods_box)
        form.addRow("", self.since_last)
        form.addRow("&Mật khẩu:", self.passphrase)
        form.addRow("&Nhập lại mật khẩu:", self.confirm)
        from danvan_desktop.ui.export_returns import install_returns_row

        self.returns = install_returns_row(form)  # signed returns travel with their data (format 3)
        hint = QLabel(
            "Gói luôn được ký bằng khóa của đơn vị. Mật khẩu (không bắt buộc) mã hóa gói; hãy báo mật khẩu "
            "cho nơi nhận qua điện thoại, không gửi kèm tệp."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555555;")

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the writer does not report steps
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("exportFingerprint")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(mono.pointSizeF() * 1.3)
        mono.setBold(True)
        self.fingerprint.setFont(mono)
        self.fingerprint.setVisible(False)

        self.export_button = QPushButton("&Xuất gói")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.path_edit.textChanged.connect(lambda _text: self.export_button.setEnabled(not self.busy))
        self.open_folder = QPushButton("Mở &thư mục chứa gói")
        self.open_folder.setAutoDefault(False)
        self.open_folder.setVisible(False)
        self.open_folder.clicked.connect(self._open_folder)
        self.close_button = QPushButton("Đóng")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(f"Đơn vị gửi: <b>{installation.office_label}</b> ({installation.office_code})")
        )
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.fingerprint)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def chosen_periods(self) -> list[str]:
        if self.all_periods.isChecked():
            return []
        items = (self.period_list.item(row) for row in range(self.period_list.count()))
        return [str(i.data(CODE_ROLE)) for i in items if i.checkState() == Qt.CheckState.Checked]

    def target(self) -> Path:
        text = self.path_edit.text().strip()
        return Path(text if text.lower().endswith(PACKAGE_SUFFIX) else text + PACKAGE_SUFFIX)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Lưu gói dữ liệu", str(self.target()), f"Gói dữ liệu Dân Vận (*{PACKAGE_SUFFIX})"
        )
        if name:
            self.path_edit.setText(name)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)

    def start_export(self) -> bool:
        """Check the choices, then write the package in the background; False when not started."""
        from danvan_desktop.services.exchange.package_export import export_package

        codes = self.chosen_periods()
        if self.some_periods.isChecked() and not codes:
            self._say("Hãy đánh dấu ít nhất một kỳ báo cáo, hoặc chọn «Tất cả các kỳ».", error=True)
            return False
        if self.passphrase.text() != self.confirm.text():
            self._say("Hai lần nhập mật khẩu không khớp nhau.", error=True)
            self.confirm.setFocus()
            return False
        if not self.path_edit.text().strip():
            self._say("Hãy chọn nơi lưu tệp gói.", error=True)
            return False
        out, passphrase, since_last, returns = (
            self.target(),
            self.passphrase.text() or None,
            self.since_last.isChecked(),
            list(self.returns.paths),
        )
        self._set_busy(True)
        self.fingerprint.setVisible(False)
        self.open_folder.setVisible(False)
        self._say(f"Đang ghi gói {out.name}…", error=False)
        run_in_background(
            lambda: export_package(
                self.db, out, periods=codes, since_last=since_last, passphrase=passphrase, returns=returns
            ),
            self._finished,
            self._failed,
        )
        return True

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        for widget in (self.export_button, self.close_button, self.path_edit, self.passphrase, self.confirm):
            widget.setEnabled(not busy)

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, UserError):
            self._say(f"Chưa xuất được gói.\n{error.message}", error=True)
        else:
            self._say("Chưa xuất được gói (lỗi ngoài dự kiến).", error=True)
            report_exception(self, error, self.log_file)

    def _finished(self, result: ExportResult) -> None:
        self._set_busy(False)
        self.export_result = result
        summary = result.summary
        if summary is None:
            since = " kể từ lần gửi trước" if self.since_last.isChecked() else ""
            self._say(f"Không có số liệu nào để gửi{since}; không tạo tệp gói.", error=False)
            return
        self.export_button.setEnabled(False)  # once is enough; another file name enables it again
        size = f"{summary.size:,}".replace(",", ".")
        self._say(
            f"<b>Đã xuất gói số {result.sequence}</b> của {self.installation.office_label}:<br>"
            f"{summary.path}<br>"
            f"{summary.record_count} bản ghi ({summary.tombstone_count} đã xóa), {size} byte"
            + (", đã mã hóa bằng mật khẩu." if summary.encrypted else ".")
            + "<br><br>Dấu vân tay khóa ký — đọc cho nơi nhận khi gọi điện đối chiếu:",
            error=False,
        )
        groups = summary.fingerprint.split()  # two lines of eight groups: easier to read out
        self.fingerprint.setText(" ".join(groups[:8]) + "\n" + " ".join(groups[8:]))
        self.fingerprint.setVisible(True)
        self.open_folder.setVisible(True)
        self.close_button.setFocus()

    def _open_folder(self) -> None:
        if self.export_result is not None and self.export_result.summary is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.export_result.summary.path.parent)))

    def reject(self) -> None:
        if not self.busy:  # the package is being written: closing now would hide the outcome
            super().reject()
