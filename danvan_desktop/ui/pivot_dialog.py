"""The cross-tab screen: form, field, rows, columns, periods and statistic; the table; Excel, PDF, print."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.layout_helpers import resize_within_screen
from danvan_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database
    from danvan_desktop.formspec.model import FormDef
    from danvan_desktop.services.office.periods import PeriodInfo
    from danvan_desktop.services.reporting.pivot import PivotRequest, PivotTable
    from danvan_desktop.services.reporting.pivot_output import PivotView

ROLE = Qt.ItemDataRole.UserRole
TOTAL_BACKGROUND = "#f2f2f2"


class PivotDialog(QDialog):
    """Keyboard first: Alt+letter reaches every choice; the table is computed off the UI thread."""

    def __init__(
        self,
        db: Database,
        forms: dict[str, FormDef],
        periods: list[PeriodInfo],
        current: PeriodInfo | None = None,
        parent: QWidget | None = None,
        log_file: Path | None = None,
    ) -> None:
        from danvan_desktop.services.reporting.pivot import STATS, numeric_fields

        super().__init__(parent)
        self.db, self.log_file = db, log_file
        self.forms = {k: f for k, f in forms.items() if numeric_fields(f)}
        self.table_data: PivotTable | None = None
        self._stat_chosen_for_field = False  # the statistic was switched because the field refuses a sum
        self.loading = False
        self._sort: tuple[str, bool] = ("", False)
        self.setWindowTitle("Bảng tổng hợp chéo")
        resize_within_screen(self, 1280, 760)

        self.form_box = QComboBox()
        self.form_box.setObjectName("pivotForm")
        for form in self.forms.values():
            self.form_box.addItem(form.title, form.id)
        self.field_box = QComboBox()
        self.field_box.setObjectName("pivotField")
        self.rows_box = QComboBox()
        self.rows_box.setObjectName("pivotRows")
        self.cols_box = QComboBox()
        self.cols_box.setObjectName("pivotCols")
        self.stat_box = QComboBox()
        self.stat_box.setObjectName("pivotStat")
        for key, label in STATS.items():
            self.stat_box.addItem(label, key)
        self.period_list = QListWidget()
        self.period_list.setObjectName("pivotPeriods")
        self.period_list.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.period_list.setMaximumHeight(120)
        for period in periods:
            item = QListWidgetItem(period.label)
            item.setData(ROLE, period.code)
            self.period_list.addItem(item)
            if current is not None and period.code == current.code:
                item.setSelected(True)
                self.period_list.setCurrentItem(item)
        selected = self.period_list.selectedItems()
        if selected:
            self.period_list.scrollToItem(selected[0])
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("pivotFilter")
        self.filter_edit.setPlaceholderText("Lọc dòng (không cần dấu)…")
        self.filter_edit.setClearButtonEnabled(True)
        self.hide_empty = QCheckBox("Ẩn &dòng trống")
        self.hide_empty.setChecked(True)

        choices = QFormLayout()
        for caption, widget in (
            ("&Biểu mẫu:", self.form_box),
            ("&Trường số:", self.field_box),
            ("&Hàng theo:", self.rows_box),
            ("&Cột theo:", self.cols_box),
            ("Phép tí&nh:", self.stat_box),
        ):
            buddy = QLabel(caption)
            buddy.setBuddy(widget)
            choices.addRow(buddy, widget)
        periods_label = QLabel("&Kỳ (chọn nhiều; không chọn: mọi kỳ có số liệu):")
        periods_label.setBuddy(self.period_list)
        left = QVBoxLayout()
        left.addLayout(choices)
        left.addWidget(periods_label)
        left.addWidget(self.period_list)
        filter_label = QLabel("&Lọc:")
        filter_label.setBuddy(self.filter_edit)
        row = QHBoxLayout()
        row.addWidget(filter_label)
        row.addWidget(self.filter_edit, 1)
        left.addLayout(row)
        left.addWidget(self.hide_empty)
        self.compute_button = QPushButton("&Xem bảng tổng hợp")
        self.compute_button.setObjectName("pivotCompute")
        self.compute_button.setDefault(True)
        self.compute_button.clicked.connect(self.compute)
        left.addWidget(self.compute_button)
        left.addStretch(1)

        self.title = QLabel("Chọn biểu mẫu, trường số và kỳ rồi nhấn «Tổng hợp» (Enter).")
        self.title.setObjectName("pivotTitle")
        self.title.setWordWrap(True)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("pivotTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)  # the row's own label says what it is
        self.table.horizontalHeader().sectionClicked.connect(self._sort_by)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setToolTip("Nhấn vào tiêu đề cột để sắp xếp; nhấn lần nữa để đảo chiều")
        self.status = QLabel()
        self.status.setObjectName("pivotStatus")
        self.excel_button = QPushButton("Lưu &Excel…")
        self.excel_button.clicked.connect(self.save_excel)
        self.pdf_button = QPushButton("Lưu &PDF…")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.print_button = QPushButton("&In…")
        self.print_button.clicked.connect(self.print_table)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.excel_button, self.pdf_button, self.print_button, close):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.table, 1)
        right.addLayout(buttons)

        layout = QHBoxLayout(self)
        panel = QWidget()
        panel.setLayout(left)
        panel.setFixedWidth(360)
        layout.addWidget(panel)
        layout.addLayout(right, 1)

        self.form_box.currentIndexChanged.connect(self._fill_fields)
        self.field_box.currentIndexChanged.connect(self._fit_stat)
        self.stat_box.activated.connect(self._stat_picked)
        for widget in (self.stat_box,):
            widget.currentIndexChanged.connect(self._show)
        self.filter_edit.textChanged.connect(self._show)
        self.hide_empty.toggled.connect(self._show)
        self._fill_fields()
        self._enable_output(False)

    # ------------------------------------------------------------------------------ choices

    def _fill_fields(self) -> None:
        from danvan_desktop.services.reporting.pivot import AXIS_NAMES, NONE, choice_fields, numeric_fields

        form = self.forms.get(str(self.form_box.currentData()))
        self.field_box.clear()
        self.rows_box.clear()
        self.cols_box.clear()
        if form is None:
            return
        for spec in numeric_fields(form):
            unit = f" ({spec.unit})" if spec.unit else ""
            self.field_box.addItem(spec.label + unit, spec.id)
        axes = [*AXIS_NAMES.items(), *((f.id, f.label) for f in choice_fields(form))]
        for key, label in axes:
            self.rows_box.addItem(label, key)
            self.cols_box.addItem(label, key)
        self.cols_box.addItem("(một cột: cộng)", NONE)
        self.cols_box.setCurrentIndex(1)  # units by periods

    def _fit_stat(self) -> None:
        """Grey out «Tổng» for a field that does not add up across units, and switch away from it."""
        from danvan_desktop.services.reporting.pivot import default_stat, stat_problem

        form = self.forms.get(str(self.form_box.currentData()))
        field_id = self.field_box.currentData()
        if form is None or field_id is None:
            return
        spec = form.field(str(field_id))
        model = self.stat_box.model()
        assert isinstance(model, QStandardItemModel)  # a combo box's own model
        for i in range(self.stat_box.count()):
            problem = stat_problem(spec, str(self.stat_box.itemData(i)))
            item = model.item(i)
            item.setEnabled(problem is None)
            item.setToolTip(problem or "")
        current = str(self.stat_box.currentData())
        wanted = default_stat(spec)
        if stat_problem(spec, current) or (self._stat_chosen_for_field and current != wanted):
            self.stat_box.setCurrentIndex(self.stat_box.findData(wanted))
            self._stat_chosen_for_field = wanted != "sum"

    def _stat_picked(self) -> None:
        self._stat_chosen_for_field = False  # the user's own choice stays

    def request(self) -> PivotRequest:
        from danvan_desktop.services.reporting.pivot import PivotRequest

        periods = tuple(str(i.data(ROLE)) for i in self.period_list.selectedItems())
        return PivotRequest(
            str(self.form_box.currentData()),
            str(self.field_box.currentData()),
            str(self.rows_box.currentData()),
            str(self.cols_box.currentData() or ""),
            periods,
        )

    def view(self) -> PivotView:
        from danvan_desktop.services.reporting.pivot_output import PivotView
        from danvan_desktop.text import nfc

        sort, descending = self._sort
        return PivotView(
            self.stat_box.currentData(),
            sort,
            descending,
            nfc(self.filter_edit.text()),
            self.hide_empty.isChecked(),
        )

    # ---------------------------------------------------------------------------- computing

    def compute(self) -> None:
        """Build the table off the UI thread; the screen stays usable meanwhile."""
        from danvan_desktop.services.reporting.pivot import build_pivot

        request = self.request()
        self.loading = True
        self._enable_output(False)
        self.compute_button.setEnabled(False)
        self.status.setText("Đang tổng hợp…")

        def work() -> PivotTable:
            with self.db.session() as session:
                return build_pivot(session, request)

        def failed(error: BaseException) -> None:
            self.loading = False
            self.compute_button.setEnabled(True)
            self.status.setText("Không tổng hợp được.")
            report_exception(self, error, self.log_file)

        run_in_background(work, self._done, failed)

    def _done(self, table: PivotTable) -> None:
        self.loading = False
        self.compute_button.setEnabled(True)
        self.table_data = table
        self._sort = ("", False)
        self.status.setText("")
        self._enable_output(True)
        self._show()
        self.table.setFocus()

    def _sort_by(self, column: int) -> None:
        table = self.table_data
        if table is None:
            return
        keys = ["label", *(k for k, _ in table.cols)] + (["total"] if len(table.cols) > 1 else [])
        key = keys[column] if column < len(keys) else ""
        current, descending = self._sort
        self._sort = (key, not descending if key == current else key != "label")
        self._show()

    def _show(self) -> None:
        from danvan_desktop.services.reporting.pivot import stat_problem
        from danvan_desktop.services.reporting.pivot_output import decimals_of, grid, text_of, title_of

        table = self.table_data
        if table is None:
            return
        view = self.view()
        problem = stat_problem(table.field, view.stat)
        if problem:  # the table on screen is of another field than the one now chosen
            self.title.setText(problem)
            self.table.clear()
            self.table.setRowCount(0)
            self._enable_output(False)
            return
        self._enable_output(not self.loading)
        labels, figures, columns = grid(table, view)
        digits = decimals_of(table.field, view.stat)
        self.title.setText(f"{title_of(table, view.stat)}\n{_subtitle(table)}")
        self.table.clear()
        self.table.setRowCount(len(labels))
        self.table.setColumnCount(len(columns) + 1)
        self.table.setHorizontalHeaderLabels([table.axis_label(table.row_axis), *columns])
        bold = QFont(self.table.font())
        bold.setBold(True)
        for r, (label, line) in enumerate(zip(labels, figures, strict=True)):
            total_row = r == len(labels) - 1
            head = QTableWidgetItem(label)
            cells = [head] + [QTableWidgetItem(text_of(v, digits)) for v in line]
            for c, item in enumerate(cells):
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if total_row or (c == len(cells) - 1 and len(columns) > 1):
                    item.setFont(bold)
                    item.setBackground(QBrush(QColor(TOTAL_BACKGROUND)))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(False)
        shown = len(labels) - 1
        self.status.setText(f"{shown} dòng" + (f" (lọc «{view.text}»)" if view.text else ""))

    def _enable_output(self, enabled: bool) -> None:
        for button in (self.excel_button, self.pdf_button, self.print_button):
            button.setEnabled(enabled)

    # ------------------------------------------------------------------------------- output

    def save_excel(self) -> None:
        self._save(".xlsx", "Bảng tính Excel (*.xlsx);;Tệp CSV (*.csv)")

    def save_pdf(self) -> None:
        self._save(".pdf", "Tệp PDF (*.pdf)")

    def _save(self, suffix: str, filters: str) -> None:
        from danvan_desktop.services.reporting.pivot_output import title_of, write_pivot
        from danvan_desktop.ui.table_output import ask_path, file_name, write_in_background

        table, view = self.table_data, self.view()
        if table is None:
            return
        out = ask_path(self, "Lưu bảng tổng hợp", file_name(title_of(table, view.stat), suffix), filters)
        if out is not None:
            write = lambda: write_pivot(table, view, out, today=dt.date.today())  # noqa: E731
            write_in_background(self, write, self.status, f"Đã lưu {out.name}.", self.log_file)

    def print_table(self) -> None:
        from danvan_desktop.services.reporting.pivot_output import pivot_pdf, title_of
        from danvan_desktop.ui.table_output import print_in_background

        table, view = self.table_data, self.view()
        if table is not None:
            make = lambda: pivot_pdf(table, view, today=dt.date.today())[0]  # noqa: E731
            print_in_background(self, make, title_of(table, view.stat), self.status, self.log_file)


def _subtitle(table: PivotTable) -> str:
    from danvan_desktop.services.reporting.pivot_output import subtitle_of

    return subtitle_of(table)


def install_pivot_menu(window: QMainWindow, menu: Any) -> QAction:
    """«Bảng tổng hợp chéo…» (Ctrl+Shift+T) in the given menu: the current period preselected."""
    w: Any = window  # MainWindow: db, periods, form_area.forms, current_period(), log_file

    def open_pivot() -> None:
        if w.db is None:
            return
        dialog = PivotDialog(w.db, w.form_area.forms, w.periods, w.current_period(), window, w.log_file)
        dialog.exec()

    action = QAction("Bảng tổng hợp &chéo…", window)
    action.setObjectName("openPivot")
    action.setShortcut(QKeySequence("Ctrl+Shift+T"))
    action.triggered.connect(open_pivot)
    menu.addAction(action)
    return action
