"""The period selector of the main window: periods outside the office unit's validity marked, not hidden."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QComboBox

if TYPE_CHECKING:
    from danvan_desktop.services.office.office_view import OfficeSpan
    from danvan_desktop.services.office.periods import PeriodInfo

OUTSIDE_MARK = " (ngoài hiệu lực)"


def outside_note(office: OfficeSpan | None, period: PeriodInfo | None) -> str | None:
    """Why the office's unit has no data in the period ("Xã Phúc Chu chỉ có hiệu lực đến …"), or None."""
    if office is None or period is None:
        return None
    from danvan_desktop.services.office.validity import outside_validity

    return outside_validity(office.label, office, period.label, period.start, period.end)


def fill_period_box(
    box: QComboBox, periods: list[PeriodInfo], office: OfficeSpan | None, current: str | None
) -> None:
    """List every period, newest first; those the office's unit did not exist in are greyed and
    say so, yet stay selectable: the history of predecessor units is read there. Signals blocked."""
    box.blockSignals(True)
    box.clear()
    grey = QBrush(box.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
    for index, period in enumerate(periods):
        note = outside_note(office, period)
        box.addItem(period.label + (OUTSIDE_MARK if note else ""), period.code)
        if note:
            box.setItemData(index, grey, Qt.ItemDataRole.ForegroundRole)
            box.setItemData(index, note + ".", Qt.ItemDataRole.ToolTipRole)
    codes = [p.code for p in periods]
    box.setCurrentIndex(codes.index(current) if current in codes else 0)
    box.blockSignals(False)


def empty_tree_note(office: OfficeSpan | None, office_label: str, period: PeriodInfo | None) -> str:
    """The greyed line of an empty unit tree: the unit's dates when they are the reason."""
    note = outside_note(office, period)
    if note:
        return note + "."
    return f"{office_label} không có hiệu lực trong kỳ «{period.label if period else ''}»."
