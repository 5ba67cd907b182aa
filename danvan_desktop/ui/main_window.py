"""The main window: the office's dated unit tree, the period selector, the form area, status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop import APP_TITLE, __version__
from danvan_desktop.db.engine import Database
from danvan_desktop.services.installation import InstallationInfo, load_installation
from danvan_desktop.services.orgunits import dated_subtree
from danvan_desktop.services.periods import PeriodInfo, list_periods
from danvan_desktop.services.settings import get_setting, set_setting
from danvan_desktop.ui.unit_models import (
    UNIT_CODE_ROLE,
    UNIT_ID_ROLE,
    FoldedFilterProxy,
    build_unit_tree_model,
)

PERIOD_SETTING = "ui.period"


class WelcomePage(QWidget):
    """Placeholder of the form area until the forms issue fills it: shows what is selected."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = QLabel()
        self.heading.setObjectName("selectionHeading")
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def show_selection(self, unit_label: str | None, period_label: str) -> None:
        self.heading.setText(f"{unit_label} — {period_label}" if unit_label else period_label)
        self.detail.setText(
            "Chọn một đơn vị ở cây bên trái và kỳ báo cáo trên thanh công cụ. "
            "Các biểu mẫu nhập liệu của đơn vị trong kỳ sẽ hiển thị tại đây."
        )


class MainWindow(QMainWindow):
    def __init__(self, db: Database, log_file: Path | None = None) -> None:
        super().__init__()
        self.db = db
        self.log_file = log_file
        with db.session() as session:
            self.installation: InstallationInfo = load_installation(session)
            self.periods: list[PeriodInfo] = list_periods(session)
            saved_period = get_setting(session, PERIOD_SETTING)
        self.setWindowTitle(f"{APP_TITLE} — {self.installation.office_label}")
        self.resize(1100, 720)

        self.period_box = QComboBox()
        self.period_box.setObjectName("periodSelector")
        self.period_box.setMinimumContentsLength(28)
        for period in self.periods:
            self.period_box.addItem(period.label, period.code)
        toolbar = QToolBar("Kỳ báo cáo")
        toolbar.setObjectName("periodToolbar")
        toolbar.setMovable(False)
        period_label = QLabel("  Kỳ báo cáo: ")
        period_label.setBuddy(self.period_box)
        toolbar.addWidget(period_label)
        toolbar.addWidget(self.period_box)
        self.addToolBar(toolbar)

        self.unit_filter = QLineEdit()
        self.unit_filter.setObjectName("unitFilter")
        self.unit_filter.setPlaceholderText("Lọc đơn vị (không cần dấu)…")
        self.unit_filter.setClearButtonEnabled(True)
        self.tree = QTreeView()
        self.tree.setObjectName("unitTree")
        self.tree.setHeaderHidden(True)
        self.tree_proxy = FoldedFilterProxy()
        self.tree.setModel(self.tree_proxy)
        self.unit_filter.textChanged.connect(self._on_filter)
        tree_panel = QWidget()
        tree_layout = QVBoxLayout(tree_panel)
        tree_layout.setContentsMargins(4, 4, 4, 4)
        tree_layout.addWidget(self.unit_filter)
        tree_layout.addWidget(self.tree)
        dock = QDockWidget("Đơn vị", self)
        dock.setObjectName("unitDock")
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setWidget(tree_panel)
        dock.setMinimumWidth(300)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

        self.form_area = QStackedWidget()
        self.form_area.setObjectName("formArea")
        self.welcome = WelcomePage()
        self.form_area.addWidget(self.welcome)
        self.setCentralWidget(self.form_area)

        self.db_status = QLabel(f"CSDL: {db.path}")
        self.db_status.setObjectName("databaseStatus")
        self.office_status = QLabel(
            f"Đơn vị: {self.installation.office_label} ({self.installation.role_label})"
        )
        self.office_status.setObjectName("officeStatus")
        self.statusBar().addWidget(self.db_status, 1)
        self.statusBar().addPermanentWidget(self.office_status)

        self._build_menus()
        self._select_initial_period(saved_period)
        self.period_box.currentIndexChanged.connect(self._on_period_changed)
        self._reload_tree()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&Tệp")
        quit_action = QAction("&Thoát", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("Trợ &giúp")
        logs_action = QAction("Mở thư mục &nhật ký", self)
        logs_action.triggered.connect(self._open_log_folder)
        help_menu.addAction(logs_action)
        about_action = QAction("&Giới thiệu", self)
        about_action.triggered.connect(self._about)
        help_menu.addAction(about_action)

    def _select_initial_period(self, saved: str | None) -> None:
        codes = [p.code for p in self.periods]
        wanted = saved if saved in codes else str(dt.date.today().year)
        if wanted in codes:
            self.period_box.setCurrentIndex(codes.index(wanted))

    def current_period(self) -> PeriodInfo | None:
        index = self.period_box.currentIndex()
        return self.periods[index] if 0 <= index < len(self.periods) else None

    def selected_unit_code(self) -> str | None:
        index = self.tree.currentIndex()
        return str(index.data(UNIT_CODE_ROLE)) if index.isValid() and index.data(UNIT_ID_ROLE) else None

    def _on_period_changed(self) -> None:
        period = self.current_period()
        if period is None:
            return
        with self.db.transaction() as session:
            set_setting(session, PERIOD_SETTING, period.code)
        self._reload_tree()

    def _reload_tree(self) -> None:
        period = self.current_period()
        if period is None:
            return
        with self.db.session() as session:
            root = dated_subtree(session, self.installation.office_unit_id, period.start, period.end)
        message = f"{self.installation.office_label} không có hiệu lực trong kỳ «{period.label}»."
        previous = self.selected_unit_code()
        self.tree_model = build_unit_tree_model(root, message)
        self.tree_proxy.setSourceModel(self.tree_model)
        self.tree.selectionModel().currentChanged.connect(self._on_unit_changed)
        self.tree.expandToDepth(0)
        self._restore_selection(previous)
        self._on_unit_changed()

    def _restore_selection(self, code: str | None) -> None:
        start = self.tree_proxy.index(0, 0)
        target = start
        if code:
            hits = self.tree_proxy.match(start, UNIT_CODE_ROLE, code, 1, Qt.MatchFlag.MatchRecursive)
            if hits:
                target = hits[0]
        if target.isValid():
            self.tree.setCurrentIndex(target)

    def _on_unit_changed(self, *_args: QModelIndex) -> None:
        index = self.tree.currentIndex()
        period = self.current_period()
        label = str(index.data()) if index.isValid() and index.data(UNIT_ID_ROLE) else None
        self.welcome.show_selection(label, period.label if period else "")

    def _on_filter(self, text: str) -> None:
        self.tree_proxy.set_query(text)
        self.tree.expandAll() if text else self.tree.expandToDepth(0)

    def _open_log_folder(self) -> None:
        if self.log_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_file.parent)))

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"Giới thiệu {APP_TITLE}",
            f"<b>{APP_TITLE}</b> phiên bản {__version__}<br>"
            "Nhập liệu, trao đổi gói dữ liệu và in báo cáo công tác dân vận.<br><br>"
            f"Cơ sở dữ liệu: {self.db.path}<br>Nhật ký: {self.log_file or 'không ghi được'}",
        )
