"""The Reports screen: choose a return, preview its pages in the app, then save it as PDF or print it."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.errors import UserError
from danvan_desktop.text import fold
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.export_dialog import documents_folder
from danvan_desktop.ui.layout_helpers import resize_within_screen
from danvan_desktop.ui.pdf_pages import PageView, print_pdf, render_pages
from danvan_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database
    from danvan_desktop.services.office.installation import InstallationInfo
    from danvan_desktop.services.office.periods import PeriodInfo
    from danvan_desktop.services.reporting.report_output import PreparedReport, ReportRequest, ReportUnit

ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Preview:
    request: ReportRequest
    report: PreparedReport
    pages: list[QImage]


def suggested_pdf_name(prepared: PreparedReport, request: ReportRequest) -> str:
    first = "ban sao" if prepared.reading_copy else (prepared.number or "")
    words = fold(f"{first} {prepared.title} {request.unit}").replace("/", "-").split()
    return "_".join(words)[:120] + ".pdf"


class ReportsDialog(QDialog):
    """Return, unit, period, profile and date on the left; the previewed pages on the right."""

    def __init__(
        self,
        db: Database,
        installation: InstallationInfo,
        periods: list[PeriodInfo],
        current_unit: int | str | None = None,
        current_period: PeriodInfo | None = None,
        parent: QWidget | None = None,
        log_file: Path | None = None,
        profiles_dir: Path | None = None,
    ) -> None:
        from danvan_desktop.paths import user_paths
        from danvan_desktop.services.reporting.report_output import (
            KIND_LABELS,
            profile_choices,
            register_forms,
        )

        super().__init__(parent)
        self.db, self.installation, self.log_file = db, installation, log_file
        self.profiles_dir = profiles_dir or user_paths().profiles_dir
        self.preview: Preview | None = None
        self.busy = False
        self._current_unit = current_unit
        self.setWindowTitle("Báo cáo")
        resize_within_screen(self, 1100, 760)

        self.kind_box = QComboBox()
        self.kind_box.setObjectName("reportKind")
        for kind, label in KIND_LABELS.items():
            self.kind_box.addItem(label, kind)
        self.form_box = QComboBox()
        self.form_box.setObjectName("reportForm")
        for form_id, title in register_forms():
            self.form_box.addItem(title, form_id)
        self.unit_box = QComboBox()
        self.unit_box.setObjectName("reportUnit")
        self.period_box = QComboBox()
        self.period_box.setObjectName("reportPeriod")
        for period in periods:
            self.period_box.addItem(period.label, period.code)
        if current_period is not None:
            self.period_box.setCurrentIndex(max(0, self.period_box.findData(current_period.code)))
        from danvan_desktop.services.reporting.lineage import STRUCTURES

        self.structure_box = QComboBox()  # summaries over a reform: units of the period, today's or former
        self.structure_box.setObjectName("reportStructure")
        for structure, text in STRUCTURES.items():
            self.structure_box.addItem(text[:1].upper() + text[1:], structure)
        self.structure_box.setToolTip(
            "Quy đổi theo đơn vị hành chính mới: mỗi xã mới gồm số liệu của các xã cũ đã nhập trọn vào nó. "
            "Theo đơn vị hành chính cũ: xã, thị trấn xếp theo huyện cũ."
        )
        self.profile_box = QComboBox()
        self.profile_box.setObjectName("reportProfile")
        from danvan_desktop.services.reporting.pushed_profiles import pushed_profile_texts

        with self.db.session() as session:  # profiles sent from above are listed, marked so
            pushed = pushed_profile_texts(session)
        for key, name in profile_choices(self.profiles_dir, pushed):
            self.profile_box.addItem(name, key)
        self._select_default_profile()
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setObjectName("reportDate")
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)

        form = QFormLayout()
        form.addRow("&Loại báo cáo:", self.kind_box)
        self.form_label = QLabel("&Sổ theo dõi:")
        self.form_label.setBuddy(self.form_box)
        form.addRow(self.form_label, self.form_box)
        form.addRow("Đơn &vị:", self.unit_box)
        form.addRow("&Kỳ báo cáo:", self.period_box)
        self.structure_label = QLabel("Đơn vị &hành chính:")
        self.structure_label.setBuddy(self.structure_box)
        form.addRow(self.structure_label, self.structure_box)
        form.addRow("&Mẫu văn bản:", self.profile_box)
        form.addRow("&Ngày ban hành:", self.date_edit)

        self.number_label = QLabel()
        self.number_label.setObjectName("reportNumber")
        self.number_label.setWordWrap(True)
        self.copy_note = QLabel()  # before any preview: a unit's return here is a reading copy
        self.copy_note.setObjectName("reportCopyNote")
        self.copy_note.setWordWrap(True)
        self.copy_note.setStyleSheet("color: #8a4b00;")
        self.copy_note.setVisible(False)
        self._units: dict[str, ReportUnit] = {}
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the layout does not report steps
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setObjectName("reportMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.preview_button = QPushButton("&Xem trước")
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.start_preview)
        self.save_button = QPushButton("&Lưu PDF…")
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.print_button = QPushButton("&In…")
        self.print_button.clicked.connect(lambda: self.print_report())
        self.close_button = QPushButton("Đóng")
        self.close_button.clicked.connect(self.reject)
        for button in (self.save_button, self.print_button, self.close_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        from danvan_desktop.ui.sign_dialog import install_sign_button

        self.sign_button = install_sign_button(self, buttons)

        side = QWidget()
        left = QVBoxLayout(side)
        left.addLayout(form)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addWidget(self.copy_note)
        left.addWidget(self.number_label)
        left.addWidget(self.message)
        left.addStretch(1)
        left.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.pages = PageView()
        splitter = QSplitter()
        splitter.addWidget(side)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([360, 740])
        QVBoxLayout(self).addWidget(splitter)

        self.period_box.currentIndexChanged.connect(self._load_units)
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        boxes = (self.kind_box, self.form_box, self.unit_box, self.period_box, self.structure_box)
        for box in (*boxes, self.profile_box):
            box.currentIndexChanged.connect(self._invalidate)
        self.date_edit.dateChanged.connect(self._invalidate)
        self._load_units()
        self._kind_changed()
        self._invalidate()

    # ------------------------------------------------------------------ choices

    def _select_default_profile(self) -> None:
        from danvan_desktop.services.reporting.report_output import profile_key

        with self.db.session() as session:
            key = profile_key(session, None)
        self.profile_box.setCurrentIndex(max(0, self.profile_box.findData(key)))

    def _load_units(self) -> None:
        from danvan_desktop.services.reporting.report_output import report_units

        wanted = self.unit_box.currentData() or self._current_unit  # a code, or the main window's unit id
        self.unit_box.blockSignals(True)
        self.unit_box.clear()
        code = self.period_box.currentData()
        if code:
            with self.db.session() as session:
                units = report_units(session, str(code))
            self._units = {unit.code: unit for unit in units}
            for unit in units:
                self.unit_box.addItem(unit.label, unit.code)
                if wanted in (unit.code, unit.id):
                    self.unit_box.setCurrentIndex(self.unit_box.count() - 1)
        self.unit_box.blockSignals(False)
        self._invalidate()

    def _kind_changed(self) -> None:
        register = self.kind_box.currentData() == "register"
        self.form_box.setVisible(register)
        self.form_label.setVisible(register)
        summary = self.kind_box.currentData() == "summary"
        self.structure_box.setVisible(summary)
        self.structure_label.setVisible(summary)

    def _show_copy_note(self) -> None:
        """Say before any preview that a unit's return printed here is a reading copy without a number."""
        from danvan_desktop.services.reporting.issuing import reading_copy_note

        unit = self._units.get(str(self.unit_box.currentData()))
        copy = unit is not None and unit.role == "reading_copy" and self.kind_box.currentData() != "register"
        if copy and unit is not None:
            self.copy_note.setText(reading_copy_note(unit.label, self.installation.office_label))
        self.copy_note.setVisible(copy)

    def _invalidate(self) -> None:
        """A changed choice makes the preview stale: save and print wait for a new one."""
        self._show_copy_note()
        self.preview = None
        self.number_label.clear()
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(False)

    def request(self) -> ReportRequest:
        from danvan_desktop.services.reporting.report_output import ReportRequest

        if not self.unit_box.currentData():
            raise UserError("Hãy chọn đơn vị cần lập báo cáo.")
        if not self.period_box.currentData():
            raise UserError("Chưa có kỳ báo cáo nào; hãy nhập số liệu cho một kỳ trước.")
        kind = self.kind_box.currentData()
        if kind == "register" and not self.form_box.currentData():
            raise UserError("Hãy chọn sổ theo dõi cần in danh sách.")
        return ReportRequest(
            kind=kind,
            unit=str(self.unit_box.currentData()),
            period=str(self.period_box.currentData()),
            date=self.date_edit.date().toPython(),  # type: ignore[arg-type]
            profile=self.profile_box.currentData(),
            form=self.form_box.currentData() if kind == "register" else None,
            profiles_dir=self.profiles_dir,
            structure=str(self.structure_box.currentData()) if kind == "summary" else "ky",
        )

    # ------------------------------------------------------------------ preview

    def start_preview(self) -> bool:
        """Lay the return out in the background and show its pages; False when not started."""
        from danvan_desktop.services.reporting.report_output import preview_report

        try:
            request = self.request()
        except UserError as error:
            self._say(error.message, error=True)
            return False
        self._invalidate()
        self._set_busy(True)
        self._say("Đang lập báo cáo…", error=False)
        db = self.db

        def work() -> Preview:
            report = preview_report(db, request)
            return Preview(request, report, render_pages(report.pdf))

        run_in_background(work, self._previewed, lambda exc: self._failed("Chưa lập được báo cáo.", exc))
        return True

    def _previewed(self, preview: Preview) -> None:
        self._set_busy(False)
        self.preview = preview
        report = preview.report
        self.pages.show_pages(preview.pages)
        if report.number is None:
            # A reading copy is explained in the note above already; a list says why here.
            why = "bản sao để theo dõi." if report.reading_copy else escape(report.unnumbered)
            self.number_label.setText(f"<b>Không có số văn bản</b>: {why}")
        else:
            symbol, _, span = report.series.partition(":")
            self.number_label.setText(
                f"Số văn bản sẽ cấp khi lưu hoặc in: <b>{report.number}</b> ({symbol}, {span})."
            )
        note = ""
        if report.abbreviation_guessed:
            note = (
                f"\nChưa khai báo ký hiệu cơ quan; đã dùng «{report.abbreviation_guessed}» "
                "(Báo cáo › Cài đặt báo cáo…)."
            )
        self._say(f"{report.pages} trang, mẫu «{report.profile_name}».{note}", error=False)
        self.save_button.setEnabled(True)
        self.print_button.setEnabled(True)
        self._gate_numbered(report.number is not None)

    def _gate_numbered(self, numbered: bool) -> None:
        """Taking a document number is a leader's: the buttons say which role it needs."""
        from danvan_desktop.services.office.accounts import may, needed_roles_text, signed_in_actor

        actor = signed_in_actor(self.db)
        refused = numbered and actor is not None and not may(actor, "report.issue")
        for button in (self.save_button, self.print_button):
            button.setToolTip(needed_roles_text("report.issue") if refused else "")
            if refused:
                button.setEnabled(False)

    # ------------------------------------------------------------------ save and print

    def save_pdf(self, out: Path | None = None) -> bool:
        """Write the previewed return to a PDF (asked for when `out` is None); False when not started."""
        from danvan_desktop.reports.render import write_atomically
        from danvan_desktop.services.reporting.report_output import issue_report

        preview = self.preview
        if preview is None:
            self._say("Hãy bấm «Xem trước» trước khi lưu.", error=True)
            return False
        if out is None:
            suggested = documents_folder() / suggested_pdf_name(preview.report, preview.request)
            name, _ = QFileDialog.getSaveFileName(self, "Lưu báo cáo PDF", str(suggested), "Tệp PDF (*.pdf)")
            if not name:
                return False
            out = Path(name)
        if out.suffix.lower() != ".pdf":
            out = out.with_name(out.name + ".pdf")
        self._set_busy(True)
        self._say(f"Đang ghi {out.name}…", error=False)
        db, target = self.db, out

        def work() -> Path:
            issue_report(
                db, preview.report, preview.request, target.name, lambda p: write_atomically(target, p.pdf)
            )
            return target

        run_in_background(work, self._saved, lambda exc: self._failed("Chưa lưu được báo cáo.", exc))
        return True

    def _saved(self, out: Path) -> None:
        self._set_busy(False)
        number = self.preview.report.number if self.preview else None
        self._invalidate()  # the number is taken: the next save needs the next number
        taken = "Không lấy số văn bản." if number is None else f"Số {number} đã vào sổ đăng ký văn bản."
        self._say(f"Đã lưu {out}\n{taken}", error=False)

    def print_report(self, printer: QPrinter | None = None) -> bool:
        """Print the previewed return (asks for the printer unless one is given); True when printed."""
        from danvan_desktop.services.reporting.report_output import issue_report

        preview = self.preview
        if preview is None:
            self._say("Hãy bấm «Xem trước» trước khi in.", error=True)
            return False
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setDocName(preview.report.title)
            dialog = QPrintDialog(printer, self)
            dialog.setWindowTitle("In báo cáo")
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
        try:
            issue_report(
                self.db, preview.report, preview.request, "(bản in)", lambda p: print_pdf(p.pdf, printer)
            )
        except BaseException as exc:
            self._failed("Chưa in được báo cáo.", exc)
            return False
        number = preview.report.number
        self._invalidate()
        taken = "không lấy số văn bản" if number is None else f"số {number} đã vào sổ"
        self._say(f"Đã gửi {preview.report.pages} trang tới máy in; {taken}.", error=False)
        return True

    # ------------------------------------------------------------------ state

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self.preview_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)
        if busy:
            self.save_button.setEnabled(False)
            self.print_button.setEnabled(False)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)

    def _failed(self, what: str, error: BaseException) -> None:
        self._set_busy(False)
        if self.preview is not None:
            self.save_button.setEnabled(True)
            self.print_button.setEnabled(True)
        if isinstance(error, UserError):
            self._say(f"{what}\n{error.message}", error=True)
        else:
            self._say(f"{what} (lỗi ngoài dự kiến)", error=True)
            report_exception(self, error, self.log_file)

    def reject(self) -> None:
        if not self.busy:  # a file is being written: closing now would hide the outcome
            super().reject()


def install_reports_menu(window: QMainWindow) -> QMenu:
    """Add the «Báo cáo» menu to the main window: the Reports screen (Ctrl+P) and its settings."""
    from danvan_desktop.ui.report_settings_dialog import ReportSettingsDialog

    menu = window.menuBar().addMenu("&Báo cáo")
    w: Any = window  # MainWindow: db, installation, periods, current_target(), current_period()

    def open_reports() -> None:
        if w.db is None or w.installation is None:
            return
        target = w.current_target()
        unit = target.unit_id if target is not None else None
        log_file = getattr(w, "log_file", None)
        dialog = ReportsDialog(w.db, w.installation, w.periods, unit, w.current_period(), window, log_file)
        dialog.exec()

    def open_settings() -> None:
        if w.db is not None:
            ReportSettingsDialog(w.db, window).exec()

    reports = QAction("&Lập báo cáo, xem trước và in…", window)
    reports.setObjectName("openReports")
    reports.setShortcut(QKeySequence("Ctrl+P"))
    reports.triggered.connect(open_reports)
    settings = QAction("&Cài đặt báo cáo…", window)
    settings.setObjectName("openReportSettings")
    settings.triggered.connect(open_settings)
    menu.addAction(reports)
    menu.addAction(settings)
    return menu
