"""The window's record search: Ctrl+K, type words without accents, arrows and Enter open the record.

The query is services/entry/record_search.py; here are the box in the tool bar, the list that drops
down under it, and opening a hit: its period, its unit in the tree, its form, then its row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.ui.unit_models import UNIT_ID_ROLE

if TYPE_CHECKING:
    from danvan_desktop.services.entry.record_search import RecordHit
    from danvan_desktop.ui.main_window import MainWindow

SHORTCUT = "Ctrl+K"
TYPING_PAUSE_MS = 150  # search once the typing pauses, not on every key
POPUP_WIDTH = 620
HIT_ROLE = Qt.ItemDataRole.UserRole
_OWN_KEYS = frozenset(
    {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Up, Qt.Key.Key_Down}
)


def open_hit(window: MainWindow, hit: RecordHit) -> bool:
    """Show the record in the window: its period, unit and form, its row selected; False if not.

    Each step goes through the window's own selection, which asks about unsaved changes once (the
    first step that changes something rebuilds the page); a "Hủy" there stops here.
    """
    if not show_unit_form(
        window, hit.period_code, hit.unit_id, hit.form_id, hit.unit_label, hit.period_label
    ):
        return False
    return _select_record(window, hit)


def show_unit_form(
    window: MainWindow,
    period_code: str,
    unit_id: int,
    form_id: str,
    unit_label: str = "Đơn vị",
    period_label: str = "",
) -> bool:
    """Select the period, the unit and the form in the window; False (said in the status bar) if not."""
    period = window.current_period()
    shown = period_label or period_code
    if period is None or period.code != period_code:
        index = window.period_box.findData(period_code)
        if index < 0:
            return _say(window, f"Không có kỳ báo cáo «{shown}» trong danh sách kỳ.")
        window.period_box.setCurrentIndex(index)
        period = window.current_period()
        if period is None or period.code != period_code:
            return False  # the clerk kept the unsaved changes
    if window.unit_filter.text():
        window.unit_filter.clear()  # the unit may be filtered out of the tree
    proxy = window.tree_proxy
    found = proxy.match(proxy.index(0, 0), UNIT_ID_ROLE, unit_id, 1, Qt.MatchFlag.MatchRecursive)
    if not found:
        return _say(window, f"{unit_label} không có trong cây đơn vị của kỳ «{shown}».")
    window.tree.setCurrentIndex(found[0])
    target = window.current_target()
    if target is None or target.unit_id != unit_id:
        return False
    window.form_area.select_form(form_id)
    return window.form_area.current_form_id() == form_id


def _select_record(window: MainWindow, hit: RecordHit) -> bool:
    from danvan_desktop.ui.entry_pages import RegisterPage  # loaded: a page is shown

    page = window.form_area.page
    if not isinstance(page, RegisterPage):
        if page is not None:
            page.setFocus()
        return page is not None
    if page.search.text() or page.show_deleted.isChecked():
        page.search.clear()  # the register's own filter could hide the record
        page.show_deleted.setChecked(False)
    row = page.model.view_row_of(hit.record_id) if page.model is not None else None
    if row is None or page.model is None:
        return _say(window, f"Không thấy bản ghi «{hit.title}» trong sổ đang mở.")
    page.table.selectRow(row)
    page.table.scrollTo(page.model.index(row, 0))
    page.table.setFocus()
    return True


def _say(window: MainWindow, message: str) -> bool:
    window.statusBar().showMessage(message, 10_000)
    return False


class RecordSearchPopup(QFrame):
    """The list under the search box: title in bold, then form · unit · period; a note below."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("recordSearchPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.list = QListWidget(self)
        self.list.setObjectName("recordSearchHits")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the typing stays in the search box
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(True)
        self.note = QLabel(self)
        self.note.setObjectName("recordSearchNote")
        self.note.setStyleSheet("color: #555; padding: 2px 4px;")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        self.hide()

    def show_hits(self, hits: list[RecordHit], more: bool, query: str) -> None:
        self.list.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.title}\n    {hit.where}")
            item.setData(HIT_ROLE, hit)
            item.setToolTip(hit.where)
            self.list.addItem(item)
        if hits:
            self.list.setCurrentRow(0)
        if not hits:
            self.note.setText(f"Không tìm thấy bản ghi nào có «{query}».")
        elif more:
            self.note.setText(
                f"Hiện {len(hits)} bản ghi đầu tiên (kỳ mới nhất trước); gõ thêm từ để thu hẹp."
            )
        else:
            self.note.setText(f"{len(hits)} bản ghi. ↑↓ để chọn, Enter để mở, Esc để đóng.")
        self.list.setVisible(bool(hits))

    def current_hit(self) -> RecordHit | None:
        item = self.list.currentItem()
        hit: RecordHit | None = item.data(HIT_ROLE) if item is not None else None
        return hit

    def step(self, delta: int) -> None:
        count = self.list.count()
        if count:
            self.list.setCurrentRow(min(max(self.list.currentRow() + delta, 0), count - 1))


