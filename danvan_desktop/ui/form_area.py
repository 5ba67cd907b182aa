"""The form area of the main window: the list of forms and the page of the chosen one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.ui.entry_target import EntryTarget
from danvan_desktop.ui.layout_helpers import key_shortcut

if TYPE_CHECKING:
    # The pages (and through them SQLAlchemy and the form widgets) load with the first page
    # shown, not with the main window: the window appears before the database layer is imported.
    from danvan_desktop.db.engine import Database
    from danvan_desktop.formspec.model import FormDef
    from danvan_desktop.ui.entry_pages import AggregatePage, RegisterPage
    from danvan_desktop.ui.totals_page import TotalsPage

KIND_NOTES = {"aggregate": "biểu tổng hợp", "register": "sổ theo dõi"}


class FormArea(QWidget):
    """Forms on the left; the chosen form for the selected unit and period on the right."""

    form_chosen = Signal()  # a form was picked (by the clerk or select_form): the window shows it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.forms: dict[str, FormDef] = {}
        self.db: Database | None = None
        self.target: EntryTarget | None = None
        self.form_list = QListWidget()
        self.form_list.setObjectName("formList")
        self.form_list.setMinimumWidth(180)
        self.form_list.setWordWrap(True)
        # Titles re-wrap when the splitter narrows the list, instead of ending in "…" and a blank line.
        self.form_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.form_list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.form_list.setSpacing(2)
        self.form_list.currentItemChanged.connect(self._on_form_changed)
        # One Ctrl+N for the whole window (the unit tree, this list, the page): a new record of a
        # register, or the cursor into an aggregate form. The pages define none, so none clash.
        key_shortcut(QKeySequence.StandardKey.New, self, self.new_entry, Qt.ShortcutContext.WindowShortcut)
        self.pages = QStackedWidget()
        self.placeholder = QLabel("Chọn đơn vị ở cây bên trái, rồi chọn biểu mẫu.")
        self.placeholder.setObjectName("formPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.pages.addWidget(self.placeholder)
        self.page: AggregatePage | RegisterPage | TotalsPage | None = None
        forms_panel = QWidget()
        forms_layout = QVBoxLayout(forms_panel)
        forms_layout.setContentsMargins(0, 0, 0, 0)
        forms_layout.addWidget(QLabel("<b>Biểu mẫu</b>"))
        forms_layout.addWidget(self.form_list)
        # A splitter, not a fixed width: on a small screen the clerk narrows the list for the table.
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(forms_panel)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 900])
        layout = QHBoxLayout(self)
        layout.addWidget(self.splitter)

    def set_forms(self, db: Database, forms: dict[str, FormDef]) -> None:
        self.db, self.forms = db, forms
        self.form_list.clear()
        for form in forms.values():
            item = QListWidgetItem(f"{form.title}\n   {KIND_NOTES[form.kind]}")
            item.setData(Qt.ItemDataRole.UserRole, form.id)
            item.setToolTip(form.description or form.title)
            self.form_list.addItem(item)

    def new_entry(self) -> None:
        """A new record of a register, or the cursor in the first field of an aggregate form."""
        if self.page is not None:
            self.page.new_entry()

    def current_form_id(self) -> str | None:
        item = self.form_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def select_form(self, form_id: str) -> None:
        for row in range(self.form_list.count()):
            if self.form_list.item(row).data(Qt.ItemDataRole.UserRole) == form_id:
                self.form_list.setCurrentRow(row)
                self.form_chosen.emit()
                return

    def detach(self) -> None:
        """Let go of the database (a restore is replacing it): the open page goes, the hint shows."""
        self.db = None
        self.refresh()

    def set_target(self, target: EntryTarget | None) -> None:
        """Show the chosen form for the target's unit and period (None: nothing selected)."""
        self.target = target
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the current page (after a save elsewhere, a lock, a period change)."""
        form_id = self.current_form_id()
        if self.page is not None:
            self.pages.removeWidget(self.page)
            self.page.deleteLater()
            self.page = None
        if self.db is None or self.target is None or form_id is None:
            self.pages.setCurrentWidget(self.placeholder)
            return
        from danvan_desktop.ui.entry_pages import AggregatePage, RegisterPage
        from danvan_desktop.ui.totals_page import TotalsPage, shows_totals

        form = self.forms[form_id]
        page_class: type[AggregatePage | RegisterPage | TotalsPage]
        page_class = AggregatePage if form.kind == "aggregate" else RegisterPage
        if shows_totals(form, self.target):  # a district or province: its units' values added up
            page_class = TotalsPage
        self.page = page_class(self.db, form, self.target)
        self.pages.addWidget(self.page)
        self.pages.setCurrentWidget(self.page)

    def maybe_leave(self) -> bool:
        """Ask before losing unsaved changes; True when it is fine to move on."""
        if self.page is None or not self.page.has_unsaved_changes():
            return True
        answer = QMessageBox.question(
            self,
            "Chưa lưu thay đổi",
            "Biểu mẫu đang mở có thay đổi chưa lưu. Lưu lại trước khi chuyển?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            from danvan_desktop.ui.entry_pages import AggregatePage  # loaded: a page is open

            return isinstance(self.page, AggregatePage) and self.page.save()
        return answer == QMessageBox.StandardButton.Discard

    def _on_form_changed(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if previous is not None and current is not previous and not self.maybe_leave():
            self.form_list.blockSignals(True)
            self.form_list.setCurrentItem(previous)
            self.form_list.blockSignals(False)
            return
        self.refresh()
        self.form_chosen.emit()
