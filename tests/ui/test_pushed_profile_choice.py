"""The Reports screen offers a profile sent from above, marked so, and previews the return with it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from danvan_desktop import paths
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import PushedProfile
from danvan_desktop.reports.profile import resolved_profile_data
from tests.reports.factories import set_up_phuc_chu_office
from tests.ui.test_reports_dialog import make_dialog, previewed


@pytest.fixture
def commune_db(commune_path: Path) -> Iterator[Database]:
    """Phúc Chu's own database, with a profile the district sent."""
    data = resolved_profile_data(paths.profiles_dir() / "nha_nuoc.yaml")
    data["name"] = "Mẫu của Ban Dân vận Huyện ủy"
    data["recipients"] = dict(data["recipients"], archive="Lưu: VT, BDVHU.")
    db = open_database(commune_path)
    with db.transaction() as session:
        set_up_phuc_chu_office(session)
        session.add(
            PushedProfile(
                name="huyen_uy",
                content=json.dumps(data, ensure_ascii=False, default=str),
                origin_unit_code="DH",
                package_id="0" * 36,
                received_at=dt.datetime(2026, 12, 3),
            )
        )
    yield db
    db.close()


def test_the_profile_box_lists_a_profile_from_above(qtbot: QtBot, commune_db: Database) -> None:
    dialog = make_dialog(qtbot, commune_db)
    box = dialog.profile_box
    items = [(box.itemData(i), box.itemText(i)) for i in range(box.count())]
    assert ("huyen_uy", "Mẫu của Ban Dân vận Huyện ủy (cấp trên gửi)") in items
    box.setCurrentIndex(box.findData("huyen_uy"))
    previewed(qtbot, dialog)
    assert dialog.preview is not None, dialog.message.text()
    assert dialog.preview.report.profile_key == "huyen_uy"
    assert dialog.preview.report.profile_name == "Mẫu của Ban Dân vận Huyện ủy"
