"""Forms and targets travel down in the reply package: pushed, imported at the commune, used there."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from danvan_desktop.db.models import InboxItem, Record, UnitTarget
from danvan_desktop.errors import UserError
from danvan_desktop.services.entry.entry import save_entry
from danvan_desktop.services.office.form_versions import (
    ORIGIN_ABOVE,
    ORIGIN_OWN,
    check_definition,
    form_listing,
    forms_in_force,
    store_form_definition,
)
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.settings import get_setting, set_setting
from danvan_desktop.services.office.targets import INDICATOR_FORM, set_target
from danvan_desktop.services.reporting import commune_return_data
from tests.exchange.conftest import Site
from tests.exchange.review_helpers import act, reply, snapshot
from tests.reports.factories import set_up_phuc_chu_office

PLAN = "Tỷ lệ chi bộ ban hành nghị quyết, kế hoạch thực hiện công tác dân vận"


def _houses_v2() -> dict[str, Any]:
    data = copy.deepcopy(get_form("nha_van_hoa").model_dump(mode="json", exclude_defaults=True))
    data["version"] = 2
    data["sections"][0]["fields"].append({"id": "dien_tich_san", "type": "area", "label": "Diện tích sàn"})
    return data


def test_a_pushed_form_version_and_targets_arrive_and_are_used(phuc_chu: Site, district: Site) -> None:
    act(phuc_chu, set_up_phuc_chu_office)
    # First contact: the district learns the commune's key from its package (the commune sends up).
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)

    def publish(session: Any) -> None:
        form = check_definition(_houses_v2(), "nha_van_hoa.yaml")
        store_form_definition(session, form, origin=ORIGIN_OWN, origin_unit_code="DH", stored_by="quantri")
        indicators = forms_in_force(session)[INDICATOR_FORM]
        set_target(session, indicators, "DH-PHUCCHU", 2023, 1, "100", name=PLAN, measure="%")
        set_setting(session, "office.issuing_body", "Ban Dân vận Huyện ủy Định Hóa")

    act(district, publish)
    report = phuc_chu.import_(reply(district), accept_new_site=True)
    assert report.status == "applied", report.message
    with phuc_chu.db.session() as session:
        assert forms_in_force(session)["nha_van_hoa"].version == 2
        assert (2, ORIGIN_ABOVE, "DH", True) in [
            (f.version, f.origin, f.origin_unit_code, f.in_force) for f in form_listing(session)
        ]
        target = session.scalars(select(UnitTarget)).one()
        assert (target.indicator, float(target.value), target.assigned_by) == (1, 100.0, "DH")
        record = session.scalars(select(Record).where(Record.form_id == INDICATOR_FORM)).one()
        assert record.values["chi_tieu"] == 100.0
        assert get_setting(session, "office.superior_body") == "Ban Dân vận Huyện ủy Định Hóa"
        inbox = " ".join(f"{i.title} {i.detail}" for i in session.scalars(select(InboxItem)))
        assert "Chỉ tiêu Đề án 05" in inbox and "Biểu mẫu" in inbox
        data = commune_return_data(session, "DH-PHUCCHU", "2023")
    assert [(r.target, r.assigned) for r in data.indicators] == [(100.0, True)]

    # The commune enters a house under version 2; the district, which published it, takes it in.
    house = {"xom": "DH-PHUCCHU-02", "tinh_trang": "xay_moi", "dien_tich_san": 120.5}
    with phuc_chu.db.transaction() as session:
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        form = forms_in_force(session)["nha_van_hoa"]  # what the window offers: the version in force
        record_id = save_entry(session, form, unit.id, period.id, house, writer=phuc_chu.writer()).record_id
        assert session.get_one(Record, record_id).form_version == 2
    counts = district.import_(phuc_chu.export("pc-2.danvan")).counts()
    assert counts["rejected"] == 0 and counts["new"] >= 1
    stored = district.record(record_id)
    assert stored is not None and (stored.form_version, stored.values["dien_tich_san"]) == (2, 120.5)


def test_a_reply_with_an_invalid_target_is_refused_whole(phuc_chu: Site, district: Site) -> None:

    def assign(session: Any) -> None:
        indicators = forms_in_force(session)[INDICATOR_FORM]
        set_target(session, indicators, "DH-PHUCCHU", 2023, 1, "100", name=PLAN, measure="%")
        # A figure the office above's own check let through (an older program), which the unit refuses.
        session.scalars(select(UnitTarget)).one().value = 250

    act(district, assign)
    before = snapshot(phuc_chu)
    with pytest.raises(UserError, match="Chỉ tiêu số 1 tính bằng % không được lớn hơn 100"):
        phuc_chu.import_(reply(district), accept_new_site=True)
    after = snapshot(phuc_chu)
    assert [t for t in after if t[0] not in ("refused_package", "received_package")] == [
        t for t in before if t[0] not in ("refused_package", "received_package")
    ]
