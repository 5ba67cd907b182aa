"""The pages of the form area: one aggregate form for a unit and period, or a register table."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Record
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.services.entry.entry import (
    ValidationFailedError,
    current_writer,
    find_aggregate,
    set_entry_deleted,
)
from danvan_desktop.services.entry.registers import RegisterScope, RegisterSource
from danvan_desktop.ui.entry_data import load_context, lock_reason, show_history, store, store_checked
from danvan_desktop.ui.entry_target import EntryTarget
from danvan_desktop.ui.error_dialog import show_user_error
from danvan_desktop.ui.form_editor import FormEditor, default_values
from danvan_desktop.ui.layout_helpers import key_shortcut
from danvan_desktop.ui.record_dialog import RecordDialog
from danvan_desktop.ui.register_model import ALL_COLUMNS, RegisterTableModel
from danvan_desktop.ui.review_notes import open_comments, register_banner, show_review_notes
from danvan_desktop.ui.sheet_actions import SheetLoader, export_sheet
from danvan_desktop.ui.undo_bar import UndoBar


class AggregatePage(QWidget):
    """One set of values per unit and period, edited in place; Ctrl+S saves."""

    saved = Signal()

    def __init__(
        self, db: Database, form: FormDef, target: EntryTarget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.form, self.target = db, form, target
        context = load_context(db, form, target)
        with db.session() as session:
            record = find_aggregate(session, form.id, target.unit_id, target.period_id)
            self.record_id = record.id if record else None
            self.loaded_change = record.local_change if record else 0  # the optimistic check's token
            values = dict(record.values) if record else default_values(form)
        self.heading = QLabel(f"{target.unit_label} — {target.period_label}")
        self.heading.setStyleSheet("font-size: 12pt; color: #444;")
        self.editor = FormEditor(
            form,
            context.validation,
            context.choices,
            context.units,
            context.organizations,
            organization_names=context.organization_names,
        )
        self.editor.set_values(values)
        show_review_notes(self.editor, open_comments(db, form, target), self.record_id, whole_return=True)
        self.status = QLabel()
        self.status.setObjectName("pageStatus")
        self.status.setWordWrap(True)
        self.save_button = QPushButton("Lưu (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.history_button = QPushButton("Lịch sử thay đổi")
        self.history_button.clicked.connect(self._history)
        self.history_button.setEnabled(self.record_id is not None)
        inside = Qt.ShortcutContext.WidgetWithChildrenShortcut
        key_shortcut(QKeySequence.StandardKey.Save, self, self.save, inside)
        self._showing_errors = False  # the status line lists errors, kept current while fixing
        self.editor.values_changed.connect(self._refresh_errors)
        self.export_button = QPushButton("Xuất Excel…")
        self.export_button.clicked.connect(lambda: export_sheet(self, db, form, target))
        self.load_button = QPushButton("Nạp Excel/CSV…")
        self.sheet_loader = SheetLoader(self, db, form, target, self.reload)
        self.load_button.clicked.connect(self.sheet_loader.choose_and_load)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.load_button)
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.editor, 1)
        layout.addLayout(buttons)
        reason = lock_reason(db, target) or target.refusal(form, "nhập biểu mẫu này")
        if reason:
            self.editor.set_read_only(True, reason)
            self.save_button.setEnabled(False)
            self.save_button.setText("Chỉ xem")
            self.load_button.setEnabled(False)

    def new_entry(self) -> bool:
        """Ctrl+N on a form with one set of values: the cursor goes to its first field."""
        return self.editor.focus_first_field()

    def _show_errors(self, count: int) -> None:
        self._showing_errors = count > 0
        if count:
            self.status.setText(
                f"<span style='color:#b00020'>Chưa lưu: còn {count} lỗi (xem dưới từng ô).</span>"
            )
        else:
            self.status.setText("Đã sửa hết lỗi; bấm Lưu (Ctrl+S).")

    def _refresh_errors(self) -> None:
        if self._showing_errors:
            self._show_errors(len(self.editor.error_messages()))

    def has_unsaved_changes(self) -> bool:
        return self.editor.dirty

    def reload(self) -> None:
        """Show what is stored now (after a load from a spreadsheet)."""
        with self.db.session() as session:
            record = find_aggregate(session, self.form.id, self.target.unit_id, self.target.period_id)
            self.record_id = record.id if record else None
            self.loaded_change = record.local_change if record else 0
            values = dict(record.values) if record else default_values(self.form)
        self.editor.set_values(values)
        comments = open_comments(self.db, self.form, self.target)
        show_review_notes(self.editor, comments, self.record_id, whole_return=True)
        self.history_button.setEnabled(self.record_id is not None)
        self.saved.emit()

    def save(self) -> bool:
        if self.editor.is_read_only():
            return False
        issues = self.editor.validate()
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            self._show_errors(len(errors))
            return False
        try:
            result = store_checked(
                self.db,
                self.form,
                self.target,
                self.editor.values(),
                self.record_id,
                expected_change=self.loaded_change,
            )
            self.record_id, self.loaded_change = result.record_id, result.change
        except ValidationFailedError as exc:
            self._showing_errors = False
            self.status.setText(f"<span style='color:#b00020'>{exc.message}</span>")
            return False
        except UserError as exc:
            show_user_error(self, "Không lưu được", exc)
            return False
        self.editor.mark_clean()
        self._showing_errors = False
        warnings = [i.message for i in issues if i.severity == "warning"]
        note = f" Lưu ý: {'; '.join(warnings)}" if warnings else ""
        self.status.setText(f"Đã lưu lúc {dt.datetime.now():%H:%M}.{note}")
        self.history_button.setEnabled(True)
        self.saved.emit()
        return True

    def _history(self) -> None:
        if self.record_id:
            show_history(
                self, self.db, self.form, self.record_id, f"{self.form.title} — {self.target.unit_label}"
            )


class RegisterPage(QWidget):
    """A register's records in a table: search without accents, add, edit, duplicate, delete."""

    changed = Signal()

    def __init__(
        self, db: Database, form: FormDef, target: EntryTarget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.form, self.target = db, form, target
        locked = lock_reason(db, target)
        self.locked = locked is not None
        self.read_only_reason = locked or target.refusal(form, "thêm hoặc sửa bản ghi")
        self.heading = QLabel(f"{form.title} — {target.unit_label} — {target.period_label}")
        self.heading.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.heading.setWordWrap(True)  # a long title wraps rather than widening the window
        self.note = QLabel(self.read_only_reason or "")
        self.note.setWordWrap(True)
        self.note.setVisible(bool(self.read_only_reason))
        self.note.setStyleSheet("color: #8a5a00;")
        self.review_banner = register_banner(open_comments(db, form, target))
        self.search = QLineEdit()
        self.search.setObjectName("registerSearch")
        self.search.setPlaceholderText("Tìm (không cần dấu), ví dụ: dan van kheo")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(140)
        self.search_column = QComboBox()
        self.search_column.setObjectName("searchColumn")
        # Sized to a few letters, not to the longest column title: the search box keeps the room.
        self.search_column.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.search_column.setMinimumContentsLength(8)
        self.show_deleted = QCheckBox("Bản ghi đã xóa")
        self.show_deleted.setToolTip("Xem các bản ghi đã xóa để khôi phục")
        self.count = QLabel()
        self.table = QTableView()
        self.table.setObjectName("registerTable")
        # No sort column at first: records show in entry order, and opening never waits for a sort.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.edit_current())
        self.sheet_loader = SheetLoader(self, db, form, target, self._after_load)
        self.buttons: dict[str, QAction] = {}
        # A tool bar rather than a row of buttons: what does not fit a small screen (1366 pixels
        # beside the unit tree and the form list) moves into its » menu instead of widening the
        # window. Shortcuts are in the tooltips.
        toolbar = QToolBar()
        toolbar.setObjectName("registerActions")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # Framed like push buttons: flat tool bar text does not read as something to click.
        toolbar.setStyleSheet(
            "QToolButton { border: 1px solid palette(mid); border-radius: 3px; padding: 3px 6px;"
            " margin-right: 2px; background: palette(button); }"
            " QToolButton:hover { background: palette(light); }"
            " QToolButton:disabled { color: palette(mid); }"
            " QToolButton#qt_toolbar_ext_button { border: none; padding: 0; background: transparent; }"
        )
        for key, text, tip, slot in (
            ("add", "Thêm", "Thêm bản ghi (Ctrl+N)", self.add),
            ("edit", "Sửa", "Sửa bản ghi đang chọn (Enter)", self.edit_current),
            ("duplicate", "Nhân bản", "Thêm bản ghi mới chép từ bản ghi đang chọn", self.duplicate_current),
            ("delete", "Xóa", "Xóa bản ghi đang chọn (Delete); hoàn tác bằng Ctrl+Z", self.delete_current),
            ("restore", "Khôi phục", "Khôi phục bản ghi đã xóa đang chọn", self.restore_current),
            ("history", "Lịch sử", "Các lần sửa của bản ghi đang chọn", self.history_current),
            ("export", "Xuất Excel…", "Xuất sổ ra tệp Excel", self._export_sheet),
            (
                "load",
                "Nạp Excel/CSV…",
                "Nạp bản ghi từ tệp Excel hoặc CSV",
                self.sheet_loader.choose_and_load,
            ),
        ):
            action = toolbar.addAction(text)
            action.setToolTip(tip)
            action.triggered.connect(slot)
            self.buttons[key] = action
        if self.read_only_reason:  # nothing can be changed: Enter opens a record to look at
            self.buttons["edit"].setText("Xem")
            self.buttons["edit"].setToolTip("Xem bản ghi đang chọn (Enter)")
        # Delete acts at once (a clerk deleting several rows is not stopped at each), and this bar
        # says which record went, with Ctrl+Z to bring it back: nothing goes silently.
        self.undo_bar = UndoBar()
        self.undo_bar.undo_requested.connect(self._undo_delete)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(QLabel("trong"))
        search_row.addWidget(self.search_column)
        search_row.addWidget(self.show_deleted)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.note)
        layout.addWidget(self.review_banner)
        layout.addLayout(search_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.undo_bar)
        actions_row = QHBoxLayout()  # the count beside the actions: the search row stays narrow
        actions_row.addWidget(toolbar, 1)
        actions_row.addWidget(self.count)
        layout.addLayout(actions_row)
        shortcut = Qt.ShortcutContext.WidgetWithChildrenShortcut
        # Delete and Enter only while the table has the focus: Delete in the search box edits text.
        table_only = Qt.ShortcutContext.WidgetShortcut
        key_shortcut(QKeySequence(Qt.Key.Key_Delete), self.table, self.delete_current, table_only)
        key_shortcut(QKeySequence(Qt.Key.Key_Return), self.table, self.edit_current, table_only)
        # In the search box Ctrl+Z undoes typing (the line edit takes it first); elsewhere a delete.
        key_shortcut(QKeySequence.StandardKey.Undo, self, self.undo_bar.undo, shortcut)
        self.search.textChanged.connect(self._apply_filter)
        self.search_column.currentIndexChanged.connect(self._apply_filter)
        self.show_deleted.toggled.connect(self.undo_bar.dismiss)
        self.show_deleted.toggled.connect(lambda _checked: self.reload())
        self.model: RegisterTableModel | None = None
        self.reload()

    # --- data --------------------------------------------------------------------------------
    def has_unsaved_changes(self) -> bool:
        return False  # edits happen in dialogs that ask before closing

    def reload(self, select_id: str | None = None, select_row: int | None = None) -> None:
        deleted = self.show_deleted.isChecked()
        scope = RegisterScope(
            self.form,
            self.target.listed_unit_ids,
            self.target.period_id,
            deleted=deleted,
            with_unit=not self.target.can_enter(self.form),  # a district lists its communes' records
        )
        context = load_context(self.db, self.form, self.target)
        names = dict(context.units) | dict(context.organizations)
        self.model = RegisterTableModel(RegisterSource(self.db, scope), context.choices, names)
        self.table.setModel(self.model)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        if self.search_column.count() == 0:
            self.search_column.addItem("mọi cột", ALL_COLUMNS)
            for column in range(self.model.columnCount()):
                self.search_column.addItem(
                    str(self.model.headerData(column, Qt.Orientation.Horizontal)), column
                )
        self._size_columns()
        self._apply_filter()
        if select_id is not None:
            select_row = self.model.view_row_of(select_id)
        if select_row is not None and self.model.rowCount() > 0:
            self.table.selectRow(min(select_row, self.model.rowCount() - 1))
        self._update_buttons()

    def _size_columns(self) -> None:
        # From the header texts, not the cells: measuring cells would fetch a thousand rows.
        metrics = self.table.horizontalHeader().fontMetrics()
        for column in range(self.model.columnCount() if self.model else 0):
            label = str(self.model.headerData(column, Qt.Orientation.Horizontal)) if self.model else ""
            self.table.setColumnWidth(column, min(max(metrics.horizontalAdvance(label) + 32, 110), 320))

    def _export_sheet(self) -> None:
        export_sheet(self, self.db, self.form, self.target)

    def _apply_filter(self) -> None:
        if self.model is None:
            return
        column = self.search_column.currentData()  # 0 is the first column, not "no choice"
        self.model.set_filter(self.search.text(), ALL_COLUMNS if column is None else int(column))
        shown, total = self.model.rowCount(), self.model.total_count()
        kind = "đã xóa" if self.show_deleted.isChecked() else "bản ghi"
        self.count.setText(f"{shown:,}/{total:,} {kind}".replace(",", "."))
        self._update_buttons()

    def current_record_id(self) -> str | None:
        index = self.table.currentIndex()
        if self.model is None or not index.isValid():
            return None
        return self.model.record_id(index.row())

    def _update_buttons(self) -> None:
        writable = self.read_only_reason is None
        selected = self.current_record_id() is not None
        deleted = self.show_deleted.isChecked()
        self.buttons["add"].setEnabled(writable and not deleted)
        self.buttons["edit"].setEnabled(selected and not deleted)
        self.buttons["duplicate"].setEnabled(writable and selected and not deleted)
        self.buttons["delete"].setEnabled(writable and selected and not deleted)
        self.buttons["restore"].setEnabled(writable and selected and deleted)
        self.buttons["history"].setEnabled(selected)
        self.buttons["export"].setEnabled(not deleted)
        self.buttons["load"].setEnabled(writable and not deleted)

    # --- actions -----------------------------------------------------------------------------
    def _values_of(self, record_id: str) -> dict[str, object]:
        return self._read(record_id)[0]

    def _read(self, record_id: str) -> tuple[dict[str, object], int]:
        """A record's values and its local_change: a save from the dialog expects it unchanged."""
        with self.db.session() as session:
            record = session.get_one(Record, record_id)
            return dict(record.values), record.local_change

    def _open_dialog(
        self,
        values: dict[str, object],
        record_id: str | None,
        title: str,
        expected_change: int | None = None,
    ) -> RecordDialog:
        """Open the record editor (window-modal, not blocking); the table reloads after a save."""
        context = load_context(self.db, self.form, self.target)
        dialog = RecordDialog(
            self.form,
            context,
            values,
            lambda v: store(self.db, self.form, self.target, v, record_id, expected_change=expected_change),
            title=title,
            read_only_reason=self.read_only_reason,
            parent=self,
        )
        show_review_notes(
            dialog.editor, open_comments(self.db, self.form, self.target), record_id, whole_return=False
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._after_save(dialog.saved_id))
        dialog.open()
        return dialog

    def _after_load(self) -> None:
        self.reload()
        self.changed.emit()

    def _after_save(self, record_id: str | None) -> None:
        if record_id:
            self.reload(select_id=record_id)
            self.changed.emit()

    def new_entry(self) -> RecordDialog | None:
        return self.add()

    def add(self) -> RecordDialog | None:
        if self.read_only_reason or self.show_deleted.isChecked():
            return None
        return self._open_dialog(default_values(self.form), None, f"Thêm — {self.form.title}")

    def edit_current(self) -> RecordDialog | None:
        record_id = self.current_record_id()
        if record_id is None or self.show_deleted.isChecked():
            return None
        if self.read_only_reason is None:
            title = f"Sửa — {self.form.title}"
        elif self.locked:
            title = f"Xem — {self.form.title}, kỳ đã chốt"
        else:
            title = f"Xem — {self.form.title} (chỉ xem)"
        values, change = self._read(record_id)
        return self._open_dialog(values, record_id, title, change)

    def duplicate_current(self) -> RecordDialog | None:
        record_id = self.current_record_id()
        if record_id is None or self.read_only_reason:
            return None
        return self._open_dialog(self._values_of(record_id), None, f"Nhân bản — {self.form.title}")

    def delete_current(self) -> None:
        """Delete the selected record at once; the undo bar names it and offers it back."""
        record_id = self.current_record_id()
        if record_id is None or self.model is None or self.read_only_reason or self.show_deleted.isChecked():
            return
        row = self.table.currentIndex().row()
        name = self.model.record_name(row)
        if self._store_deleted(record_id, True):
            self.reload(select_row=row)  # the next record is selected: Delete again goes on
            self.undo_bar.offer(record_id, name)
            self.changed.emit()

    def restore_current(self) -> None:
        record_id = self.current_record_id()
        if record_id is None or self.read_only_reason or not self.show_deleted.isChecked():
            return
        if self._store_deleted(record_id, False):
            self.reload()
            self.changed.emit()

    def _undo_delete(self, record_id: str) -> None:
        if self.read_only_reason is None and self._store_deleted(record_id, False):
            self.reload(select_id=record_id)
            self.changed.emit()

    def _store_deleted(self, record_id: str, deleted: bool) -> bool:
        try:
            with self.db.transaction() as session:
                writer = current_writer(session, self.target.site_id)
                set_entry_deleted(session, record_id, writer=writer, deleted=deleted)
        except UserError as exc:
            show_user_error(self, "Không thực hiện được", exc)
            return False
        return True

    def history_current(self) -> None:
        record_id = self.current_record_id()
        if record_id is not None:
            show_history(self, self.db, self.form, record_id, self.form.title)
