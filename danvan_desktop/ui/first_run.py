"""First start: choose the office this installation serves and create its database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.catalog.unit_index import load_unit_index
from danvan_desktop.services.office.installation import default_role, initialize_database
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.unit_models import UNIT_CODE_ROLE, UNIT_KIND_ROLE
from danvan_desktop.ui.unit_pick_model import UnitPickModel
from danvan_desktop.ui.worker import run_in_background

ALL_PROVINCES = "Cả nước (34 tỉnh, thành phố)"


class FirstRunDialog(QDialog):
    """Pick an org unit of Vietnam (type-ahead without accents, a province list) and a role.

    Units valid today come first and alone; former units (before the reform of 1/7/2025) appear only
    when asked for, each saying until when it was valid.
    """

    def __init__(
        self,
        database_path: Path,
        catalog_dir: Path,
        log_file: Path | None,
        parent: QWidget | None = None,
        *,
        intro: str | None = None,  # another office's database (File menu), not the first start
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Khai báo đơn vị sử dụng — Dân Vận Desktop")
        self.setMinimumSize(620, 560)
        self.database_path = database_path
        self._catalog_dir = catalog_dir
        self._log_file = log_file

        # The index written with the catalog, not the 34 province files: the dialog opens at once.
        self._proxy = UnitPickModel(load_unit_index(catalog_dir), today or dt.date.today())

        intro_label = QLabel(
            intro
            or "Đây là lần đầu Dân Vận Desktop chạy trên máy này. Hãy chọn cơ quan, đơn vị mà máy này "
            "phục vụ và vai trò của đơn vị. Có thể gõ tên không dấu, ví dụ «dinh hoa», hoặc chọn tỉnh."
        )
        intro_label.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setObjectName("unitSearch")
        self.search.setPlaceholderText("Tìm đơn vị: gõ tên, có thể không dấu…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self.search.installEventFilter(self)
        self.province = QComboBox()
        self.province.setObjectName("provinceFilter")
        self.province.addItem(ALL_PROVINCES, "")
        for name in self._proxy.provinces():
            self.province.addItem(name, name)
        self.province.currentIndexChanged.connect(self._on_province)
        self.show_former = QCheckBox("Hiện cả đơn vị cũ (trước 1/7/2025)")
        self.show_former.setObjectName("showFormerUnits")
        self.show_former.setToolTip(
            "Các huyện, xã đã giải thể hoặc sáp nhập; chỉ chọn khi cần nhập số liệu lịch sử của đơn vị cũ."
        )
        self.show_former.toggled.connect(self._on_former)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Tỉnh, thành phố:"))
        filters.addWidget(self.province, 1)
        filters.addWidget(self.show_former)
        self.units = QListView()
        self.units.setObjectName("unitList")
        self.units.setModel(self._proxy)
        self.units.selectionModel().currentChanged.connect(self._on_unit_changed)
        self.units.doubleClicked.connect(lambda _index: self._create())

        role_box = QGroupBox("Vai trò của đơn vị")
        self.reporting = QRadioButton(
            "Đơn vị báo cáo: nhập số liệu của xã, in báo cáo, gửi gói dữ liệu lên trên"
        )
        self.aggregating = QRadioButton(
            "Đơn vị tổng hợp: nhận gói của các đơn vị, in báo cáo tổng hợp, gửi lên trên"
        )
        self.reporting.setChecked(True)
        self._roles = QButtonGroup(self)
        self._roles.addButton(self.reporting)
        self._roles.addButton(self.aggregating)
        role_layout = QVBoxLayout(role_box)
        role_layout.addWidget(self.reporting)
        role_layout.addWidget(self.aggregating)

        where = QLabel(f"Cơ sở dữ liệu sẽ được tạo tại:\n{database_path}")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy indicator: creation is one indivisible step
        self.progress.setFormat("Đang tạo cơ sở dữ liệu…")
        self.progress.hide()

        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton(
            "Tạo cơ sở dữ liệu", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setEnabled(False)
        self.buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        from danvan_desktop.ui.server_dialog import add_server_button  # issue 16: an office's server

        add_server_button(self, self.buttons, where)
        self.buttons.accepted.connect(self._create)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.units, 1)
        layout.addWidget(role_box)
        layout.addWidget(where)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.search.setFocus()

    def selected_code(self) -> str | None:
        index = self.units.currentIndex()
        return str(index.data(UNIT_CODE_ROLE)) if index.isValid() else None

    def selected_role(self) -> str:
        return "aggregating" if self.aggregating.isChecked() else "reporting"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Keyboard-first: arrows in the search box move through the list, Enter creates.
        if watched is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._step(1 if event.key() == Qt.Key.Key_Down else -1)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._create()
                return True
        return super().eventFilter(watched, event)

    def _step(self, delta: int) -> None:
        rows = self._proxy.rowCount()
        if rows == 0:
            return
        current = self.units.currentIndex().row()
        row = min(max(current + delta, 0), rows - 1) if current >= 0 else 0
        self.units.selectionModel().setCurrentIndex(
            self._proxy.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def _on_search(self, text: str) -> None:
        self._proxy.set_filter(query=text)
        self._select_first()

    def _on_province(self, _index: int) -> None:
        self._proxy.set_filter(province=str(self.province.currentData() or ""))
        self._select_first()

    def _on_former(self, checked: bool) -> None:
        self._proxy.set_filter(former=checked)
        self._select_first()

    def _select_first(self) -> None:
        if self._proxy.rowCount() > 0:
            self.units.selectionModel().setCurrentIndex(
                self._proxy.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        else:
            self.units.selectionModel().clearCurrentIndex()
            self.create_button.setEnabled(False)

    def _on_unit_changed(self) -> None:
        index = self.units.currentIndex()
        self.create_button.setEnabled(index.isValid())
        if index.isValid():
            role = default_role(str(index.data(UNIT_KIND_ROLE)))
            (self.aggregating if role == "aggregating" else self.reporting).setChecked(True)

    def _create(self) -> None:
        code = self.selected_code()
        if code is None or not self.create_button.isEnabled():
            return
        role = self.selected_role()
        self._set_busy(True)

        def work() -> Path:
            db = initialize_database(self.database_path, code, role, catalog_dir=self._catalog_dir)
            db.close()  # reopened in the UI thread, which owns it from then on
            return self.database_path

        run_in_background(work, lambda _path: self.accept(), self._on_failed)

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        report_exception(self, error, self._log_file)

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        widgets = (self.search, self.province, self.show_former, self.units, self.create_button)
        for widget in (*widgets, self.reporting, self.aggregating):
            widget.setEnabled(not busy)
