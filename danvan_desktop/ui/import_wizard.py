"""Importing received packages: choose files, verify and preview, accept new keys, apply, report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from danvan_desktop.errors import UserError
from danvan_desktop.paths import PACKAGE_SUFFIX
from danvan_desktop.services.exchange import import_batch as batch
from danvan_desktop.services.exchange.import_batch import (
    BatchItem,
    ImportSettings,
    PackagePreview,
)
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.import_report_page import ReportPage
from danvan_desktop.ui.layout_helpers import lay, push_button, resize_within_screen, text_label
from danvan_desktop.ui.worker import QueueProgress

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database

ACCEPT_TEXT = "&Tôi đã gọi điện đối chiếu dấu vân tay và chấp nhận khóa của đơn vị này"
HEADERS = ["Tệp", "Đơn vị gửi", "Gói số", "Tình trạng", "Mới", "Cập nhật", "Không đổi", "Cũ hơn"]
HEADERS += ["Xung đột", "Từ chối"]
TONES = {"ok": "#1b5e20", "warn": "#a04000", "error": "#b00020", "muted": "#666666"}
DETAIL_LIMIT = 400  # records listed under a package; the report after importing has them all


class FilesPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Chọn các gói dữ liệu cần nhập")
        self.setSubTitle(f"Thêm từng tệp gói ({PACKAGE_SUFFIX}) hoặc cả một thư mục (ví dụ: USB từ các xã).")
        self.file_list = QListWidget()
        self.file_list.setObjectName("packageFiles")
        self.file_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        QShortcut(QKeySequence.StandardKey.Delete, self.file_list, self.remove_selected)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("importPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("chỉ cần khi gói được mã hóa")
        label = QLabel("Mật &khẩu của gói:")
        label.setBuddy(self.passphrase)
        buttons = lay(
            QVBoxLayout(),
            *(
                push_button(t, s)
                for t, s in (("Thêm tệ&p…", self._choose_files), ("Thêm thư &mục…", self._choose_folder))
            ),
            push_button("&Bỏ tệp đã chọn", self.remove_selected),
            1,
        )
        files = lay(QHBoxLayout(), (self.file_list, 1), buttons)
        lay(QVBoxLayout(self), files, lay(QHBoxLayout(), label, (self.passphrase, 1)))

    def add_paths(self, paths: list[Path]) -> None:
        known = set(self.paths())
        for path in batch.package_files(paths):
            if path not in known:
                item = QListWidgetItem(path.name)
                item.setToolTip(str(path))
                item.setData(Qt.ItemDataRole.UserRole, str(path))
                self.file_list.addItem(item)
        self.completeChanged.emit()

    def paths(self) -> list[Path]:
        items = (self.file_list.item(row) for row in range(self.file_list.count()))
        return [Path(str(item.data(Qt.ItemDataRole.UserRole))) for item in items]

    def remove_selected(self) -> None:
        for item in self.file_list.selectedItems():
            self.file_list.takeItem(self.file_list.row(item))
        self.completeChanged.emit()

    def _choose_files(self) -> None:
        kinds = f"Gói dữ liệu Dân Vận (*{PACKAGE_SUFFIX});;Mọi tệp (*)"
        names, _ = QFileDialog.getOpenFileNames(self, "Chọn gói dữ liệu", str(Path.home()), kinds)
        self.add_paths([Path(n) for n in names])

    def _choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Chọn thư mục chứa các gói", str(Path.home()))
        if name:
            self.add_paths([Path(name)])

    def isComplete(self) -> bool:
        return self.file_list.count() > 0


class _BatchPage(QWizardPage):
    """Works through packages one at a time in the background; «Dừng» takes effect before the next."""

    verb = ""

    def __init__(self, owner: ImportWizard, title: str, subtitle: str, commit: str, stop: str) -> None:
        super().__init__()
        self.owner = owner
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.setCommitPage(True)  # no way back: what is imported stays imported
        self.setButtonText(QWizard.WizardButton.CommitButton, commit)
        self.bar = QueueProgress(
            self.work,
            self.got,
            self._ended,
            describe=self.describe,
            stop_text=stop,
            stopping=f"Sẽ dừng sau gói đang {self.verb}…",
        )

    @property
    def running(self) -> bool:
        return self.bar.running

    def describe(self, index: int, count: int, item: BatchItem) -> str:
        return f"Đang {self.verb} gói {index + 1}/{count}: {item.path.name}"

    def work(self, item: BatchItem) -> Any:  # runs in the background
        raise NotImplementedError

    def got(self, item: BatchItem, result: Any) -> None:  # a result, or the exception raised
        raise NotImplementedError

    def ended(self) -> None:
        raise NotImplementedError

    def run(self, queue: list[BatchItem]) -> None:
        self.bar.start(queue)

    def abandon(self) -> None:  # results still on their way are dropped
        self.bar.jobs.abandon()

    def stop(self) -> None:
        self.bar.stop()

    def _ended(self) -> None:
        self.ended()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.running


class PreviewPage(_BatchPage):
    verb = "kiểm tra"

    def __init__(self, owner: ImportWizard) -> None:
        subtitle = "Kiểm tra chữ ký từng gói và so số liệu với dữ liệu đang có; chưa ghi gì vào máy."
        super().__init__(owner, "Kiểm tra và xem trước", subtitle, "&Nhập các gói đã chọn", "&Dừng kiểm tra")
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("packagePreview")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_details(row))
        self.detail, self.fingerprint = (
            text_label("packageDetail"),
            text_label("packageFingerprint", mono=True),
        )
        self.accept_box = QCheckBox(ACCEPT_TEXT)
        self.accept_box.setObjectName("acceptKey")
        self.accept_box.toggled.connect(self._accept_toggled)
        self.changes = QTreeWidget()
        self.changes.setObjectName("packageChanges")
        self.changes.setHeaderLabels(["Bản ghi / trường", "Giá trị đang có", "Giá trị trong gói"])
        self.changes.setColumnWidth(0, 340)
        self.changes.setColumnWidth(1, 220)
        details = QWidget()
        parts = (self.detail, self.fingerprint, self.accept_box, (self.changes, 1))
        lay(QVBoxLayout(details), *parts).setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(details)
        splitter.setSizes([180, 340])
        lay(QVBoxLayout(self), self.bar, (splitter, 1))

    def initializePage(self) -> None:
        owner = self.owner
        owner.settings.passphrase = owner.files_page.passphrase.text() or None
        owner.items = [BatchItem(path) for path in owner.files_page.paths()]
        self.table.setRowCount(len(owner.items))
        self.run(owner.items)
        for row in range(len(owner.items)):
            self._fill_row(row)

    def cleanupPage(self) -> None:  # back to the files: results still on their way are dropped
        self.abandon()

    def work(self, item: BatchItem) -> Any:
        return batch.preview_package(self.owner.db, item.path, self.owner.settings)

    def got(self, item: BatchItem, result: Any) -> None:
        if isinstance(result, BaseException):  # a bug, not a bad package: the log gets the traceback
            report_exception(self, result, self.owner.log_file)
            message = f"Gói «{item.path.name}»: lỗi ngoài dự kiến khi kiểm tra ({type(result).__name__})."
            result = PackagePreview(item.path, "refused", message=message)
        item.preview = result
        self._fill_row(self.owner.items.index(item))

    def ended(self) -> None:
        items = self.owner.items
        for row in range(len(items)):
            self._fill_row(row)
        self.bar.label.setText(batch.preview_summary(items))
        if items:
            self.table.selectRow(0)
            self._show_details(0)

    def isComplete(self) -> bool:
        return not self.running and any(i.importable() for i in self.owner.items)

    def _fill_row(self, row: int) -> None:
        item = self.owner.items[row]
        status, tone = item.status(self.running)
        for column, text in enumerate(item.row(self.running)):
            cell = QTableWidgetItem(text)
            if column == 3:
                cell.setForeground(QBrush(QColor(TONES[tone])))
                cell.setToolTip(item.preview.message if item.preview and item.preview.message else status)
            elif column >= 4:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            else:
                cell.setToolTip(str(item.path))
            self.table.setItem(row, column, cell)
        self.table.resizeRowToContents(row)  # a refusal's reason may take two lines
        self.table.setRowHeight(
            row, max(self.table.rowHeight(row), self.table.verticalHeader().defaultSectionSize())
        )

    def _show_details(self, row: int) -> None:
        items = self.owner.items
        item = items[row] if 0 <= row < len(items) else None
        preview = item.preview if item else None
        report = preview.report if preview else None
        untrusted = bool(preview and report and preview.state == "untrusted")
        self.fingerprint.setVisible(untrusted)
        self.accept_box.setVisible(untrusted)
        self.changes.clear()
        if item is None or preview is None:
            self.detail.setText("")
            return
        if untrusted and report is not None:
            self.fingerprint.setText(report.fingerprint)
            self.accept_box.blockSignals(True)
            self.accept_box.setChecked(item.accepted)
            self.accept_box.blockSignals(False)
        notes = [f"<span style='color:{TONES[tone]}'>{text}</span>" for text, tone in item.notes(items)]
        self.detail.setText(
            "<br>".join(notes) or "Gói hợp lệ; các bản ghi có thay đổi được liệt kê dưới đây."
        )
        details, hidden = batch.record_details(report, DETAIL_LIMIT)
        for detail in details:
            node = QTreeWidgetItem([detail.title])
            node.addChildren([QTreeWidgetItem(list(line)) for line in detail.lines])
            self.changes.addTopLevelItem(node)
            node.setFirstColumnSpanned(True)
            node.setExpanded(len(details) <= 20)
        notes = [f"… và {hidden} bản ghi khác (xem báo cáo khi nhập)"] if hidden else []
        if not details and report is not None and preview.state in ("ready", "untrusted"):
            notes.append(
                f"Không có bản ghi cập nhật, xung đột hay bị từ chối; {report.counts()['new']} bản ghi mới."
            )
        for note in notes:
            node = QTreeWidgetItem([note])
            self.changes.addTopLevelItem(node)
            node.setFirstColumnSpanned(True)

    def _accept_toggled(self, checked: bool) -> None:
        """The key belongs to the site: every package of the batch it signed follows the decision."""
        row = self.table.currentRow()
        if 0 <= row < len(self.owner.items):
            for index in batch.accept_key(self.owner.items, self.owner.items[row], checked):
                self._fill_row(index)
            self.bar.label.setText(batch.preview_summary(self.owner.items))
        self.completeChanged.emit()


class ApplyPage(_BatchPage):
    verb = "nhập"

    def __init__(self, owner: ImportWizard) -> None:
        subtitle = "Mỗi gói được nhập trọn vẹn hoặc không gì cả; «Dừng» có hiệu lực trước gói kế tiếp."
        super().__init__(owner, "Nhập các gói", subtitle, "Xem &báo cáo", "&Dừng sau gói đang nhập")
        self.log = QPlainTextEdit()
        self.log.setObjectName("applyLog")
        self.log.setReadOnly(True)
        lay(QVBoxLayout(self), self.bar, (self.log, 1))

    def initializePage(self) -> None:
        self.backed_up = False
        queue = [item for item in self.owner.items if item.importable()]
        self.import_run = batch.import_run(self.owner.db, queue, self.owner.settings)
        self.run(queue)

    def describe(self, index: int, count: int, item: BatchItem) -> str:
        if self.backed_up:
            return super().describe(index, count, item)
        # The first package that changes records is preceded by a backup (a server's pg_dump takes
        # minutes on a large office): said here, so that a long wait is not taken for a hang.
        return f"Đang sao lưu dữ liệu rồi nhập gói {index + 1}/{count}: {item.path.name}"

    def work(self, item: BatchItem) -> Any:
        return batch.apply_item(
            self.owner.db, item, self.owner.settings, backed_up=self.backed_up, run=self.import_run
        )

    def got(self, item: BatchItem, result: Any) -> None:
        if isinstance(result, UserError):
            item.error = result.message
        elif isinstance(result, BaseException):
            item.error = f"Gói {item.path.name}: lỗi ngoài dự kiến, chưa nhập ({type(result).__name__})."
            report_exception(self, result, self.owner.log_file)
        else:
            item.final = result
            self.backed_up = self.backed_up or result.backup is not None
            self.owner.changed_data = self.owner.changed_data or result.status == "applied"
        self.log.appendPlainText(item.report_text().splitlines()[0])

    def ended(self) -> None:
        self.import_run.close()  # stopped or done: the worker planning the next package goes too
        self.bar.label.setText(f"Đã nhập {sum(i.final is not None for i in self.bar.jobs.items)} gói.")
        if self.owner.changed_data:
            self.owner.changed.emit()
        QTimer.singleShot(0, self.owner.next)  # on to the report once this callback has returned


class ImportWizard(QWizard):
    """The whole import; `changed` tells the main window that records or conflicts changed."""

    changed = Signal()

    def __init__(
        self,
        db: Database,
        *,
        site_id: str,
        user: str,
        backup_dir: Path,
        parent: QWidget | None = None,
        log_file: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.site_id, self.log_file = db, site_id, log_file
        self.settings = ImportSettings(user, backup_dir)
        self.items: list[BatchItem] = []
        self.changed_data = False
        self.setWindowTitle("Nhập gói nhận được")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage)
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Quay lại")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Tiếp tục >")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Hủy")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Xong")
        resize_within_screen(self, 1000, 680)
        self.files_page = FilesPage()
        self.preview_page = PreviewPage(self)
        self.apply_page = ApplyPage(self)
        self.report_page = ReportPage(self)
        for page in (self.files_page, self.preview_page, self.apply_page, self.report_page):
            self.addPage(page)

    def report_text(self) -> str:
        return self.report_page.text.toPlainText()

    def reject(self) -> None:
        if self.apply_page.running:  # a package is being written: stop after it, then show the report
            self.apply_page.stop()
            return
        self.preview_page.abandon()
        super().reject()