class RecordSearch(QObject):
    """The search box in the window's tool bar and its drop-down list of hits."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.box = QLineEdit()
        self.box.setObjectName("recordSearch")
        self.box.setPlaceholderText(f"Tìm bản ghi, không cần dấu ({SHORTCUT})…")
        self.box.setClearButtonEnabled(True)
        self.box.setMinimumWidth(260)
        self.box.setMaximumWidth(460)  # the list below is wider; the tool bar keeps room for others
        self.box.setToolTip(
            "Tìm trong mọi biểu mẫu: nội dung bản ghi, tên biểu mẫu, đơn vị, kỳ báo cáo.\n"
            "Ví dụ: «phu nu 2023», «nha van hoa xom ban»."
        )
        self.popup = RecordSearchPopup(window)
        self.popup.list.itemClicked.connect(lambda item: self.open(item.data(HIT_ROLE)))
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(TYPING_PAUSE_MS)
        self.timer.timeout.connect(self.search)
        self.box.textChanged.connect(lambda _text: self.timer.start())
        self.box.installEventFilter(self)
        window.installEventFilter(self)  # the list follows the box when the window is resized
        self.hits: list[RecordHit] = []

    def focus(self) -> None:
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()
        if self.box.text().strip():
            self.search()

    def search(self) -> None:
        """Run the query now (the timer calls this once typing pauses)."""
        from danvan_desktop.services.entry.record_search import search_records

        self.timer.stop()
        query = self.box.text()
        window = self.window
        if not query.strip() or window.db is None:
            self.popup.hide()
            return
        with window.db.session() as session:
            result = search_records(session, window.form_area.forms, query)
        self.hits = result.hits
        self.popup.show_hits(result.hits, result.more, query.strip())
        self._place()
        self.popup.show()
        self.popup.raise_()

    def _place(self) -> None:
        window = self.window
        width = min(max(POPUP_WIDTH, self.box.width()), window.width() - 8)
        below = self.box.mapTo(window, QPoint(0, self.box.height() + 2))
        x = max(4, min(below.x(), window.width() - width - 4))
        rows = self.popup.list.count()
        row_height = self.popup.list.sizeHintForRow(0) if rows else 0
        list_height = min(rows, 8) * (row_height + 2) + (8 if rows else 0)
        height = min(list_height + self.popup.note.sizeHint().height() + 10, window.height() - below.y() - 8)
        self.popup.setGeometry(x, below.y(), width, max(height, 40))

    def open(self, hit: RecordHit | None) -> bool:
        if hit is None:
            return False
        self.popup.hide()
        return open_hit(self.window, hit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize and self.popup.isVisible():
            self._place()
        if (
            watched is self.box
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in _OWN_KEYS
        ):
            # Enter here opens a hit: not the register table's Enter shortcut (edit) in the same window.
            event.accept()
            return True
        if watched is self.box and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                if self.timer.isActive() or not self.popup.isVisible():
                    self.search()
                steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8, Qt.Key.Key_PageUp: -8}
                self.popup.step(steps[Qt.Key(key)])
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.timer.isActive():
                    self.search()  # Enter right after typing opens what was typed, not the old list
                self.open(self.popup.current_hit())
                return True
            if key == Qt.Key.Key_Escape:
                if self.popup.isVisible():
                    self.popup.hide()
                else:
                    self.window.tree.setFocus()
                return True
        if watched is self.box and event.type() == QEvent.Type.FocusOut:
            # A click in the list must reach it before it hides (the list takes no focus).
            QTimer.singleShot(0, self._hide_unless_focused)
        return super().eventFilter(watched, event)

    def _hide_unless_focused(self) -> None:
        if not self.box.hasFocus():
            self.popup.hide()


def install_record_search(window: MainWindow, menu: QMenu) -> RecordSearch:
    """The search box at the right of the tool bar, and «Tìm bản ghi» (Ctrl+K) in `menu`."""
    search = RecordSearch(window)
    toolbar = QToolBar("Tìm bản ghi", window)
    toolbar.setObjectName("recordSearchToolbar")
    toolbar.setMovable(False)
    toolbar.addWidget(search.box)
    window.addToolBar(toolbar)
    action = QAction("Tìm &bản ghi…", window)
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(search.focus)
    menu.addAction(action)
    window.addAction(action)  # the shortcut works whether or not the menu bar is shown
    menu.addSeparator()
    return search
