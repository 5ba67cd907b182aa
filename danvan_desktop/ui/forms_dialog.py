"""«Biểu mẫu» screen: form versions with their origin, old records a newer version flags, targets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.localtime import local_time_text
from danvan_desktop.ui.layout_helpers import resize_within_screen

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database

FORM_HEADERS = ["Đang dùng", "Mã biểu mẫu", "Phiên bản", "Tên biểu mẫu", "Nguồn", "Nhận, ban hành lúc"]
BREAK_HEADERS = ["Biểu mẫu", "Bản ghi", "Đơn vị", "Kỳ báo cáo", "Nhập theo phiên bản", "Cần sửa"]
TARGET_HEADERS = ["Đơn vị", "Năm", "Số", "Chỉ tiêu", "Chỉ tiêu kế hoạch", "Đơn vị tính", "Giao bởi"]
BREAK_COLOUR = "#fff4e5"
SUPERSEDED_COLOUR = "#80868b"


def _table(name: str, headers: Sequence[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    for column in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch if column == stretch else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(column, mode)
    return table


def _fill(
    table: QTableWidget,
    rows: Sequence[Sequence[str]],
    marked: Sequence[bool] = (),
    mark: Callable[[QTableWidgetItem], None] | None = None,
) -> None:
    """Fill `table`; `mark` styles the cells of the rows whose `marked` flag is set."""
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if mark is not None and r < len(marked) and marked[r]:
                mark(item)
            table.setItem(r, c, item)
    table.resizeRowsToContents()


class FormsDialog(QDialog):
    """Read-only: which version of each form is in force and where it came from; what needs fixing."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Biểu mẫu, phiên bản và chỉ tiêu được giao")
        resize_within_screen(self, 1100, 600)
        self.tabs = QTabWidget()
        self.forms_table = _table("formVersions", FORM_HEADERS, 3)
        self.breaks_table = _table("ruleBreaks", BREAK_HEADERS, 5)
        self.targets_table = _table("unitTargets", TARGET_HEADERS, 3)
        self.breaks_note = QLabel()
        self.breaks_note.setWordWrap(True)
        breaks_page = QWidget()
        breaks_layout = QVBoxLayout(breaks_page)
        breaks_layout.addWidget(self.breaks_note)
        breaks_layout.addWidget(self.breaks_table, 1)
        forms_page = QWidget()
        forms_layout = QVBoxLayout(forms_page)
        intro = QLabel(
            "Biểu mẫu do cấp trên gửi xuống (hoặc đơn vị ban hành) thay cho biểu mẫu kèm theo chương trình. "
            "Bản ghi đã nhập giữ nguyên phiên bản khi nhập; trường mới để trống, trường bỏ đi vẫn xem được "
            "trong lịch sử bản ghi."
        )
        intro.setWordWrap(True)
        forms_layout.addWidget(intro)
        forms_layout.addWidget(self.forms_table, 1)
        self.tabs.addTab(forms_page, "Biểu mẫu và phiên bản")
        self.tabs.addTab(breaks_page, "Bản ghi cần sửa theo phiên bản mới")
        self.tabs.addTab(self.targets_table, "Chỉ tiêu Đề án 05 được giao")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đóng")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.db = db
        self.refresh()

    def refresh(self) -> None:
        from danvan_desktop.services.entry.form_upgrade import records_breaking_rules
        from danvan_desktop.services.office.form_versions import form_listing
        from danvan_desktop.services.office.targets import list_targets

        with self.db.session() as session:
            forms = form_listing(session)
            breaks = records_breaking_rules(session)
            targets = list_targets(session)
        _fill(
            self.forms_table,
            [
                (
                    "✓" if f.in_force else "",
                    f.form_id,
                    str(f.version),
                    f.title,
                    f.origin_label,
                    local_time_text(f.stored_at) if f.stored_at else "",
                )
                for f in forms
            ],
            [not f.in_force for f in forms],
            lambda item: item.setForeground(QBrush(QColor(SUPERSEDED_COLOUR))),  # a version not in use
        )
        _fill(
            self.breaks_table,
            [
                (
                    b.form_title,
                    b.title or b.record_id[:8],
                    b.unit_label,
                    b.period_label,
                    f"{b.record_version} (đang dùng {b.form_version})",
                    "\n".join(b.messages),
                )
                for b in breaks
            ],
            [True] * len(breaks),
            lambda item: item.setBackground(QBrush(QColor(BREAK_COLOUR))),
        )
        self.breaks_note.setText(
            f"{len(breaks)} bản ghi nhập theo phiên bản cũ có lỗi theo phiên bản đang dùng: số liệu vẫn được "
            "giữ nguyên; hãy mở từng bản ghi, sửa rồi lưu."
            if breaks
            else "Không có bản ghi nào vi phạm quy tắc của phiên bản biểu mẫu đang dùng."
        )
        _fill(
            self.targets_table,
            [
                (t.unit_label, str(t.year), str(t.indicator), t.name, t.value_text, t.measure, t.assigned_by)
                for t in targets
            ],
        )
        if breaks:
            self.tabs.setTabText(1, f"Bản ghi cần sửa theo phiên bản mới ({len(breaks)})")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Wrapped rows are measured once the columns have their real widths, not before.
        for table in (self.forms_table, self.breaks_table, self.targets_table):
            table.resizeRowsToContents()


def install_forms_menu(window: QMainWindow, menu: QMenu) -> QAction:
    """«Biểu mẫu, phiên bản và chỉ tiêu được giao…» in `menu` (Tệp), opening FormsDialog."""
    w: Any = window  # MainWindow: db
    action = QAction("&Biểu mẫu, phiên bản và chỉ tiêu được giao…", window)
    action.setObjectName("openFormVersions")

    def open_dialog() -> None:
        if w.db is not None:
            FormsDialog(w.db, window).exec()

    action.triggered.connect(open_dialog)
    menu.addAction(action)
    return action
