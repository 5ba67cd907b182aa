"""Excel/CSV from the form pages: export to .xlsx, load a filled-in file with progress and cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from danvan_desktop.errors import UserError
from danvan_desktop.text import fold
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database
    from danvan_desktop.formspec.model import FormDef
    from danvan_desktop.services.entry.spreadsheet_load import LoadReport
    from danvan_desktop.ui.entry_target import EntryTarget


def suggested_file_name(form: FormDef, target: EntryTarget) -> str:
    words = fold(f"{form.title} {target.unit_label} {target.period_label}").replace("/", "-").split()
    return "_".join(words)[:120] + ".xlsx"


def export_sheet(parent: QWidget, db: Database, form: FormDef, target: EntryTarget) -> Path | None:
    """Ask where, then write the form's records for the unit and period to an .xlsx file."""
    from danvan_desktop.services.entry.spreadsheets import export_xlsx

    name, _ = QFileDialog.getSaveFileName(
        parent,
        "Xuất ra Excel",
        str(Path.home() / suggested_file_name(form, target)),
        "Bảng tính Excel (*.xlsx)",
    )
    if not name:
        return None
    out = Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx")
    try:
        with db.session() as session:
            count = export_xlsx(session, form, target.unit_id, target.period_id, out)
    except UserError as exc:
        report_exception(parent, exc, None)
        return None
    QMessageBox.information(parent, "Đã xuất Excel", f"Đã ghi {count} bản ghi vào tệp:\n{out}")
    return out


class _Progress(QObject):
    """Carries progress from the loading thread to the dialog in the UI thread."""

    moved = Signal(int, int)


class SheetLoader:
    """Choose a file, load it in the background with a cancellable progress dialog, report."""

    def __init__(
        self, parent: QWidget, db: Database, form: FormDef, target: EntryTarget, on_stored: Callable[[], None]
    ) -> None:
        self.parent, self.db, self.form, self.target = parent, db, form, target
        self.on_stored = on_stored
        self.report: LoadReport | None = None
        self.dialog: QProgressDialog | None = None
        self._cancel = threading.Event()
        self._progress = _Progress()

    def choose_and_load(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.parent, "Nạp dữ liệu từ Excel hoặc CSV", str(Path.home()), "Bảng tính (*.xlsx *.csv)"
        )
        if name:
            self.load(Path(name))

    def load(self, path: Path, *, keep_good: bool = False) -> None:
        from danvan_desktop.services.entry.entry import current_writer
        from danvan_desktop.services.entry.spreadsheets import load_rows

        self._cancel.clear()
        dialog = QProgressDialog(f"Đang nạp {path.name}…", "Hủy", 0, 100, self.parent)
        dialog.setWindowTitle("Nạp dữ liệu")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(self._cancel.set)
        self._progress.moved.connect(lambda done, total: dialog.setValue(int(100 * done / max(total, 1))))
        self.dialog = dialog

        def work() -> LoadReport:
            with self.db.transaction() as session:  # one transaction: a cancel or a crash stores nothing
                writer = current_writer(session, self.target.site_id)
                return load_rows(
                    session,
                    self.form,
                    self.target.unit_id,
                    self.target.period_id,
                    path,
                    writer=writer,
                    keep_good=keep_good,
                    progress=self._progress.moved.emit,
                    cancelled=self._cancel.is_set,
                )

        run_in_background(work, lambda report: self._finished(path, report), self._failed)

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog = None
        self._progress.moved.disconnect()

    def _failed(self, error: BaseException) -> None:
        self._close_dialog()
        report_exception(self.parent, error, None)

    def _finished(self, path: Path, report: LoadReport) -> None:
        self._close_dialog()
        self.report = report
        if report.stored:
            self.on_stored()
        details = "\n".join(p.text() for p in [*report.rejected_rows, *report.warnings])
        box = QMessageBox(self.parent)
        box.setObjectName("loadReportBox")
        box.setWindowTitle("Kết quả nạp dữ liệu")
        box.setIcon(QMessageBox.Icon.Information if not report.rejected else QMessageBox.Icon.Warning)
        box.setText(report.summary_vi())
        if details:
            box.setDetailedText(details)
        keep = None
        if not report.stored and report.rejected < report.rows:
            keep = box.addButton("Chỉ lưu các dòng hợp lệ", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Đóng", QMessageBox.ButtonRole.RejectRole)
        box.finished.connect(lambda _code: self._after_report(box, keep, path))
        box.open()
        self.report_box = box

    def _after_report(self, box: QMessageBox, keep: object, path: Path) -> None:
        if keep is not None and box.clickedButton() is keep:
            self.load(path, keep_good=True)
