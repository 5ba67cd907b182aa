"""The main window: the office's dated unit tree, the period selector, the form area, status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDockWidget,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop import APP_TITLE, __version__, paths
from danvan_desktop.ui.demo_menu import install_demo_menu
from danvan_desktop.ui.entry_target import EntryTarget
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.file_menu import install_file_menu
from danvan_desktop.ui.form_area import FormArea
from danvan_desktop.ui.home_page import install_home_page
from danvan_desktop.ui.period_picker import empty_tree_note, fill_period_box
from danvan_desktop.ui.record_search import install_record_search
from danvan_desktop.ui.unit_models import (
    UNIT_CODE_ROLE,
    UNIT_ID_ROLE,
    FoldedFilterProxy,
    build_unit_tree_model,
)
from danvan_desktop.ui.window_state import restore_choices, restore_layout, save_layout

if TYPE_CHECKING:
    # Kept out of the start-up path: the window is shown before SQLAlchemy is even imported.
    from danvan_desktop.catalog.tree import UnitNode
    from danvan_desktop.db.engine import Database
    from danvan_desktop.services.office.installation import InstallationInfo
    from danvan_desktop.services.office.office_view import OfficeSnapshot, OfficeSpan
    from danvan_desktop.services.office.periods import PeriodInfo


class MainWindow(QMainWindow):
    """Shown at once; `attach` fills it when the database has been opened in the background."""

    ready = Signal()

    def __init__(self, log_file: Path | None = None) -> None:
        super().__init__()
        self.db: Database | None = None
        self.installation: InstallationInfo | None = None
        self.periods: list[PeriodInfo] = []
        self.office: OfficeSpan | None = None
        self.log_file = log_file
        self.setWindowTitle(APP_TITLE)

        self.period_box = QComboBox()
        self.period_box.setObjectName("periodSelector")
        self.period_box.setMinimumContentsLength(28)
        self.period_box.setEnabled(False)
        toolbar = QToolBar("Kỳ báo cáo")
        toolbar.setObjectName("periodToolbar")
        toolbar.setMovable(False)
        period_label = QLabel("  Kỳ báo &cáo: ")  # Alt+K opens the menu of that name
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
        # The window owns the source model; the proxy alone would not keep it alive.
        self.tree_model = build_unit_tree_model(None, "Đang mở cơ sở dữ liệu…")
        self.tree_proxy.setSourceModel(self.tree_model)
        self.tree.setModel(self.tree_proxy)
        self.tree.selectionModel().currentChanged.connect(self._on_unit_changed)
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

        self.form_area = FormArea()
        self.form_area.setObjectName("formArea")
        self.setCentralWidget(self.form_area)
        self._nodes: dict[int, UnitNode] = {}
        self._attached = False
        self._current_unit_id: int | None = None

        self.db_status = QLabel("Đang mở cơ sở dữ liệu…")
        self.db_status.setObjectName("databaseStatus")
        self.office_status = QLabel()
        self.office_status.setObjectName("officeStatus")
        self.statusBar().addWidget(self.db_status, 1)
        self.statusBar().addPermanentWidget(self.office_status)
        self._build_menus()
        self.home_page = install_home_page(self)  # the tab the window opens on: the unit's figures
        restore_layout(self)  # last run's size and layout, or maximized on a small screen

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&Tệp")
        self.database_switcher = install_file_menu(self, file_menu)
        install_demo_menu(self, file_menu)
        self.record_search = install_record_search(self, file_menu)
        from danvan_desktop.ui.forms_dialog import install_forms_menu

        install_forms_menu(self, file_menu)  # form versions pushed from above, records to fix, targets
        quit_action = QAction("&Thoát", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        period_menu = self.menuBar().addMenu("&Kỳ báo cáo")
        self.lock_action = QAction("&Chốt số liệu của đơn vị trong kỳ (đã gửi)…", self)
        self.lock_action.triggered.connect(self.lock_current)
        period_menu.addAction(self.lock_action)
        self.reopen_action = QAction("&Mở lại kỳ báo cáo đã chốt…", self)
        self.reopen_action.triggered.connect(self.reopen_current)
        period_menu.addAction(self.reopen_action)
        self._build_package_menu()
        from danvan_desktop.ui.pivot_dialog import install_pivot_menu
        from danvan_desktop.ui.reports_dialog import install_reports_menu

        reports_menu = install_reports_menu(self)
        from danvan_desktop.ui.verify_returns_dialog import install_verify_menu

        install_verify_menu(self, reports_menu)  # signed returns received, paper codes
        install_pivot_menu(self, reports_menu)  # the cross-tab sits beside the returns
        self._build_backup_menu()
        from danvan_desktop.ui.account_menu import install_account_menu

        install_account_menu(self)  # sign-in after a switch or restore, role gates, users, audit trail
        from danvan_desktop.ui.units_dialog import install_units_menu

        install_units_menu(self)
        from danvan_desktop.ui.review_menu import install_review_menu

        install_review_menu(self)  # «Duyệt»: the units' returns above, the inbox and submitting below
        help_menu = self.menuBar().addMenu("T&rợ giúp")  # Alt+T is Tệp, Alt+G Gói dữ liệu
        logs_action = QAction("Mở thư mục &nhật ký", self)
        logs_action.triggered.connect(self._open_log_folder)
        help_menu.addAction(logs_action)
        about_action = QAction("&Giới thiệu", self)
        about_action.triggered.connect(self._about)
        help_menu.addAction(about_action)
        from danvan_desktop.ui.help_window import install_help

        install_help(self, help_menu)

    def _build_backup_menu(self) -> None:
        from danvan_desktop.ui.backups_dialog import install_backup_menu

        install_backup_menu(
            self,
            lambda: self.db.path if self.db is not None else None,
            paths.user_paths().backup_dir,
            before_restore=self._close_database,
            on_restored=self._reopen_database,
            may_leave=lambda: self.form_area.maybe_leave(),
        )

    def _close_database(self) -> None:
        """A restore replaces the file: no connection of ours may stay open on it, nor be reopened.

        A closed engine would quietly connect again for the next query, so the form area lets go
        of the database too (its page goes) until the restored file is attached.
        """
        if self.db is not None:
            self.db.close()
            self.db = None
        self.form_area.detach()

    def _reopen_database(self, path: Path) -> None:
        from danvan_desktop.db.engine import open_database
        from danvan_desktop.services.office.office_view import load_office_snapshot

        try:
            db = open_database(path, backup_dir=paths.user_paths().backup_dir)
            self.attach(db, load_office_snapshot(db, dt.date.today().year))
        except Exception as exc:  # a restore that left nothing openable is reported, not fatal
            report_exception(self, exc, self.log_file)

    def _build_package_menu(self) -> None:
        menu = self.menuBar().addMenu("&Gói dữ liệu")
        self.package_dialog: QDialog | None = None  # the last one opened; kept alive while shown
        for text, shortcut, slot in (
            ("&Xuất gói gửi cấp trên…", "Ctrl+E", self.export_package),
            ("&Nhập gói nhận được…", "Ctrl+I", self.import_packages),
            ("Xung đột &chờ xử lý…", "", self.show_conflicts),
            ("&Tình hình nhận số liệu…", "", self.show_completeness),
            ("&Sổ theo dõi gói…", "", self.show_ledger),
        ):
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            menu.addAction(action)

    def _open_package_dialog(self, dialog: QDialog) -> None:
        self.package_dialog = dialog
        dialog.open()

    def export_package(self) -> None:
        from danvan_desktop.ui.export_dialog import ExportDialog

        if self.db is None or self.installation is None or not self.form_area.maybe_leave():
            return  # unsaved values would not be in the package
        self._open_package_dialog(
            ExportDialog(self.db, self.installation, self.periods, self.current_period(), self, self.log_file)
        )

    def import_packages(self) -> None:
        from danvan_desktop.paths import user_paths
        from danvan_desktop.services.office.office_view import user_name
        from danvan_desktop.ui.import_wizard import ImportWizard

        if self.db is None or self.installation is None or not self.form_area.maybe_leave():
            return
        wizard = ImportWizard(
            self.db,
            site_id=self.installation.site_id,
            user=user_name(self.db),
            backup_dir=user_paths().backup_dir,
            parent=self,
            log_file=self.log_file,
        )
        wizard.changed.connect(self.refresh_after_import)
        self._open_package_dialog(wizard)

    def show_conflicts(self) -> None:
        from danvan_desktop.ui.conflicts_dialog import ConflictsDialog

        if self.db is None or self.installation is None or not self.form_area.maybe_leave():
            return
        dialog = ConflictsDialog(self.db, self.installation.site_id, self, self.log_file)
        dialog.resolved.connect(self.form_area.refresh)
        self._open_package_dialog(dialog)

    def show_completeness(self) -> None:
        from danvan_desktop.ui.completeness_view import CompletenessDialog, follow_cells

        if self.db is None or self.installation is None:
            return
        office, forms = self.installation.office_unit_id, self.form_area.forms
        dialog = CompletenessDialog(
            self.db, office, self.periods, forms, self.current_period(), self, self.log_file
        )
        self._open_package_dialog(follow_cells(dialog, self))

    def show_ledger(self) -> None:
        from danvan_desktop.ui.ledger_dialog import LedgerDialog

        if self.db is not None:
            self._open_package_dialog(LedgerDialog(self.db, self, self.log_file))

    def attach(self, db: Database, snapshot: OfficeSnapshot) -> None:
        """Show the office's data; called once the database is open."""
        self.db = db
        self.installation = snapshot.installation
        self.periods = snapshot.periods
        self.setWindowTitle(f"{APP_TITLE} — {snapshot.installation.office_label}")
        self.db_status.setText(f"CSDL: {db.label}")
        self.office_status.setText(
            f"Đơn vị: {snapshot.installation.office_label} ({snapshot.installation.role_label})"
        )
        self.office = snapshot.office
        current = snapshot.period.code if snapshot.period else None
        fill_period_box(self.period_box, self.periods, self.office, current)  # again after a restore
        self.period_box.setEnabled(True)
        self._period_index = self.period_box.currentIndex()
        if not self._attached:
            self.period_box.currentIndexChanged.connect(self._on_period_changed)
            self._attached = True
        self._current_unit_id = None
        self.form_area.set_forms(db, snapshot.forms)
        self._show_tree(snapshot.tree)
        restore_choices(self)  # the unit and form open when the window last closed
        self.tree.setFocus()
        self.ready.emit()

    def refresh_after_import(self) -> None:
        """Merged packages may bring periods this office had not used yet; show them, then the data."""
        from danvan_desktop.services.office.periods import list_periods

        if self.db is None:
            return
        current = self.current_period()
        with self.db.session() as session:
            periods = list_periods(session)
        if [p.code for p in periods] != [p.code for p in self.periods]:
            self.periods = periods
            fill_period_box(self.period_box, periods, self.office, current.code if current else None)
            self._period_index = self.period_box.currentIndex()
        self.form_area.refresh()

    def current_period(self) -> PeriodInfo | None:
        index = self.period_box.currentIndex()
        return self.periods[index] if 0 <= index < len(self.periods) else None

    def selected_unit_code(self) -> str | None:
        index = self.tree.currentIndex()
        return str(index.data(UNIT_CODE_ROLE)) if index.isValid() and index.data(UNIT_ID_ROLE) else None

    def _on_period_changed(self) -> None:
        from danvan_desktop.services.office.office_view import remember_period, unit_tree

        period = self.current_period()
        if period is None or self.db is None or self.installation is None:
            return
        if not self.form_area.maybe_leave():
            self.period_box.blockSignals(True)
            self.period_box.setCurrentIndex(self._period_index)
            self.period_box.blockSignals(False)
            return
        self._period_index = self.period_box.currentIndex()
        remember_period(self.db, period)
        self._show_tree(unit_tree(self.db, self.installation.office_unit_id, period))

    def _show_tree(self, root: UnitNode | None) -> None:
        period = self.current_period()
        office = self.installation.office_label if self.installation else ""
        message = empty_tree_note(self.office, office, period)
        previous = self.selected_unit_code()
        self._nodes = {node.id: node for node in root.walk()} if root else {}
        old_model, self.tree_model = self.tree_model, build_unit_tree_model(root, message)
        self.tree_proxy.setSourceModel(self.tree_model)
        old_model.deleteLater()
        self.tree.expandToDepth(0)
        self._restore_selection(previous)
        self._on_unit_changed()

    def select_unit(self, code: str) -> None:
        self._restore_selection(code)

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
        unit_id = index.data(UNIT_ID_ROLE) if index.isValid() else None
        if unit_id == self._current_unit_id:
            return
        if self._current_unit_id is not None and not self.form_area.maybe_leave():
            self._restore_selection(self._nodes[self._current_unit_id].code)
            return
        self._current_unit_id = unit_id
        self.form_area.set_target(self.current_target())
        self._update_period_actions()

    def current_target(self) -> EntryTarget | None:
        period = self.current_period()
        node = self._nodes.get(self._current_unit_id) if self._current_unit_id is not None else None
        if node is None or period is None or self.installation is None:
            return None
        listed = tuple(n.id for n in node.walk())
        return EntryTarget(
            node.id, node.display, node.kind, period.id, period.label, self.installation.site_id, listed
        )

    def _update_period_actions(self) -> None:
        from danvan_desktop.services.office.office_view import is_locked

        target = self.current_target()
        period = self.current_period()
        locked = bool(target and period and self.db and is_locked(self.db, target.unit_id, period))
        self.lock_action.setEnabled(target is not None and not locked)
        self.reopen_action.setEnabled(target is not None and locked)
        from danvan_desktop.ui.account_menu import apply_role_gates

        apply_role_gates(self)

    def lock_current(self) -> None:
        from danvan_desktop.services.office.office_view import lock_unit_period, user_name

        target, period = self.current_target(), self.current_period()
        if target is None or period is None or self.db is None or not self.form_area.maybe_leave():
            return
        note, ok = QInputDialog.getText(
            self,
            "Chốt số liệu",
            f"Chốt số liệu kỳ «{period.label}» của {target.unit_label}: sau khi chốt, số liệu chỉ xem, "
            "không sửa được cho đến khi mở lại.\nGhi chú (ví dụ: đã gửi huyện ngày…):",
        )
        if not ok:
            return
        self._run(lambda: lock_unit_period(self.db, target.unit_id, period, user_name(self.db), note))  # type: ignore[arg-type]

    def reopen_current(self) -> None:
        from danvan_desktop.services.office.office_view import reopen_unit_period, user_name

        target, period = self.current_target(), self.current_period()
        if target is None or period is None or self.db is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            "Mở lại kỳ báo cáo",
            f"Mở lại kỳ «{period.label}» của {target.unit_label} để sửa số liệu. "
            "Thao tác được ghi nhật ký.\nLý do mở lại (bắt buộc):",
        )
        if not ok:
            return
        self._run(lambda: reopen_unit_period(self.db, target.unit_id, period, user_name(self.db), reason))  # type: ignore[arg-type]

    def _run(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as exc:
            report_exception(self, exc, self.log_file)
            return
        self.form_area.refresh()
        self._update_period_actions()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.form_area.maybe_leave():
            event.ignore()
            return
        save_layout(self)
        super().closeEvent(event)

    def _on_filter(self, text: str) -> None:
        self.tree_proxy.set_query(text)
        if text:
            self.tree.expandAll()
        else:
            self.tree.expandToDepth(0)

    def _open_log_folder(self) -> None:
        if self.log_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_file.parent)))

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"Giới thiệu {APP_TITLE}",
            f"<b>{APP_TITLE}</b> phiên bản {__version__}<br>"
            "Nhập liệu, trao đổi gói dữ liệu và in báo cáo công tác dân vận.<br><br>"
            f"Cơ sở dữ liệu: {self.db.label if self.db else '—'}<br>"
            f"Nhật ký: {self.log_file or 'không ghi được'}",
        )
