"""Saving or printing a working table (cross-tab, completeness): the file is written off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QWidget

from danvan_desktop.text import fold
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.export_dialog import documents_folder
from danvan_desktop.ui.pdf_pages import print_pdf
from danvan_desktop.ui.worker import run_in_background


def file_name(title: str, suffix: str) -> str:
    """ "Tổng «Tiền» theo đơn vị" -> "tong_tien_theo_don_vi.xlsx": plain letters travel everywhere."""
    words = "".join(c if c.isalnum() else " " for c in fold(title)).split()
    return "_".join(words)[:100] + suffix


def ask_path(parent: QWidget, caption: str, suggested: str, filters: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, caption, str(documents_folder() / suggested), filters)
    return Path(name) if name else None


def write_in_background(
    parent: QWidget,
    write: Callable[[], object],
    status: QLabel,
    done_text: str,
    log_file: Path | None,
) -> None:
    """Run `write`, then say `done_text` in `status`; a failure is shown the usual way."""
    status.setText("Đang ghi tệp…")

    def failed(error: BaseException) -> None:
        status.setText("Không ghi được tệp.")
        report_exception(parent, error, log_file)

    run_in_background(write, lambda _result: status.setText(done_text), failed)


def print_in_background(
    parent: QWidget, make_pdf: Callable[[], bytes], title: str, status: QLabel, log_file: Path | None
) -> None:
    """Lay the table out off the UI thread, then ask for the printer and print it."""
    status.setText("Đang chuẩn bị bản in…")

    def ready(pdf: bytes) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(title)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle("In bảng")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            status.setText("")
            return
        try:
            pages = print_pdf(pdf, printer)
        except Exception as exc:
            status.setText("Không in được.")
            report_exception(parent, exc, log_file)
            return
        status.setText(f"Đã gửi {pages} trang tới máy in.")

    def failed(error: BaseException) -> None:
        status.setText("Không chuẩn bị được bản in.")
        report_exception(parent, error, log_file)

    run_in_background(make_pdf, ready, failed)
