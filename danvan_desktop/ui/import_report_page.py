"""The last page of the import wizard: what happened to each package, saved or followed by conflicts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPlainTextEdit, QVBoxLayout, QWidget, QWizardPage

from danvan_desktop.errors import UserError
from danvan_desktop.services.exchange import import_batch as batch
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.layout_helpers import lay, push_button, text_label

if TYPE_CHECKING:
    from danvan_desktop.ui.import_wizard import ImportWizard


class ReportPage(QWizardPage):
    """The batch summary and full report; «Lưu báo cáo…» saves it, a button opens the conflicts left."""

    def __init__(self, owner: ImportWizard) -> None:
        super().__init__()
        self.owner = owner
        self.conflicts_dialog: QWidget | None = None
        self.setTitle("Kết quả nhập gói")
        self.summary = text_label("importSummary")
        self.text = QPlainTextEdit()
        self.text.setObjectName("importReport")
        self.text.setReadOnly(True)
        self.conflicts_button = push_button("", self.open_conflicts)
        buttons = lay(QHBoxLayout(), push_button("&Lưu báo cáo…", self._save_as), self.conflicts_button, 1)
        lay(QVBoxLayout(self), self.summary, (self.text, 1), buttons)

    def initializePage(self) -> None:
        self.text.setPlainText(batch.batch_report(self.owner.items))
        self.summary.setText(batch.batch_summary(self.owner.items))
        self._update_conflicts()

    def _update_conflicts(self) -> None:
        pending = batch.pending_conflict_count(self.owner.db)
        self.conflicts_button.setVisible(pending > 0)
        self.conflicts_button.setText(f"Xử lý &xung đột ({pending})…")

    def save_report(self, path: Path) -> None:
        path.write_text(self.text.toPlainText() + "\n", encoding="utf-8")

    def _save_as(self) -> None:
        default = str(Path.home() / "bao-cao-nhap-goi.txt")
        name, _ = QFileDialog.getSaveFileName(self, "Lưu báo cáo nhập gói", default, "Văn bản (*.txt)")
        if name:
            try:
                self.save_report(Path(name if name.lower().endswith(".txt") else name + ".txt"))
            except OSError as exc:
                report_exception(self, UserError(f"Không ghi được tệp báo cáo: {exc.strerror or exc}"), None)

    def open_conflicts(self) -> None:
        from danvan_desktop.ui.conflicts_dialog import ConflictsDialog

        dialog = ConflictsDialog(self.owner.db, self.owner.site_id, self, self.owner.log_file)
        dialog.resolved.connect(self.owner.changed.emit)
        dialog.finished.connect(lambda _code: self._update_conflicts())
        self.conflicts_dialog = dialog
        dialog.open()
