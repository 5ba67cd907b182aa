"""The manual in the app: a help window, the F1 key that opens the page of the screen in use."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import QAction, QColor, QKeyEvent, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop import APP_TITLE, paths
from danvan_desktop.ui.help_pages import INDEX, Manual, folded_positions
from danvan_desktop.ui.layout_helpers import resize_within_screen

# Each screen's page, by class name (the first match walking up from the focused widget wins), so
# that a screen declares its page here without its module importing the help window.
HELP_PAGES: dict[str, str] = {
    "MainWindow": "man-hinh-chinh",
    "FirstRunDialog": "lan-dau",
    "AggregatePage": "bieu-tong-hop",
    "RegisterPage": "so-theo-doi",
    "RecordDialog": "so-theo-doi",
    "HistoryDialog": "so-theo-doi",
    "ImportWizard": "nhap-goi",
    "ExportDialog": "xuat-goi",
    "ConflictsDialog": "xung-dot",
    "CompletenessDialog": "tinh-hinh-nhan",
    "LedgerDialog": "so-theo-doi-goi",
    "ReportsDialog": "bao-cao",
    "ReportSettingsDialog": "cai-dat-bao-cao",
    "BackupsDialog": "sao-luu",
}
# Widgets without a class of their own (message boxes), by object name.
HELP_OBJECTS: dict[str, str] = {
    "loadReportBox": "nap-excel",
    "userErrorBox": "xu-ly-loi",
    "unexpectedErrorBox": "xu-ly-loi",
}
HELP_PROPERTY = "helpPage"  # a dynamic property naming a page overrides both tables
CONTROLLER_NAME = "danvanHelpKey"
HIGHLIGHT = QColor("#ffe08a")


def set_help_page(widget: QWidget, page: str) -> None:
    """Declare the manual page of a widget built without a class of its own."""
    widget.setProperty(HELP_PROPERTY, page)


def help_page_for(widget: QWidget | None) -> str | None:
    """The page of the nearest screen around `widget`: its property, object name or class."""
    while widget is not None:
        declared = widget.property(HELP_PROPERTY)
        if declared:
            return str(declared)
        if widget.objectName() in HELP_OBJECTS:
            return HELP_OBJECTS[widget.objectName()]
        for cls in type(widget).__mro__:
            if cls.__name__ in HELP_PAGES:
                return HELP_PAGES[cls.__name__]
        widget = widget.parentWidget()
    return None


class HelpWindow(QWidget):
    """Contents and accent-free search on the left, the page on the right; links move between pages."""

    def __init__(self, manual: Manual, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.manual = manual
        self.setWindowTitle(f"Hướng dẫn sử dụng — {APP_TITLE}")
        self.setObjectName("helpWindow")
        resize_within_screen(self, 1080, 720)
        self.search = QLineEdit()
        self.search.setObjectName("helpSearch")
        self.search.setPlaceholderText("Tìm trong hướng dẫn (không cần dấu)…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self.found = QLabel()
        self.found.setObjectName("helpFound")
        self.found.setWordWrap(True)
        self.contents = QListWidget()
        self.contents.setObjectName("helpContents")
        self.contents.setWordWrap(True)
        self.contents.setSpacing(1)
        for page in manual.contents():
            item = QListWidgetItem(page.title)
            item.setData(Qt.ItemDataRole.UserRole, page.id)
            self.contents.addItem(item)
        self.contents.currentItemChanged.connect(self._on_contents)
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpBrowser")
        self.browser.setOpenExternalLinks(True)  # web links go to the browser, page links stay here
        self.browser.setSearchPaths([str(manual.folder)])
        font = self.browser.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)  # read for minutes, not glanced at
        self.browser.setFont(font)
        self.browser.document().setDocumentMargin(14)
        self.browser.sourceChanged.connect(self._on_source)
        back = QPushButton("← &Quay lại")
        back.setEnabled(False)
        back.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(back.setEnabled)
        home = QPushButton("&Mục lục")
        home.clicked.connect(lambda: self.show_page(INDEX))
        close = QPushButton("Đóng")
        close.clicked.connect(self.close)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.found)
        left_layout.addWidget(self.contents, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([290, 790])
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addWidget(home)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.found.hide()
        self.show_page(INDEX)

    def current_page(self) -> str:
        return Path(self.browser.source().path()).stem

    def show_page(self, page: str) -> None:
        """Show a page by id; an unknown id shows the contents page instead of an empty window."""
        page = page if page in self.manual.pages else INDEX
        url = QUrl.fromLocalFile(str(self.manual.folder / f"{page}.md"))
        self.browser.setSource(url, QTextDocument.ResourceType.MarkdownResource)

    def _on_source(self, url: QUrl) -> None:
        page = Path(url.path()).stem  # source() may still name the page being left
        self.contents.blockSignals(True)
        for row in range(self.contents.count()):
            item = self.contents.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == page:
                self.contents.setCurrentItem(item)
        self.contents.blockSignals(False)
        self._highlight()

    def _on_contents(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None and item.data(Qt.ItemDataRole.UserRole) != self.current_page():
            self.show_page(str(item.data(Qt.ItemDataRole.UserRole)))

    def _on_search(self, query: str) -> None:
        hits = {page.id for page in self.manual.search(query)}
        for row in range(self.contents.count()):
            item = self.contents.item(row)
            item.setHidden(item.data(Qt.ItemDataRole.UserRole) not in hits)
        self.found.setVisible(bool(query.strip()))
        self.found.setText(
            f"{len(hits)} trang có «{query.strip()}»" if hits else f"Không trang nào có «{query.strip()}»."
        )
        if query.strip() and hits and self.current_page() not in hits:
            first = next(p for p in self.manual.search(query))
            self.show_page(first.id)  # its source change highlights
        else:
            self._highlight()

    def _highlight(self) -> None:
        """Mark every accent-free match of the search in the page shown, and scroll to the first."""
        document = self.browser.document()
        marks: list[QTextEdit.ExtraSelection] = []
        look = QTextCharFormat()
        look.setBackground(HIGHLIGHT)
        for start, length in folded_positions(document.toPlainText(), self.search.text()):
            cursor = QTextCursor(document)
            cursor.setPosition(start)
            cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
            mark = QTextEdit.ExtraSelection()
            mark.cursor, mark.format = cursor, look
            marks.append(mark)
        self.browser.setExtraSelections(marks)
        if marks:
            self.browser.setTextCursor(QTextCursor(marks[0].cursor))
            self.browser.ensureCursorVisible()


class HelpKey(QObject):
    """Installed on the application: F1 anywhere opens the manual at the page of that screen."""

    def __init__(self, folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(CONTROLLER_NAME)
        self.folder = folder
        self.manual: Manual | None = None  # read at the first F1, not at start-up
        self.window: HelpWindow | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_F1
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            widget = watched if isinstance(watched, QWidget) else QApplication.focusWidget()
            self.show_for(widget)
            return True
        return super().eventFilter(watched, event)

    def show_for(self, widget: QWidget | None) -> HelpWindow:
        if isinstance(widget, HelpWindow) or (widget is not None and isinstance(widget.window(), HelpWindow)):
            return cast(HelpWindow, widget.window())  # F1 inside the manual: stay on the page read
        return self.show_page(help_page_for(widget) or INDEX)

    def show_page(self, page: str) -> HelpWindow:
        """Open (or raise) the help window at `page`.

        A modal dialog blocks every window but its own children, so while one is open the manual
        opens as its child: readable and scrollable beside the dialog, closed with it.
        """
        if self.manual is None:
            self.manual = Manual(self.folder or paths.manual_dir())
        modal = QApplication.activeModalWidget()
        if modal is not None and not isinstance(modal, HelpWindow):
            window = modal.findChild(HelpWindow, "", Qt.FindChildOption.FindDirectChildrenOnly)
            if window is None:
                window = HelpWindow(self.manual, modal)
        else:
            if self.window is None:
                self.window = HelpWindow(self.manual)
            window = self.window
        window.show_page(page)
        window.show()
        window.raise_()
        window.activateWindow()
        return window


def install_help_key(app: QApplication | None = None, folder: Path | None = None) -> HelpKey:
    """Make F1 open the manual in every window of the application (once; later calls return it)."""
    app = app or cast(QApplication, QApplication.instance())
    found = app.findChild(QObject, CONTROLLER_NAME)
    if isinstance(found, HelpKey):
        return found
    controller = HelpKey(folder, app)
    app.installEventFilter(controller)
    return controller


def install_help(window: QWidget, menu: QMenu) -> HelpKey:
    """Put the manual at the top of the window's «Trợ giúp» menu and make F1 work everywhere."""
    controller = install_help_key()
    contents = QAction("&Hướng dẫn sử dụng…", window)
    contents.setObjectName("openManual")
    contents.triggered.connect(lambda: controller.show_page(INDEX))
    # "\tF1" shows the key in the menu; the key itself is the application-wide filter's, not a shortcut.
    here = QAction("Hướng dẫn cho &màn hình đang xem\tF1", window)
    here.setObjectName("openScreenHelp")
    here.triggered.connect(lambda: controller.show_for(window.focusWidget() or window))
    first = menu.actions()[0] if menu.actions() else None
    menu.insertAction(first, contents)  # type: ignore[arg-type]
    menu.insertAction(first, here)  # type: ignore[arg-type]
    if first is not None:
        menu.insertSeparator(first)
    return controller
