"""Guards against known defects of the Qt binding version we install."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel


def test_reading_an_unset_role_keeps_none_reference_count() -> None:
    # PySide6 6.12.0 dropped a reference to None on every such read, crashing Python at exit.
    model = QStandardItemModel()
    model.appendRow(QStandardItem("Xã Phúc Chu"))
    index = model.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(1000):
        assert index.data(Qt.ItemDataRole.UserRole + 50) is None
    assert abs(sys.getrefcount(None) - before) < 50
