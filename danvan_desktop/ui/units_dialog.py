"""The office's own villages and residential groups: list, add (a pasted list), rename, close, merge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.errors import UserError
from danvan_desktop.ui.layout_helpers import dialog_buttons

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from danvan_desktop.db.engine import Database
    from danvan_desktop.services.office.village_units import VillageRow
    from danvan_desktop.ui.main_window import MainWindow

HELP_PAGE = "xom-to-dan-pho"  # F1's page, by help_window's "helpPage" property (no import of it here)
FIRST_RUN_INTRO = (
    "{office} chưa có danh sách xóm, tổ dân phố. Các biểu mẫu như «Nhà văn hóa xóm» cần chọn xóm, nên "
    "hãy khai báo ngay bây giờ: mỗi dòng một tên (có thể dán cả danh sách). Ghi «Tổ dân phố …» hoặc "
    "«Thôn …» ở đầu dòng nếu khác loại đã chọn."
)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit) -> dt.date:
    value = edit.date()
    return dt.date(value.year(), value.month(), value.day())


def _date_edit(name: str, day: dt.date) -> QDateEdit:
    edit = QDateEdit(_qdate(day))
    edit.setObjectName(name)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("unitsError")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    return label


class _ActionDialog(QDialog):
    """A small form whose OK runs one change in a transaction; a refusal stays on screen, nothing stored."""

    def __init__(self, db: Database, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(title)
        self.setProperty("helpPage", HELP_PAGE)
        self.error = _error_label()
        self.buttons = dialog_buttons(self, "&Lưu", self.try_save)
        self.done_text = ""

    def change(self, session: Session) -> str:  # pragma: no cover - each dialog overrides it
        raise NotImplementedError

    def try_save(self) -> bool:
        try:
            with self.db.transaction() as session:
                self.done_text = self.change(session)
        except UserError as exc:
            self.error.setText(str(exc))
            # A wrapped label in a form gets one line's height: room for the whole reason.
            self.error.setMinimumHeight(self.error.heightForWidth(max(self.error.width(), 400)))
            return False
        self.accept()
        return True


class AddVillagesDialog(_ActionDialog):
    """Names one per line (a pasted list), a kind, the first day; the first-run prompt is this dialog."""

    def __init__(self, db: Database, office_id: int, parent: QWidget | None, *, prompt: bool = False) -> None:
        from danvan_desktop.db.models import OrgUnit
        from danvan_desktop.services.office.orgunits import unit_label
        from danvan_desktop.services.office.village_units import village_kinds

        super().__init__(db, "Khai báo xóm, tổ dân phố" if prompt else "Thêm xóm, tổ dân phố", parent)
        self.office_id = office_id
        with db.session() as session:
            office = session.get_one(OrgUnit, office_id)
            label, start = unit_label(office), office.valid_from
        intro = QLabel(
            FIRST_RUN_INTRO.format(office=label)
            if prompt
            else f"Xóm, tổ dân phố mới của {label}: mỗi dòng một tên (có thể dán cả danh sách)."
        )
        intro.setObjectName("unitsIntro")
        intro.setWordWrap(True)
        self.names = QPlainTextEdit()
        self.names.setObjectName("villageNames")
        self.names.setPlaceholderText("Bản Lác\nNà Mòn\nTổ dân phố Số 3")
        self.names.setTabChangesFocus(True)
        self.kind = QComboBox()
        self.kind.setObjectName("villageKind")
        for kind in village_kinds():
            self.kind.addItem(kind.label[:1].upper() + kind.label[1:], kind.value)
        self.valid_from = _date_edit("villageFrom", start)
        form = QFormLayout()
        names_label = QLabel("&Tên (mỗi dòng một; Ctrl+Enter để lưu):")
        names_label.setBuddy(self.names)
        form.addRow(names_label, self.names)
        form.addRow("Lo&ại:", self.kind)
        form.addRow("Có hiệu lực từ &ngày:", self.valid_from)
        save = QAction(self)  # Enter starts a new line in the list: Ctrl+Enter saves
        save.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        save.triggered.connect(self.try_save)
        self.addAction(save)
        if prompt:
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Để &sau")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(620, 460)
        self.names.setFocus()

    def change(self, session: Session) -> str:
        from danvan_desktop.services.office.office_view import user_name
        from danvan_desktop.services.office.village_units import (
            VillageError,
            add_villages,
            parse_village_lines,
        )

        entries = parse_village_lines(self.names.toPlainText(), str(self.kind.currentData()))
        if not entries:
            raise VillageError("Hãy nhập ít nhất một tên xóm, tổ dân phố (mỗi dòng một tên).")
        added = add_villages(
            session,
            self.office_id,
            entries,
            _day(self.valid_from),
            user=user_name(self.db),
        )
        return f"Đã thêm {len(added)} xóm, tổ dân phố."


class CloseVillageDialog(_ActionDialog):
    def __init__(self, db: Database, office_id: int, row: VillageRow, parent: QWidget | None) -> None:
        super().__init__(db, "Kết thúc xóm, tổ dân phố", parent)
        self.office_id, self.row = office_id, row
        self.last_day = _date_edit("villageLastDay", dt.date.today())
        form = QFormLayout()
        form.addRow(QLabel(f"{row.label} ({row.code}), {row.span}"))
        form.addRow("&Ngày cuối cùng có hiệu lực:", self.last_day)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.last_day.setFocus()

    def change(self, session: Session) -> str:
        from danvan_desktop.services.office.office_view import user_name
        from danvan_desktop.services.office.village_units import close_village

        day = _day(self.last_day)
        close_village(session, self.office_id, self.row.code, day, user=user_name(self.db))
        return f"{self.row.label} hết hiệu lực sau ngày {day:%d/%m/%Y}."


class RenameVillageDialog(_ActionDialog):
    def __init__(self, db: Database, office_id: int, row: VillageRow, parent: QWidget | None) -> None:
        super().__init__(db, "Đổi tên xóm, tổ dân phố", parent)
        self.office_id, self.row = office_id, row
        self.name = QLineEdit(row.name)
        self.name.setObjectName("villageNewName")
        self.name.selectAll()
        form = QFormLayout()
        form.addRow(QLabel(f"{row.label} ({row.code}): mã giữ nguyên, tên cũ được ghi lại."))
        form.addRow("&Tên mới:", self.name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.name.setFocus()

    def change(self, session: Session) -> str:
        from danvan_desktop.services.office.office_view import user_name
        from danvan_desktop.services.office.orgunits import unit_label
        from danvan_desktop.services.office.village_units import rename_village

        unit = rename_village(
            session, self.office_id, self.row.code, self.name.text(), user=user_name(self.db)
        )
        return f"Đã đổi tên thành {unit_label(unit)}."


class MergeVillagesDialog(_ActionDialog):
    """The selected villages end the day before; they become an existing village or a new one."""

    NEW = ""

    def __init__(
        self,
        db: Database,
        office_id: int,
        merged: list[VillageRow],
        others: list[VillageRow],
        parent: QWidget | None,
    ) -> None:
        super().__init__(db, "Sáp nhập xóm, tổ dân phố", parent)
        self.office_id, self.merged = office_id, merged
        self.on = _date_edit("mergeOn", dt.date.today())
        self.into = QComboBox()
        self.into.setObjectName("mergeInto")
        self.into.addItem("— xóm mới hình thành —", self.NEW)
        for row in others:
            self.into.addItem(f"{row.label} ({row.code})", row.code)
        self.new_name = QLineEdit()
        self.new_name.setObjectName("mergeNewName")
        self.into.currentIndexChanged.connect(
            lambda _i: self.new_name.setEnabled(self.into.currentData() == self.NEW)
        )
        form = QFormLayout()
        form.addRow(QLabel("Sáp nhập: " + ", ".join(r.label for r in merged)))
        form.addRow("Có hiệu lực từ &ngày:", self.on)
        form.addRow("&Vào:", self.into)
        form.addRow("&Tên xóm mới:", self.new_name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.on.setFocus()

    def change(self, session: Session) -> str:
        from danvan_desktop.services.office.office_view import user_name
        from danvan_desktop.services.office.orgunits import unit_label
        from danvan_desktop.services.office.village_units import merge_villages

        into = str(self.into.currentData()) or None
        target = merge_villages(
            session,
            self.office_id,
            [r.code for r in self.merged],
            _day(self.on),
            into=into,
            new_name=None if into else self.new_name.text(),
            user=user_name(self.db),
        )
        return f"Đã sáp nhập vào {unit_label(target)}."


COLUMNS = ["Mã", "Xóm, tổ dân phố", "Thuộc", "Hiệu lực", "Ghi chú"]


class VillageListDialog(QDialog):
    """The office's villages with their validity; Insert adds, F2 renames, Delete ends, Ctrl+M merges."""

    changed = Signal()

    def __init__(self, db: Database, office_id: int, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.db, self.office_id = db, office_id
        self.setWindowTitle("Xóm, tổ dân phố của đơn vị")
        self.setProperty("helpPage", HELP_PAGE)
        self.rows: list[VillageRow] = []
        self.child: QDialog | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("villageTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel()
        self.status.setObjectName("unitsStatus")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        self.shortcut_actions: list[QAction] = []
        for key, text, shortcut, slot in (
            ("add", "&Thêm… (Insert)", "Insert", self.add),
            ("rename", "Đổi tên… (&F2)", "F2", self.rename),
            ("close", "&Kết thúc… (Delete)", "Delete", self.close_selected),
            ("merge", "&Sáp nhập… (Ctrl+M)", "Ctrl+M", self.merge),
        ):
            button = QPushButton(text)
            button.setObjectName(f"units_{key}")
            button.clicked.connect(slot)
            action = QAction(self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            self.addAction(action)
            buttons.addWidget(button)
            self.action_buttons[key] = button
            self.shortcut_actions.append(action)
        buttons.addStretch(1)
        close = QPushButton("Đó&ng")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(980, 560)
        self.reload()
        self._apply_role_gate()
        self.table.setFocus()

    def _apply_role_gate(self) -> None:
        """A clerk sees the list; changing it is the administrator's (the services refuse it too)."""
        from danvan_desktop.services.office.accounts import may, needed_roles_text, signed_in_actor

        actor = signed_in_actor(self.db)
        if actor is None or may(actor, "catalog.import"):
            return
        reason = needed_roles_text("catalog.import")
        for button in self.action_buttons.values():
            button.setEnabled(False)
            button.setToolTip(reason)
        for action in self.shortcut_actions:
            action.setEnabled(False)
        self.status.setText(
            f"Chỉ xem danh sách. Thêm, đổi tên, kết thúc, sáp nhập xóm: {reason[0].lower()}{reason[1:]}"
        )

    def reload(self) -> None:
        from danvan_desktop.services.office.village_units import list_villages

        with self.db.session() as session:
            self.rows = list_villages(session, self.office_id)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            note = f"sáp nhập vào {row.successor}" if row.successor else ("" if row.editable else "danh mục")
            for c, text in enumerate((row.code, row.label, row.parent_label, row.span, note)):
                item = QTableWidgetItem(text)
                if row.valid_to is not None and row.valid_to < dt.date.today():
                    item.setForeground(Qt.GlobalColor.gray)  # ended: kept for history
                self.table.setItem(r, c, item)
        if not self.rows:
            self.status.setText("Chưa có xóm, tổ dân phố nào. Bấm Insert để thêm (có thể dán cả danh sách).")
        if self.rows and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def selected(self) -> list[VillageRow]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.rows[r] for r in rows]

    def _open(self, dialog: _ActionDialog) -> None:
        def finished(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                self.status.setText(dialog.done_text)
                self.reload()
                self.changed.emit()
            self.table.setFocus()

        dialog.finished.connect(finished)
        self.child = dialog
        dialog.open()

    def add(self) -> None:
        self._open(AddVillagesDialog(self.db, self.office_id, self))

    def _one(self) -> VillageRow | None:
        chosen = self.selected()
        if len(chosen) != 1:
            self.status.setText("Hãy chọn một xóm, tổ dân phố trong danh sách.")
            return None
        return chosen[0]

    def rename(self) -> None:
        if (row := self._one()) is not None:
            self._open(RenameVillageDialog(self.db, self.office_id, row, self))

    def close_selected(self) -> None:
        if (row := self._one()) is not None:
            self._open(CloseVillageDialog(self.db, self.office_id, row, self))

    def merge(self) -> None:
        merged = self.selected()
        if not merged:
            self.status.setText("Hãy chọn các xóm sẽ sáp nhập (giữ Ctrl hoặc Shift để chọn nhiều).")
            return
        codes = {r.code for r in merged}
        others = [r for r in self.rows if r.code not in codes and r.valid_to is None]
        self._open(MergeVillagesDialog(self.db, self.office_id, merged, others, self))


def _refresh_window(window: MainWindow) -> None:
    """New villages appear in the unit tree and in every "Xóm, tổ dân phố" field at once."""
    from danvan_desktop.services.office.office_view import unit_tree

    period = window.current_period()
    if window.db is None or window.installation is None or period is None:
        return
    window._show_tree(unit_tree(window.db, window.installation.office_unit_id, period))
    window.form_area.refresh()


def _with_office(window: MainWindow, then: Callable[[Database, int], QDialog]) -> QDialog | None:
    if window.db is None or window.installation is None or not window.form_area.maybe_leave():
        return None
    dialog = then(window.db, window.installation.office_unit_id)
    window.units_dialog = dialog  # type: ignore[attr-defined]  # kept alive while shown
    dialog.open()
    return dialog


def open_village_list(window: MainWindow) -> QDialog | None:
    def build(db: Database, office_id: int) -> QDialog:
        dialog = VillageListDialog(db, office_id, window)
        dialog.changed.connect(lambda: _refresh_window(window))
        return dialog

    return _with_office(window, build)


def ask_for_villages(window: MainWindow) -> QDialog | None:
    """The first thing a commune office without villages is asked for (first run, or later)."""

    def build(db: Database, office_id: int) -> QDialog:
        dialog = AddVillagesDialog(db, office_id, window, prompt=True)
        dialog.accepted.connect(lambda: _refresh_window(window))
        return dialog

    return _with_office(window, build)


def _ask_if_none(window: MainWindow) -> None:
    from danvan_desktop.services.office.village_units import needs_village_list

    if window.db is None:
        return
    from danvan_desktop.services.office.accounts import may, signed_in_actor

    with window.db.session() as session:
        needed = needs_village_list(session, dt.date.today())
    actor = signed_in_actor(window.db)
    if needed and (actor is None or may(actor, "catalog.import")):  # a clerk could not save the list
        QTimer.singleShot(0, lambda: ask_for_villages(window))  # once the window has drawn its data


def install_units_menu(window: MainWindow) -> None:
    """The «Xóm, tổ dân phố» menu, and the question asked after opening an office without villages."""
    menu = window.menuBar().addMenu("&Xóm, tổ dân phố")
    menu.setObjectName("unitsMenu")
    action = QAction("&Danh sách xóm, tổ dân phố của đơn vị…", window)
    action.setShortcut(QKeySequence("Ctrl+Shift+X"))
    action.triggered.connect(lambda: open_village_list(window))
    menu.addAction(action)
    window.ready.connect(lambda: _ask_if_none(window))
