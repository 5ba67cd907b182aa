"""The payload registry: a kind registered at the office above travels in the reply and applies below."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import InboxItem
from danvan_desktop.errors import UserError
from danvan_desktop.services.exchange import reply_payloads
from danvan_desktop.services.exchange.reply_payloads import ApplyContext
from danvan_desktop.services.office.settings import get_setting, set_setting
from tests.exchange.conftest import Site
from tests.exchange.review_helpers import reply, snapshot

KIND = "test.superior_name"


@pytest.fixture
def superior_name_kind() -> Iterator[None]:
    """A kind like formpush's `office_settings`: the office's name, which its units print."""

    def export(session: Session, unit_code: str) -> bytes | None:
        name = get_setting(session, "test.office_name")
        return name.encode("utf-8") if name else None

    def apply(session: Session, data: bytes, context: ApplyContext) -> None:
        text = data.decode("utf-8")
        if not text.strip():
            raise UserError("Tên cơ quan cấp trên trống.")
        set_setting(session, "test.superior_name", text)
        context.inbox("Tên cơ quan cấp trên", f"{text} (từ {context.sender_office} cho {context.unit_code})")

    reply_payloads.register(KIND, export, apply, label="Tên cơ quan cấp trên", order=50)
    yield
    reply_payloads.unregister(KIND)


def test_a_registered_payload_travels_and_applies(
    superior_name_kind: None, phuc_chu: Site, district: Site
) -> None:
    with district.db.transaction() as session:
        set_setting(session, "test.office_name", "Ban Dân vận Huyện ủy Định Hóa")
    report = phuc_chu.import_(reply(district), accept_new_site=True)
    assert report.status == "applied"
    with phuc_chu.db.session() as session:
        assert get_setting(session, "test.superior_name") == "Ban Dân vận Huyện ủy Định Hóa"
        # Other registered kinds (forms, targets, the office's settings) may add their own lines.
        [item] = session.scalars(select(InboxItem).where(InboxItem.kind == KIND)).all()
    assert (item.kind, item.title) == (KIND, "Tên cơ quan cấp trên")
    assert item.detail.endswith("(từ DH cho DH-PHUCCHU)")


def test_a_payload_refused_by_its_handler_refuses_the_whole_reply(
    superior_name_kind: None, phuc_chu: Site, district: Site
) -> None:
    with district.db.transaction() as session:
        set_setting(session, "test.office_name", "   ")
    path = reply(district)
    before = snapshot(phuc_chu)
    with pytest.raises(UserError, match="trống"):
        phuc_chu.import_(path, accept_new_site=True)
    assert snapshot(phuc_chu) == before  # not even the district's key was accepted


def test_a_reply_with_a_kind_unknown_here_asks_for_an_update(
    superior_name_kind: None, phuc_chu: Site, district: Site
) -> None:
    with district.db.transaction() as session:
        set_setting(session, "test.office_name", "Ban Dân vận")
    path = reply(district)
    reply_payloads.unregister(KIND)  # the commune runs an older program
    before = snapshot(phuc_chu)
    with pytest.raises(UserError, match="cập nhật"):
        phuc_chu.import_(path, accept_new_site=True)
    assert snapshot(phuc_chu) == before
