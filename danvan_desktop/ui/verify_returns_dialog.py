"""«Kiểm tra báo cáo đã ký số»: returns received in packages or opened from a file, and paper codes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.errors import UserError
from danvan_desktop.localtime import local_time_text
from danvan_desktop.ui.layout_helpers import resize_within_screen
from danvan_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from danvan_desktop.db.engine import Database

COLUMNS = ["Nhận lúc", "Đơn vị", "Kỳ", "Số", "Người ký", "Kết quả khi nhận"]


class VerifyReturnsDialog(QDialog):
    """The office above's screen: the signed returns received, a file to check, a paper code to match."""

    def __init__(self, db: Database, parent: QWidget | None = None, profiles_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.profiles_dir = profiles_dir
        self.setWindowTitle("Kiểm tra báo cáo đã ký số")
        resize_within_screen(self, 1100, 680)
        self.row_ids: list[int] = []

        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("verifyCode")
        self.code_edit.setPlaceholderText("ABCD-EFGH-IJKL-M (in ở cuối bản giấy)")
        code_label = QLabel("&Mã xác minh bản giấy:")
        code_label.setBuddy(self.code_edit)
        self.code_button = QPushButton("Đối &chiếu mã")
        self.code_button.setObjectName("verifyCodeButton")
        self.code_button.setAutoDefault(False)
        self.code_edit.returnPressed.connect(self.check_code)
        self.code_button.clicked.connect(self.check_code)
        code_row = QHBoxLayout()
        code_row.addWidget(code_label)
        code_row.addWidget(self.code_edit, 1)
        code_row.addWidget(self.code_button)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("receivedReturns")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._on_selected)
        list_label = QLabel("Báo cáo đã &nhận kèm gói dữ liệu:")
        list_label.setBuddy(self.table)

        self.details = QPlainTextEdit()
        self.details.setObjectName("verifyDetails")
        self.details.setReadOnly(True)
        details_label = QLabel("&Kết quả kiểm tra:")
        details_label.setBuddy(self.details)

        self.open_button = QPushButton("&Mở tệp PDF…")
        self.open_button.setObjectName("verifyOpenFile")
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(lambda: self.check_file())
        self.save_button = QPushButton("&Lưu tệp PDF đã nhận…")
        self.save_button.setObjectName("verifySaveReceived")
        self.save_button.setAutoDefault(False)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(lambda: self.save_selected())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đó&ng")
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addLayout(code_row)
        layout.addWidget(list_label)
        layout.addWidget(self.table, 3)
        layout.addWidget(details_label)
        layout.addWidget(self.details, 2)
        layout.addWidget(buttons)
        self.load_rows()
        self.code_edit.setFocus()

    def load_rows(self) -> None:
        from sqlalchemy import select

        from danvan_desktop.db.models import ReceivedReturn

        with self.db.session() as session:
            rows = session.execute(
                select(
                    ReceivedReturn.id,
                    ReceivedReturn.received_at,
                    ReceivedReturn.unit_code,
                    ReceivedReturn.period_code,
                    ReceivedReturn.number,
                    ReceivedReturn.series,
                    ReceivedReturn.signer,
                    ReceivedReturn.flagged,
                    ReceivedReturn.problems,
                ).order_by(ReceivedReturn.received_at.desc(), ReceivedReturn.id.desc())
            ).all()
        self.row_ids = [r.id for r in rows]
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            state = "Cần xem lại: " + "; ".join(r.problems) if r.flagged else "Hợp lệ, số liệu khớp"
            cells = [
                local_time_text(r.received_at),
                r.unit_code,
                r.period_code,
                f"{r.number}/{r.series.split(':', 1)[0]}",
                r.signer,
                state,
            ]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == len(cells) - 1:
                    item.setForeground(QColor("#b00020" if r.flagged else "#1b5e20"))
                    item.setToolTip(state)
                self.table.setItem(i, j, item)

    def _show(self, lines: list[str]) -> None:
        self.details.setPlainText("\n".join(lines))

    def _selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.row_ids[rows[0].row()] if rows else None

    def _on_selected(self) -> None:
        row_id = self._selected_id()
        self.save_button.setEnabled(row_id is not None)
        if row_id is not None:
            self._inspect(lambda: self._received_pdf(row_id))

    def _received_pdf(self, row_id: int) -> bytes:
        from danvan_desktop.db.models import ReceivedReturn

        with self.db.session() as session:
            return bytes(session.get_one(ReceivedReturn, row_id).pdf)

    def _inspect(self, load: Any) -> None:
        """Check a PDF in the background (pyHanko validation and laying the return out take a moment)."""
        from danvan_desktop.services.exchange.package_returns import TRUST_DIR_SETTING
        from danvan_desktop.services.office.settings import get_setting
        from danvan_desktop.services.reporting.return_check import findings_lines, inspect_return

        db, profiles = self.db, self.profiles_dir
        self._show(["Đang kiểm tra…"])

        def work() -> list[str]:
            pdf = load()
            with db.session() as session:
                folder = get_setting(session, TRUST_DIR_SETTING) or "trusted-roots trong thư mục dữ liệu"
                return findings_lines(inspect_return(session, pdf, profiles), folder)

        run_in_background(work, self._show, self._failed)

    def _failed(self, exc: BaseException) -> None:
        message = exc.message if isinstance(exc, UserError) else f"Lỗi khi kiểm tra: {exc!r}"
        self._show([message])

    def check_file(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Chọn báo cáo PDF đã ký số", "", "Tệp PDF (*.pdf)")
            if not name:
                return
            path = Path(name)
        self.table.clearSelection()
        target = path

        def load() -> bytes:
            try:
                return target.read_bytes()
            except OSError as exc:
                raise UserError(f"Không đọc được tệp «{target}»: {exc.strerror}.") from exc

        self._inspect(load)

    def check_code(self) -> None:
        from danvan_desktop.services.reporting.return_check import check_code, match_lines

        typed = self.code_edit.text()
        db, profiles = self.db, self.profiles_dir
        self._show(["Đang đối chiếu mã…"])

        def work() -> list[str]:
            with db.session() as session:
                matches = check_code(session, typed, profiles)
            if not matches:
                return [
                    f"KHÔNG TÌM THẤY: chưa nhận báo cáo nào mang mã {typed.strip()} (chỉ đối chiếu được với "
                    "báo cáo đã ký số nhận kèm gói dữ liệu)."
                ]
            lines = [line for m in matches for line in match_lines(m)]
            verdict = (
                "KHỚP: bản giấy mang mã này là của báo cáo trên; số liệu đã nhận đúng như khi đơn vị ký."
                if all(m.ok for m in matches)
                else "KHÔNG KHỚP: số liệu đã nhận khác với số liệu của báo cáo mang mã này."
            )
            return [*lines, verdict]

        run_in_background(work, self._show, self._failed)

    def save_selected(self, out: Path | None = None) -> None:
        row_id = self._selected_id()
        if row_id is None:
            return
        if out is None:
            name, _ = QFileDialog.getSaveFileName(self, "Lưu báo cáo đã nhận", "", "Tệp PDF (*.pdf)")
            if not name:
                return
            out = Path(name)
        from danvan_desktop.reports.render import write_atomically

        try:
            write_atomically(out, self._received_pdf(row_id))
        except UserError as exc:
            self._show([exc.message])


def install_verify_menu(window: QMainWindow, menu: QMenu) -> None:
    """«Kiểm tra báo cáo đã ký số…» (Ctrl+Shift+K) and «Cài đặt ký số…» in the Reports menu."""
    w: Any = window

    def open_verify() -> None:
        if w.db is None:
            return
        from danvan_desktop.paths import user_paths

        VerifyReturnsDialog(w.db, window, user_paths().profiles_dir).exec()

    action = QAction("&Kiểm tra báo cáo đã ký số, mã xác minh bản giấy…", window)
    action.setObjectName("openVerifyReturns")
    action.setShortcut("Ctrl+Shift+K")
    action.triggered.connect(open_verify)
    menu.addAction(action)

    def open_settings() -> None:
        from danvan_desktop.ui.sign_settings_dialog import SignSettingsDialog

        if w.db is not None:
            SignSettingsDialog(w.db, window).exec()

    settings = QAction("Cài đặt &ký số (ảnh chữ ký, con dấu, token, chứng thư gốc)…", window)
    settings.setObjectName("openSignSettings")
    settings.triggered.connect(open_settings)
    menu.addAction(settings)
