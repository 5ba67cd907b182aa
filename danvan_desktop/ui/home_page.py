"""The home tab of the main window: the selected unit's page for the selected period, opened first.

Kept light at start-up (the page's module, and through it SQLAlchemy, loads with the first page drawn
after the database is open). The page follows the unit tree and the period box; a figure's units open
the records behind them on the "Biểu mẫu" tab.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from danvan_desktop.services.reporting.home_types import HomePage, Share
    from danvan_desktop.ui.home_view import HomeView
    from danvan_desktop.ui.main_window import MainWindow

HOME_TAB, FORMS_TAB = 0, 1


class HomeTab(QWidget):
    """A scroll area holding the current page, rebuilt when the unit or the period changes."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ref = window
        self.setObjectName("homePage")
        self.view: HomeView | None = None
        self.page: HomePage | None = None
        self.shown_for: tuple[str, str] | None = None
        self.message = QLabel("Đang mở cơ sở dữ liệu…")
        self.message.setWordWrap(True)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.area)
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.timeout.connect(self.refresh)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A tab behind is not laid out by Qt; the form area keeps the size it will be shown at, so
        # that its splitter holds the sizes the clerk left (restored at start, saved at close).
        form_area = self.window_ref.form_area
        if not form_area.isVisible():
            form_area.resize(self.size())
            layout = form_area.layout()
            if layout is not None:
                layout.setGeometry(form_area.rect())
            # Qt holds a hidden widget's resize event until it is shown; the splitter lays out its
            # panes only on that event, so it gets it now.
            splitter = form_area.splitter
            QApplication.sendEvent(splitter, QResizeEvent(splitter.size(), splitter.size()))

    def schedule(self) -> None:
        """Redraw once the event loop is free: a period change also rebuilds the tree first."""
        self._pending.start(0)

    def choice(self) -> tuple[str, str] | None:
        window = self.window_ref
        unit, period = window.selected_unit_code(), window.current_period()
        if window.db is None or period is None:
            return None
        if unit is None and window.installation is not None:
            unit = window.office.code if window.office else None
        return (unit, period.code) if unit else None

    def refresh(self, force: bool = False) -> None:
        """Show the page of the selected unit and period (nothing to do when it shows already)."""
        choice = self.choice()
        if choice is None or (choice == self.shown_for and not force):
            return
        if not self.isVisible() and not force:
            self.shown_for = None  # drawn when the tab is shown
            return
        self.show_for(*choice)

    def show_for(self, unit_code: str, period_code: str) -> None:
        from danvan_desktop.errors import UserError
        from danvan_desktop.ui.home_view import build_home_view

        db = self.window_ref.db
        if db is None:
            return
        self.shown_for = (unit_code, period_code)
        try:
            self.view = build_home_view(db, unit_code, period_code, dt.date.today(), self.open_share)
        except UserError as exc:
            self._message(exc.message)
            return
        self.page = self.view.page
        self.area.setWidget(self.view)

    def _message(self, text: str) -> None:
        self.page, self.view = None, None
        self.message = QLabel(text)
        self.message.setWordWrap(True)
        self.area.setWidget(self.message)

    def open_share(self, share: Share) -> None:
        """The records behind a share: its period, its unit in the tree, its form, filtered to a village."""
        window = self.window_ref
        index = next((i for i, p in enumerate(window.periods) if p.code == share.period_code), None)
        if index is not None and index != window.period_box.currentIndex():
            window.period_box.setCurrentIndex(index)  # the tree of that period (or the clerk said no)
            current = window.current_period()
            if current is None or current.code != share.period_code:
                return
        window.select_unit(share.unit_code)
        if window.selected_unit_code() != share.unit_code:
            return  # the clerk kept unsaved changes where they were
        if share.form_id:
            window.form_area.select_form(share.form_id)
        tabs = window.centralWidget()
        if isinstance(tabs, QTabWidget):
            tabs.setCurrentIndex(FORMS_TAB)
        page = window.form_area.page
        search = getattr(page, "search", None)
        if share.search and search is not None:
            search.setText(share.search)


def install_home_page(window: MainWindow) -> HomeTab:
    """Put the home tab before the form area, make it the first thing shown, and keep it current."""
    home = HomeTab(window)
    window.takeCentralWidget()  # the form area, kept by the window: it becomes the second tab
    tabs = QTabWidget()
    tabs.setObjectName("mainTabs")
    tabs.addTab(home, "Tổng quan")
    tabs.addTab(window.form_area, "Biểu mẫu")
    window.setCentralWidget(tabs)
    window.tree.selectionModel().currentChanged.connect(home.schedule)
    window.period_box.currentIndexChanged.connect(home.schedule)
    # A form picked (in its list, or by a click-through) is shown; the window still opens on home.
    window.form_area.form_chosen.connect(lambda: tabs.setCurrentIndex(FORMS_TAB))
    window.ready.connect(lambda: tabs.setCurrentIndex(HOME_TAB))
    window.ready.connect(lambda: home.refresh(force=True))
    tabs.currentChanged.connect(lambda index: home.schedule() if index == HOME_TAB else None)
    return home
