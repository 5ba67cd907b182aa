"""The review screens: units × forms of a period at the office above, and one return with its comments."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Record
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.values import format_value
from danvan_desktop.services.office.accounts import may, needed_roles_text, signed_in_actor
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.office.installation import InstallationInfo
from danvan_desktop.services.office.orgunits import find_unit, unit_label
from danvan_desktop.services.office.periods import PeriodInfo, get_period
from danvan_desktop.services.review import returns
from danvan_desktop.services.review.listing import comment_rows
from danvan_desktop.services.review.returns import STATE_LABELS

COLOURS = {
    "dang_nhap": "#f2f2f2",
    "da_nop": "#fff4c2",
    "da_nhan": "#fff4c2",
    "da_duyet": "#d7f0d2",
    "tra_lai": "#f8d7d3",
    "none": "#ffffff",
}


def _header(title: str) -> str:
    return "\n".join(textwrap.wrap(title, 14, max_lines=4, placeholder=" …"))


def _gate(db: Database, button: QPushButton, action: str) -> None:
    """Disable a button the signed-in account may not use, with a tooltip naming the role."""
    actor = signed_in_actor(db)
    if actor is not None and not may(actor, action):
        button.setEnabled(False)
        button.setToolTip(needed_roles_text(action))


class ReviewDialog(QDialog):
    """At the aggregating office: each unit's returns of a period, their states, open one to review."""

    def __init__(
        self,
        db: Database,
        installation: InstallationInfo,
        periods: list[PeriodInfo],
        current: PeriodInfo | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewDialog")
        self.setWindowTitle("Duyệt báo cáo của đơn vị cấp dưới")
        self.db, self.installation, self.periods = db, installation, periods
        self.forms = form_registry()
        self.period_box = QComboBox()
        self.period_box.setObjectName("reviewPeriod")
        for period in periods:
            self.period_box.addItem(period.label, period.id)
        if current is not None and current in periods:
            self.period_box.setCurrentIndex(periods.index(current))
        period_label = QLabel("&Kỳ báo cáo:")
        period_label.setBuddy(self.period_box)
        self.summary = QLabel()
        self.summary.setObjectName("reviewSummary")
        top = QHBoxLayout()
        top.addWidget(period_label)
        top.addWidget(self.period_box)
        top.addSpacing(24)
        top.addWidget(self.summary, 1)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("reviewTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.cellDoubleClicked.connect(lambda row, column: self.open_selected())
        self.open_button = QPushButton("&Mở báo cáo…")
        self.open_button.setObjectName("openReturn")
        self.open_button.clicked.connect(self.open_selected)
        self.reply_button = QPushButton("Xuất &gói phản hồi…")
        self.reply_button.setObjectName("writeReplies")
        self.reply_button.clicked.connect(self.write_replies)
        _gate(db, self.reply_button, "reply.export")
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.reply_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.period_box.currentIndexChanged.connect(self.refresh)
        self.cells: dict[tuple[int, int], tuple[str, str]] = {}  # (row, column) -> (unit code, form id)
        self.resize(1300, 680)
        self.refresh()

    def period(self) -> PeriodInfo | None:
        index = self.period_box.currentIndex()
        return self.periods[index] if 0 <= index < len(self.periods) else None

    def refresh(self) -> None:
        from danvan_desktop.services.reporting.completeness import completeness

        period = self.period()
        self.table.clear()
        self.cells.clear()
        if period is None:
            return
        form_ids = list(self.forms)
        with self.db.session() as session:
            table = completeness(
                session, self.installation.office_unit_id, [period.id], form_ids, dt.date.today()
            )
        rows = [r for r in table.periods[0].rows if not r.is_office] if table.periods else []
        shown = [f for f in form_ids if any(r.cells[f] != "not_applicable" for r in rows)]
        self.table.setRowCount(len(rows))
        self.table.setColumnCount(len(shown))
        self.table.setHorizontalHeaderLabels([_header(self.forms[f].title) for f in shown])
        tally: dict[str, int] = {}
        for row_index, unit in enumerate(rows):
            self.table.setVerticalHeaderItem(row_index, QTableWidgetItem(unit.unit_label))
            for column, form_id in enumerate(shown):
                if unit.cells[form_id] == "not_applicable":
                    item = QTableWidgetItem("—")
                else:
                    state = unit.reviews.get(form_id, "none")
                    label = STATE_LABELS.get(state)
                    text = label or (
                        "Có số liệu, chưa nộp" if unit.cells[form_id] == "received" else "Chưa có"
                    )
                    item = QTableWidgetItem(text)
                    item.setBackground(QBrush(QColor(COLOURS[state])))
                    item.setForeground(QBrush(QColor("#202020")))
                    item.setToolTip(f"{unit.unit_label} — {self.forms[form_id].title}: {text}")
                    self.cells[row_index, column] = (unit.unit_code, form_id)
                    tally[text] = tally.get(text, 0) + 1
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row_index, column, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        waiting = tally.get(STATE_LABELS["da_nhan"], 0)
        self.summary.setText(
            f"{len(rows)} đơn vị · {waiting} báo cáo chờ duyệt · "
            + ", ".join(f"{k}: {v}" for k, v in sorted(tally.items()))
        )

    def open_selected(self) -> None:
        period = self.period()
        key = (self.table.currentRow(), self.table.currentColumn())
        if period is None or key not in self.cells:
            return
        unit_code, form_id = self.cells[key]
        ReturnDialog(self.db, unit_code, form_id, period.code, self).exec()
        self.refresh()

    def write_replies(self) -> None:
        from danvan_desktop.services.exchange.reply_export import write_replies

        folder = QFileDialog.getExistingDirectory(self, "Thư mục ghi gói phản hồi")
        if not folder:
            return
        try:
            results = write_replies(self.db, Path(folder))
        except UserError as exc:
            QMessageBox.warning(self, "Không xuất được gói phản hồi", exc.message)
            return
        text = "\n".join(f"• {r.unit_label}: {r.summary.path.name}" for r in results)
        QMessageBox.information(self, "Đã xuất gói phản hồi", text or "Không có gì để gửi đơn vị nào.")


class ReturnDialog(QDialog):
    """One unit's return at the office above: its records, the comments, approve or return it."""

    def __init__(
        self, db: Database, unit_code: str, form_id: str, period_code: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("returnDialog")
        self.db, self.unit_code, self.form_id, self.period_code = db, unit_code, form_id, period_code
        self.form = form_registry()[form_id]
        self.setWindowTitle(f"Báo cáo: {self.form.title}")
        self.heading = QLabel()
        self.heading.setObjectName("returnHeading")
        self.heading.setWordWrap(True)
        fields = self.form.fields()
        self.fields = fields
        self.records = QTableWidget(0, len(fields))
        self.records.setObjectName("returnRecords")
        self.records.setHorizontalHeaderLabels([_header(f.label) for f in fields])
        self.records.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.records.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.record_ids: list[str] = []
        self.comments = QListWidget()
        self.comments.setObjectName("returnComments")
        self.comments.setWordWrap(True)
        self.field_button = QPushButton("&Góp ý ô đang chọn…")
        self.field_button.setObjectName("commentField")
        self.field_button.clicked.connect(lambda: self.comment_field(None))
        self.whole_button = QPushButton("Góp ý cả &báo cáo…")
        self.whole_button.setObjectName("commentReturn")
        self.whole_button.clicked.connect(lambda: self.comment_whole(None))
        self.approve_button = QPushButton("&Duyệt")
        self.approve_button.setObjectName("approveReturn")
        self.approve_button.clicked.connect(self.approve)
        self.return_button = QPushButton("&Trả lại…")
        self.return_button.setObjectName("sendBackReturn")
        self.return_button.clicked.connect(lambda: self.send_back(None))
        self.grant_button = QPushButton("Cho &mở lại")
        self.grant_button.setObjectName("grantReopen")
        self.grant_button.clicked.connect(self.grant)
        for button, action in (
            (self.field_button, "return.comment"),
            (self.whole_button, "return.comment"),
            (self.approve_button, "return.review"),
            (self.return_button, "return.review"),
            (self.grant_button, "return.review"),
        ):
            _gate(db, button, action)
        self.gated = {
            b for b in (self.approve_button, self.return_button, self.grant_button) if not b.isEnabled()
        }
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.field_button, self.whole_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.grant_button, self.return_button, self.approve_button, close):
            buttons.addWidget(button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel("Ý kiến (✓: đơn vị đã sửa):"))
        lower_layout.addWidget(self.comments)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.records)
        split.addWidget(lower)
        split.setSizes([420, 180])
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(1300, 700)
        self.refresh()

    def refresh(self) -> None:
        with self.db.session() as session:
            unit, period = (
                find_unit(session, self.unit_code),
                get_period(session, self.period_code, create=False),
            )
            row = returns.find_return(session, unit.id, period.id, self.form_id)
            state = row.state if row is not None else returns.DANG_NHAP
            request = row.reopen_reason if row is not None and row.reopen_requested_at else None
            records = session.scalars(
                select(Record)
                .where(
                    Record.org_unit_id == unit.id,
                    Record.period_id == period.id,
                    Record.form_id == self.form_id,
                    Record.deleted.is_(False),
                )
                .order_by(Record.created_at)
            ).all()
            values = [(r.id, dict(r.values)) for r in records]
            notes = comment_rows(session, unit_id=unit.id, form_id=self.form_id, period=self.period_code)
            unit_name = unit_label(unit)
        self.state = state
        self.heading.setText(
            f"<b>{self.form.title}</b> — {unit_name} — kỳ {self.period_code}<br>"
            f"Trạng thái: <b>{STATE_LABELS[state]}</b>"
            + (f" · đơn vị xin mở lại: {request}" if request else "")
        )
        self.records.setRowCount(len(values))
        self.record_ids = [rid for rid, _ in values]
        for row_index, (_, data) in enumerate(values):
            for column, field in enumerate(self.fields):
                self.records.setItem(
                    row_index, column, QTableWidgetItem(format_value(field, data.get(field.id)))
                )
        labels = {f.id: f.label for f in self.fields}
        columns = {f.id: i for i, f in enumerate(self.fields)}
        for note in notes:  # the cells commented on stand out, orange while not yet fixed
            if note.record_id in self.record_ids and note.field_id in columns:
                item = self.records.item(self.record_ids.index(note.record_id), columns[note.field_id])
                if item is not None:
                    item.setBackground(QBrush(QColor("#d7f0d2" if note.resolved else "#ffd8a8")))
                    item.setToolTip(f"{note.author}: {note.text}")
        self.comments.clear()
        for note in notes:
            where = ""
            if note.record_id:
                position = (
                    self.record_ids.index(note.record_id) + 1 if note.record_id in self.record_ids else "?"
                )
                where = f" [dòng {position}" + (
                    f", «{labels.get(note.field_id, note.field_id)}»]" if note.field_id else "]"
                )
            mark = "✓" if note.resolved else "•"
            self.comments.addItem(QListWidgetItem(f"{mark} {note.author}{where}: {note.text}"))
        waiting = state in returns.WAITING
        for button, allowed in (
            (self.approve_button, waiting),
            (self.return_button, waiting),
            (self.grant_button, state == returns.DA_DUYET and request is not None),
        ):
            button.setEnabled(allowed and button not in self.gated)

    def _run(self, action: Any) -> bool:
        try:
            with self.db.transaction() as session:
                action(session)
        except UserError as exc:
            QMessageBox.warning(self, "Không thực hiện được", exc.message)
            return False
        self.refresh()
        return True

    def _ask(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getMultiLineText(self, title, label)
        return text if ok and text.strip() else None

    def comment_field(self, text: str | None) -> bool:
        """A comment on the selected cell's record and field (`text` given: no question asked)."""
        row, column = self.records.currentRow(), self.records.currentColumn()
        if not (0 <= row < len(self.record_ids)) or not (0 <= column < len(self.fields)):
            QMessageBox.information(self, "Chọn một ô", "Hãy chọn ô (bản ghi và trường) cần góp ý.")
            return False
        field = self.fields[column]
        text = (
            text
            if text is not None
            else self._ask("Góp ý một trường", f"Ý kiến về «{field.label}», dòng {row + 1}:")
        )
        if text is None:
            return False
        record_id = self.record_ids[row]
        return self._run(
            lambda s: returns.add_comment(
                s,
                self.unit_code,
                self.form_id,
                self.period_code,
                text,
                record_id=record_id,
                field_id=field.id,
            )
        )

    def comment_whole(self, text: str | None) -> bool:
        text = text if text is not None else self._ask("Góp ý cả báo cáo", "Ý kiến:")
        if text is None:
            return False
        return self._run(
            lambda s: returns.add_comment(s, self.unit_code, self.form_id, self.period_code, text)
        )

    def approve(self) -> bool:
        return self._run(
            lambda s: returns.decide_return(s, self.unit_code, self.form_id, self.period_code, approve=True)
        )

    def send_back(self, text: str | None) -> bool:
        text = (
            text
            if text is not None
            else (
                self._ask("Trả lại báo cáo", "Ý kiến khi trả lại (có thể để trống nếu đã góp ý từng ô):")
                or ""
            )
        )
        return self._run(
            lambda s: returns.decide_return(
                s, self.unit_code, self.form_id, self.period_code, approve=False, comment=text
            )
        )

    def grant(self) -> bool:
        return self._run(lambda s: returns.grant_reopen(s, self.unit_code, self.form_id, self.period_code))
