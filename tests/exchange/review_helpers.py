"""Helpers of the review tests: act at a site, read a return's state, snapshot a whole database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Base, PeriodLock, ReviewComment, ReviewReturn
from danvan_desktop.services.exchange.reply_export import write_replies
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from tests.exchange.conftest import Site

T = TypeVar("T")
FORM, PERIOD = "to_chuc_doan_the", "2023"


def act(site: Site, action: Callable[[Session], T]) -> T:
    with site.db.transaction() as session:
        return action(session)


def state(site: Site, unit: str = "DH-PHUCCHU") -> str:
    with site.db.session() as session:
        unit_id, period_id = find_unit(session, unit).id, get_period(session, PERIOD).id
        row = session.scalar(
            select(ReviewReturn).where(
                ReviewReturn.org_unit_id == unit_id,
                ReviewReturn.period_id == period_id,
                ReviewReturn.form_id == FORM,
            )
        )
        return row.state if row is not None else "dang_nhap"


def locked(site: Site, unit: str = "DH-PHUCCHU") -> bool:
    with site.db.session() as session:
        unit_id, period_id = find_unit(session, unit).id, get_period(session, PERIOD).id
        return session.get(PeriodLock, (unit_id, period_id)) is not None


def comments(site: Site) -> list[ReviewComment]:
    with site.db.session() as session:
        return list(session.scalars(select(ReviewComment).order_by(ReviewComment.created_at)))


def reply(district: Site, unit: str = "DH-PHUCCHU") -> Path:
    results = write_replies(district.db, district.folder / "replies", units=[unit])
    assert len(results) == 1
    return results[0].summary.path


def snapshot(site: Site) -> list[tuple[str, list[str]]]:
    """Every row of every table, as text and sorted: equal before and after means nothing changed."""
    dumped = []
    with site.db.session() as session:
        for table in Base.metadata.sorted_tables:
            rows = session.execute(text(f'SELECT * FROM "{table.name}"')).all()
            dumped.append((table.name, sorted(repr(tuple(row)) for row in rows)))
    return dumped
