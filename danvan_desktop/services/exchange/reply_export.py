"""Writing reply packages: the office above's decisions, comments and payloads, one signed file per unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from danvan_desktop import __version__
from danvan_desktop.db.engine import Database
from danvan_desktop.db.migrate import HEAD_REVISION
from danvan_desktop.db.models import Installation, OrgUnit, ReplySent, ReviewComment, ReviewReturn
from danvan_desktop.paths import PACKAGE_SUFFIX
from danvan_desktop.services.exchange import reply_payloads
from danvan_desktop.services.exchange.signing_keys import signing_key
from danvan_desktop.services.office.accounts import require_in
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.orgunits import find_unit, is_valid_on, unit_label
from danvan_desktop.services.review.returns import ReviewError, now
from danvan_desktop.services.review.statements import reply_items
from danvan_desktop.transport.package_format import PackageSummary
from danvan_desktop.transport.reply import ReplyInfo, write_reply


@dataclass(frozen=True)
class ReplyResult:
    unit_code: str
    unit_label: str
    sequence: int
    summary: PackageSummary
    payload_kinds: list[str]


def is_below(session: Session, unit: OrgUnit, office_id: int) -> bool:
    """`unit` lies (at any depth) under the office, following each unit's parent."""
    seen: set[int] = set()
    current = unit.parent
    while current is not None and current.id not in seen:
        if current.id == office_id:
            return True
        seen.add(current.id)
        current = current.parent
    return False


def _candidates(session: Session, office: OrgUnit, wanted: Sequence[str]) -> list[OrgUnit]:
    if wanted:
        units = []
        for code in dict.fromkeys(wanted):
            unit = find_unit(session, code)
            if not is_below(session, unit, office.id):
                raise ReviewError(
                    f"{unit_label(unit)} ({unit.code}) không thuộc {unit_label(office)}: chỉ gửi phản hồi "
                    "cho đơn vị cấp dưới."
                )
            units.append(unit)
        return units
    reviewed = set(session.scalars(select(ReviewReturn.org_unit_id))) | set(
        session.scalars(select(ReviewComment.org_unit_id))
    )
    today = dt.date.today()
    children = session.scalars(select(OrgUnit).where(OrgUnit.parent_id == office.id)).all()
    found = {u.id: u for u in children if is_valid_on(u, today)}
    for unit_id in reviewed - set(found):
        unit = session.get_one(OrgUnit, unit_id)
        if is_below(session, unit, office.id):
            found[unit.id] = unit
    return sorted(found.values(), key=lambda u: u.code)


def write_replies(
    db: Database, out_dir: Path, *, units: Sequence[str] = (), passphrase: str | None = None
) -> list[ReplyResult]:
    """One reply per unit that has something to receive (every named unit, even with nothing new).

    Each file is complete before its number is counted; a unit with nothing is skipped unless named.
    """
    results: list[ReplyResult] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    with db.session() as session:
        require_in(session, "reply.export")
        installation = session.scalars(select(Installation)).one()
        office = session.get_one(OrgUnit, installation.office_unit_id)
        key = signing_key(db.path, installation.site_id)
        plans = []
        for unit in _candidates(session, office, units):
            items = reply_items(session, unit.id)
            payloads = reply_payloads.payloads_for(session, unit.code)
            if not items and not payloads and not units:
                continue
            last = session.scalar(
                select(func.max(ReplySent.sequence)).where(ReplySent.unit_code == unit.code)
            )
            plans.append((unit.code, unit_label(unit), (last or 0) + 1, items, payloads))
        site_id, office_code = installation.site_id, office.code
    for code, label, sequence, items, payloads in plans:
        out = out_dir / f"phan-hoi-{code}-{sequence}{PACKAGE_SUFFIX}"
        info = ReplyInfo(site_id, office_code, code, sequence, __version__, HEAD_REVISION)
        summary = write_reply(out, info, items, payloads, key, passphrase)
        with db.transaction() as session:
            session.add(
                ReplySent(
                    package_id=summary.package_id,
                    unit_code=code,
                    sequence=sequence,
                    written_at=now(),
                    written_by=require_in(session, "reply.export").writer_name,
                    file_name=out.name[:300],
                    item_count=len(items),
                )
            )
            record_action(
                session,
                "reply.export",
                detail=f"gói phản hồi số {sequence} cho {label}: {len(items)} mục"
                + (f", {', '.join(k for k, _ in payloads)}" if payloads else "")
                + f" ({out.name})",
            )
        results.append(ReplyResult(code, label, sequence, summary, [k for k, _ in payloads]))
    return results
