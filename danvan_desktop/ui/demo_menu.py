"""«Tệp → Dữ liệu minh họa»: open the district or the province demo, building it first if needed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu

from danvan_desktop import paths
from danvan_desktop.ui.error_dialog import report_exception
from danvan_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from danvan_desktop.ui.main_window import MainWindow


class _Progress(QObject):
    """Lines from the builder's thread, shown in the status bar by the window's thread."""

    line = Signal(str)


class DemoMenu(QObject):
    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.building = False
        self.progress = _Progress(self)
        self.progress.line.connect(lambda text: window.statusBar().showMessage(text))
        submenu = menu.addMenu("Dữ liệu &minh họa")
        submenu.setObjectName("demoMenu")
        self.district_action = submenu.addAction(
            "Mở dữ liệu mẫu cấp &huyện (Định Hóa, 2023)", self.open_district
        )
        self.province_action = submenu.addAction(
            "Mở dữ liệu mẫu cấp &tỉnh (Thái Nguyên, 2026)", self.open_province
        )

    def open_district(self) -> None:
        self._open(paths.user_paths().demo_database, province=False)

    def open_province(self) -> None:
        self._open(paths.user_paths().province_demo_database, province=True)

    def _open(self, path: Path, *, province: bool) -> None:
        if path.is_file():
            self.window.database_switcher.open_database(path)
            return
        if self.building:
            return
        self.building = True
        what = "cấp tỉnh (mọi xã, phường gửi gói; vài phút)" if province else "huyện Định Hóa"
        self.window.statusBar().showMessage(f"Đang tạo dữ liệu minh họa {what}…")
        run_in_background(
            lambda: _build(path, province, self.progress.line.emit),
            lambda _result: self._built(path),
            self._failed,
        )

    def _built(self, path: Path) -> None:
        self.building = False
        self.window.statusBar().clearMessage()
        self.window.database_switcher.open_database(path)

    def _failed(self, error: BaseException) -> None:
        self.building = False
        self.window.statusBar().clearMessage()
        report_exception(self.window, error, self.window.log_file)


def _build(path: Path, province: bool, say: Callable[[str], None]) -> None:
    if province:
        from danvan_desktop.demo.province import build_province_demo

        demo = build_province_demo(
            path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir(), progress=say
        )
        demo.db.close()
    else:
        from danvan_desktop.demo.build import build_demo

        build_demo(path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir()).close()


def install_demo_menu(window: MainWindow, menu: QMenu) -> DemoMenu:
    return DemoMenu(window, menu)
