"""The audit trail screen: who did what, when, where, old → new; filters; export to Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import AuditEntry, OrgUnit
from danvan_desktop.localtime import local_time_text
from danvan_desktop.services.office.accounts import list_accounts
from danvan_desktop.services.office.audit import (
    ACTION_LABELS,
    AuditFilter,
    AuditRow,
    export_audit_xlsx,
    read_audit,
)
from danvan_desktop.services.office.orgunits import unit_label
from danvan_desktop.ui.layout_helpers import resize_within_screen

COLUMNS = [
    "Thời điểm",
    "Người thực hiện",
    "Việc",
    "Đơn vị",
    "Kỳ",
    "Biểu mẫu",
    "Giá trị cũ",
    "Giá trị mới",
    "Ghi chú",
]
SHOWN_LIMIT = 5000  # the screen shows the newest; the Excel export has them all


def _utc_start(day: QDate) -> dt.datetime:
    """The computer's midnight of `day`, as the naive UTC the trail stores."""
    local = dt.datetime(day.year(), day.month(), day.day()).astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)


class AuditDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.rows: list[AuditRow] = []
        self.setWindowTitle("Nhật ký thao tác")
        self.person = QComboBox()
        self.person.setObjectName("auditPerson")
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.unit = QComboBox()
        self.unit.setObjectName("auditUnit")
        self.since = QDateEdit(QDate.currentDate().addMonths(-1))
        self.since.setObjectName("auditSince")
        self.until = QDateEdit(QDate.currentDate())
        self.until.setObjectName("auditUntil")
        for date_edit in (self.since, self.until):
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat("dd/MM/yyyy")
        self.person.addItem("Mọi người", None)
        self.action.addItem("Mọi việc", None)
        self.unit.addItem("Mọi đơn vị", None)
        with db.session() as session:
            for account in list_accounts(session):
                self.person.addItem(f"{account.full_name} ({account.login})", account.login)
            used = select(AuditEntry.org_unit_id).where(AuditEntry.org_unit_id.is_not(None)).distinct()
            for unit in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(used)).order_by(OrgUnit.name)):
                self.unit.addItem(f"{unit_label(unit)} ({unit.code})", unit.code)
        for code, label in ACTION_LABELS.items():
            self.action.addItem(label, code)
        for box in (self.person, self.action, self.unit):
            box.currentIndexChanged.connect(self.reload)
        for date_edit in (self.since, self.until):
            date_edit.dateChanged.connect(self.reload)

        filters = QHBoxLayout()
        parts: list[tuple[str, QWidget]] = [
            ("&Người:", self.person),
            ("&Việc:", self.action),
            ("Đơn &vị:", self.unit),
            ("&Từ ngày:", self.since),
            ("đế&n ngày:", self.until),
        ]
        for text, widget in parts:
            buddy = QLabel(text)
            buddy.setBuddy(widget)
            filters.addWidget(buddy)
            filters.addWidget(widget)
        filters.addStretch(1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.count = QLabel()
        self.count.setObjectName("auditCount")
        export = QPushButton("&Xuất Excel…")
        export.clicked.connect(self.choose_and_export)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(export)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        resize_within_screen(self, 1300, 640)
        self.reload()
        self.table.setFocus()

    def current_filter(self, limit: int | None = SHOWN_LIMIT) -> AuditFilter:
        return AuditFilter(
            user=self.person.currentData(),
            action=self.action.currentData(),
            unit_code=self.unit.currentData(),
            since=_utc_start(self.since.date()),
            until=_utc_start(self.until.date().addDays(1)),
            limit=limit,
        )

    def reload(self) -> None:
        with self.db.session() as session:
            self.rows = read_audit(session, self.current_filter())
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            when = local_time_text(row.at.replace(tzinfo=dt.UTC).astimezone())
            cells = (
                when,
                row.person,
                row.action_label,
                row.unit,
                row.period,
                row.form,
                row.old,
                row.new,
                row.detail,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 6:
                    item.setToolTip(text)  # long values: the whole text on hover
                self.table.setItem(index, column, item)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(6, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 260))
        header.setStretchLastSection(True)
        more = " (chỉ hiện những việc mới nhất; tệp Excel có đủ)" if len(self.rows) == SHOWN_LIMIT else ""
        self.count.setText(f"{len(self.rows)} việc{more}")

    def export_to(self, path: Path) -> int:
        with self.db.session() as session:
            rows = read_audit(session, self.current_filter(limit=None))
        export_audit_xlsx(rows, path)
        return len(rows)

    def choose_and_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Xuất nhật ký ra Excel", "nhat-ky.xlsx", "Excel (*.xlsx)")
        if not name:
            return
        path = Path(name if name.lower().endswith(".xlsx") else name + ".xlsx")
        count = self.export_to(path)
        self.count.setText(f"Đã xuất {count} việc ra {path}")
        self.count.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
