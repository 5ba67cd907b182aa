"""Conflicts waiting for a decision: both versions field by field; keep, take, or mix per field."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.errors import UserError
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.layout_helpers import resize_within_screen

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database
    from danvan_desktop.services.exchange.conflicts import Choice, PendingConflict

KEY_ROLE = Qt.ItemDataRole.UserRole
EMPTY = "(trống)"


class ConflictsDialog(QDialog):
    """The pending conflicts on the left, the chosen one's differing fields on the right."""

    resolved = Signal()

    def __init__(
        self, db: Database, site_id: str, parent: QWidget | None = None, log_file: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.site_id, self.log_file = db, site_id, log_file
        self.conflicts: list[PendingConflict] = []
        self.setWindowTitle("Xung đột chờ xử lý")
        resize_within_screen(self, 1060, 560)
        self.conflict_list = QListWidget()
        self.conflict_list.setObjectName("conflictList")
        self.conflict_list.setSpacing(2)
        self.conflict_list.currentRowChanged.connect(self._show)
        self.heading = QLabel()
        self.heading.setObjectName("conflictHeading")
        self.heading.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("conflictFields")
        self.table.setHorizontalHeaderLabels(
            ["Trường", "Giá trị đang có", "Giá trị trong gói", "Lấy theo gói"]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 220)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._on_item_changed)
        self.message = QLabel()
        self.message.setObjectName("conflictMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keep_button = QPushButton("&Giữ bản đang có")
        self.take_button = QPushButton("&Lấy theo gói")
        self.fields_button = QPushButton("Lấy &các trường đã chọn")
        close_button = QPushButton("Đóng")
        self.keep_button.clicked.connect(lambda: self.resolve("local"))
        self.take_button.clicked.connect(lambda: self.resolve("incoming"))
        self.fields_button.clicked.connect(lambda: self.resolve("fields"))
        close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.keep_button, self.take_button, self.fields_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.message)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.count_label = QLabel()
        left_layout.addWidget(self.count_label)
        left_layout.addWidget(self.conflict_list)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([330, 730])
        intro = QLabel(
            "Cùng một bản ghi đã được sửa ở cả hai nơi. Xem từng trường khác nhau rồi quyết định giữ bản "
            "đang có, lấy theo gói, hoặc đánh dấu «lấy theo gói» cho từng trường. Bản không được chọn "
            "vẫn lưu trong lịch sử của bản ghi."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        """Read the pending conflicts again (after a decision, or an import elsewhere)."""
        from danvan_desktop.services.exchange.conflicts import pending_conflicts

        with self.db.session() as session:
            self.conflicts = pending_conflicts(session)
        self.conflict_list.blockSignals(True)
        self.conflict_list.clear()
        for conflict in self.conflicts:
            item = QListWidgetItem(
                f"{conflict.form_title}\n   {conflict.unit_label} · {conflict.period_label}"
                + (f"\n   người sửa trong gói: {conflict.incoming_by}" if conflict.incoming_by else "")
            )
            item.setToolTip(f"Bản ghi {conflict.record_id}")
            self.conflict_list.addItem(item)
        self.conflict_list.blockSignals(False)
        count = len(self.conflicts)
        self.count_label.setText(
            f"<b>{count} xung đột chờ xử lý</b>" if count else "<b>Không còn xung đột</b>"
        )
        if count:
            self.conflict_list.setCurrentRow(0)
            self._show(0)
        else:
            self._show(-1)

    def current(self) -> PendingConflict | None:
        row = self.conflict_list.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def _show(self, row: int) -> None:
        from danvan_desktop.services.entry.entry import value_changes
        from danvan_desktop.services.office.forms import form_registry

        self.table.blockSignals(True)
        self.table.setRowCount(0)
        conflict = self.conflicts[row] if 0 <= row < len(self.conflicts) else None
        for button in (self.keep_button, self.take_button):
            button.setEnabled(conflict is not None)
        if conflict is None:
            self.heading.setText("Không còn xung đột nào chờ xử lý.")
            self.table.blockSignals(False)
            self._update_fields_button()
            return
        form = form_registry().get(conflict.form_id)
        computed = {f.id for f in form.fields() if f.computed} if form else set()
        self.heading.setText(
            f"<b>{conflict.form_title}</b><br>{conflict.unit_label} · {conflict.period_label}"
            + (f" · bản trong gói do <b>{conflict.incoming_by}</b> sửa" if conflict.incoming_by else "")
        )
        for key in conflict.field_ids:
            local, incoming = conflict.local_values.get(key), conflict.incoming_values.get(key)
            changes = value_changes(form, {key: local}, {key: incoming})
            if changes:
                self._add_row(changes[0].label, changes[0].old, changes[0].new, key, key in computed)
        if conflict.local_deleted != conflict.incoming_deleted:
            self._add_row("Trạng thái", conflict.local_state, conflict.incoming_state, None, True)
        self.table.resizeRowsToContents()
        self.table.blockSignals(False)
        self._update_fields_button()

    def _add_row(self, label: str, old: str, new: str, key: str | None, fixed: bool = False) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(label))
        self.table.setItem(row, 1, QTableWidgetItem(old or EMPTY))
        self.table.setItem(row, 2, QTableWidgetItem(new or EMPTY))
        pick = QTableWidgetItem()
        pick.setData(KEY_ROLE, key)
        if fixed:  # computed fields follow the others; the deleted state goes with the whole record
            pick.setFlags(Qt.ItemFlag.ItemIsEnabled)
            pick.setToolTip(
                "Trường tự tính lại từ các trường khác."
                if key
                else "Trạng thái xóa chỉ đổi khi chọn «Lấy theo gói» cho cả bản ghi."
            )
            pick.setText("tự tính" if key else "")
        else:
            pick.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            pick.setCheckState(Qt.CheckState.Unchecked)
        self.table.setItem(row, 3, pick)
        self._mark_kept(row)

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None  # every cell is filled by _add_row
        return item

    def _mark_kept(self, row: int) -> None:
        """Bold the value that will be kept if the chosen fields are taken."""
        pick = self._cell(row, 3)
        if not pick.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        taken = pick.checkState() == Qt.CheckState.Checked
        for column, bold in ((1, not taken), (2, taken)):
            item = self._cell(row, column)
            font = QFont(item.font())
            font.setBold(bold)
            item.setFont(font)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 3:
            self.table.blockSignals(True)
            self._mark_kept(item.row())
            self.table.blockSignals(False)
            self._update_fields_button()

    def _update_fields_button(self) -> None:
        self.fields_button.setEnabled(bool(self.selected_fields()))

    def selected_fields(self) -> list[str]:
        fields = []
        for row in range(self.table.rowCount()):
            item = self._cell(row, 3)
            if item.checkState() == Qt.CheckState.Checked and item.data(KEY_ROLE):  # only tickable rows
                fields.append(str(item.data(KEY_ROLE)))
        return fields

    def set_field_taken(self, key: str, taken: bool = True) -> None:
        """Tick (or untick) «lấy theo gói» for one field, as a click would."""
        for row in range(self.table.rowCount()):
            item = self._cell(row, 3)
            if item.data(KEY_ROLE) == key:
                item.setCheckState(Qt.CheckState.Checked if taken else Qt.CheckState.Unchecked)

    def resolve(self, choice: Choice) -> bool:
        """Apply the decision to the selected conflict; errors stay in the dialog."""
        from danvan_desktop.services.entry.entry import current_writer
        from danvan_desktop.services.exchange.conflicts import resolve_conflict

        conflict = self.current()
        fields = self.selected_fields()
        if conflict is None or (choice == "fields" and not fields):
            return False
        try:
            with self.db.transaction() as session:
                writer = current_writer(session, self.site_id)
                resolve_conflict(session, conflict.id, choice=choice, writer=writer, incoming_fields=fields)
        except UserError as exc:  # ValidationFailedError: a mix of fields breaks a rule of the form
            self._say(f"Chưa xử lý được xung đột này.\n{exc.message}", error=True)
            return False
        except Exception as exc:
            report_exception(self, exc, self.log_file)
            return False
        done = {"local": "giữ bản đang có", "incoming": "lấy theo gói", "fields": "lấy các trường đã chọn"}
        self._say(f"Đã xử lý «{conflict.form_title}» của {conflict.unit_label}: {done[choice]}.", error=False)
        self.resolved.emit()
        self.reload()
        return True

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)
