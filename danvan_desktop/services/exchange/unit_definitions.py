"""Unit definitions in packages: the villages an office sends, and the origin rule before learning them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import VILLAGE_LEVEL, display_name
from danvan_desktop.db.models import OrgUnit, UnitLineage
from danvan_desktop.services.exchange.origin import ForeignOriginError
from danvan_desktop.services.exchange.package_records import office_unit_ids
from danvan_desktop.services.office.orgunits import is_valid_during, unit_label
from danvan_desktop.services.office.village_units import PACKAGE_SOURCE_PREFIX
from danvan_desktop.text import fold
from danvan_desktop.transport.schema import DefinedUnit, UnitDefinitions


def definitions_to_send(session: Session, office_unit_id: int) -> dict[str, Any] | None:
    """The villages under the office that the catalog does not hold, with their lineage; None if none.

    All of them, not only those the records name: the office above learns the whole village list,
    so that its completeness view and a cultural house's "Xóm" field know every village.
    """
    allowed = office_unit_ids(session, office_unit_id)
    codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
    sent = [
        u
        for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(allowed)).order_by(OrgUnit.code))
        if u.kind in VILLAGE_LEVEL and u.source != "catalog" and u.parent_id is not None
    ]
    if not sent:
        return None
    ids = {u.id for u in sent}
    links = session.scalars(
        select(UnitLineage).where(UnitLineage.from_unit_id.in_(ids), UnitLineage.to_unit_id.in_(ids))
    )
    return {
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "parent": codes[u.parent_id or 0],
                "valid_from": u.valid_from,
                "valid_to": u.valid_to,
            }
            for u in sent
        ],
        "lineage": [
            {
                "from": codes[link.from_unit_id],
                "to": codes[link.to_unit_id],
                "date": link.effective,
                "kind": link.kind,
            }
            for link in sorted(links, key=lambda row: (row.effective, row.from_unit_id, row.to_unit_id))
        ],
    }


@dataclass
class LearnedUnits:
    """What a package's definitions changed in this database (flushed in the caller's session)."""

    added: list[str] = field(default_factory=list)  # labels: "Xóm Nà Mòn"
    changed: list[str] = field(default_factory=list)
    links: int = 0  # lineage links added or changed

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.links)

    def summary_vi(self) -> str:
        parts = []
        if self.added:
            parts.append(f"{len(self.added)} xóm, tổ dân phố mới")
        if self.changed:
            parts.append(f"{len(self.changed)} xóm, tổ dân phố được cập nhật")
        return "Nhận " + " và ".join(parts) + "." if parts else ""


class _RefusalError(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def learn_units(
    session: Session,
    definitions: UnitDefinitions | None,
    *,
    sender_code: str,
    file_name: str,
) -> LearnedUnits:
    """Apply the origin rule to every definition, then add or update the units and links.

    A package may define only villages under the sender's own unit (as this database's catalog
    places it): a definition of another office's village, a catalog unit changed or moved, a
    unit of a higher level, or a link to a unit outside the sender refuses the whole package
    (ForeignOriginError, kept in the ledger). Nothing is committed here.
    """
    learned = LearnedUnits()
    if definitions is None:
        return learned
    sender = session.scalar(select(OrgUnit).where(OrgUnit.code == sender_code))
    if sender is None:
        return learned  # nothing to judge against: the merge rejects the records of unknown units
    try:
        _learn(session, definitions, sender, learned)
    except _RefusalError as refusal:
        raise ForeignOriginError(
            f"Gói {file_name} của {unit_label(sender)} khai báo đơn vị không thuộc quyền của "
            f"{unit_label(sender)}: {refusal.reason}. Một đơn vị chỉ được khai báo xóm, tổ dân phố "
            "của chính mình: đã từ chối cả gói, không lưu gì. Hãy báo cho quản trị viên.",
            detail=refusal.detail,
        ) from None
    return learned


def _learn(session: Session, definitions: UnitDefinitions, sender: OrgUnit, learned: LearnedUnits) -> None:
    allowed = office_unit_ids(session, sender.id)  # judged before anything of the package is stored
    existing = {
        u.code: u
        for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_([d.code for d in definitions.units])))
    }
    parents = {
        u.code: u
        for u in session.scalars(
            select(OrgUnit).where(OrgUnit.code.in_([d.parent for d in definitions.units]))
        )
    }
    plans = [_judge(d, existing.get(d.code), parents.get(d.parent), allowed) for d in definitions.units]
    units = _links_units(session, definitions, allowed)
    for entry, unit in plans:
        parent = parents[entry.parent]
        label = display_name(entry.kind, entry.name)
        if unit is None:
            unit = OrgUnit(code=entry.code, source=PACKAGE_SOURCE_PREFIX + sender.code)
            learned.added.append(label)
        elif _same(unit, entry, parent):
            units[entry.code] = unit
            continue
        else:
            learned.changed.append(label)
        unit.name, unit.name_folded, unit.kind = entry.name, fold(entry.name), entry.kind
        unit.parent_id, unit.valid_from, unit.valid_to = parent.id, entry.valid_from, entry.valid_to
        session.add(unit)
        units[entry.code] = unit
    session.flush()
    links = {(r.from_unit_id, r.to_unit_id): r for r in session.scalars(select(UnitLineage))}
    for link in definitions.lineage:
        key = (units[link.from_code].id, units[link.to_code].id)
        row = links.get(key)
        if row is not None and (row.effective, row.kind) == (link.date, link.kind):
            continue
        row = row or UnitLineage(from_unit_id=key[0], to_unit_id=key[1])
        row.effective, row.kind, row.verified = link.date, link.kind, True
        row.source = f"gói của {unit_label(sender)}"
        session.add(row)
        learned.links += 1
    session.flush()


def _judge(
    entry: DefinedUnit, unit: OrgUnit | None, parent: OrgUnit | None, allowed: set[int]
) -> tuple[DefinedUnit, OrgUnit | None]:
    shown = display_name(entry.kind, entry.name) if entry.kind in VILLAGE_LEVEL else entry.name
    label = f"«{entry.code}» ({shown})"
    if entry.kind not in VILLAGE_LEVEL:
        raise _RefusalError(
            f"{label} không phải xóm, thôn, bản, tổ dân phố", f"{entry.code}: kind {entry.kind!r}"
        )
    if parent is None or parent.id not in allowed or parent.kind in VILLAGE_LEVEL:
        where = unit_label(parent) if parent is not None else f"đơn vị «{entry.parent}»"
        raise _RefusalError(
            f"{label} đặt dưới {where}", f"{entry.code}: parent {entry.parent!r} not under sender"
        )
    if not is_valid_during(parent, entry.valid_from, entry.valid_to or dt.date.max):
        raise _RefusalError(
            f"{label} có hiệu lực ngoài thời gian của {unit_label(parent)}",
            f"{entry.code}: validity outside parent {parent.code}",
        )
    if unit is None:
        return entry, None
    if unit.source == "catalog" and not _same(unit, entry, parent):
        raise _RefusalError(
            f"{label} sửa đơn vị {unit_label(unit)} của danh mục chính thức",
            f"{entry.code}: changes a catalog unit",
        )
    if unit.id not in allowed or unit.kind not in VILLAGE_LEVEL:
        raise _RefusalError(
            f"{label} trùng mã với {unit_label(unit)}, không phải xóm của đơn vị gửi",
            f"{entry.code}: existing unit not a village under the sender",
        )
    return entry, unit


def _same(unit: OrgUnit, entry: DefinedUnit, parent: OrgUnit) -> bool:
    return (unit.name, unit.kind, unit.parent_id, unit.valid_from, unit.valid_to) == (
        entry.name,
        entry.kind,
        parent.id,
        entry.valid_from,
        entry.valid_to,
    )


def _links_units(session: Session, definitions: UnitDefinitions, allowed: set[int]) -> dict[str, OrgUnit]:
    """Units a lineage link may join: villages the package defines, or non-catalog ones under the sender."""
    defined = {d.code for d in definitions.units}
    codes = {c for link in definitions.lineage for c in (link.from_code, link.to_code)} - defined
    found = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    for code in codes:
        unit = found.get(code)
        if (
            unit is None
            or unit.id not in allowed
            or unit.kind not in VILLAGE_LEVEL
            or unit.source == "catalog"
        ):
            shown = unit_label(unit) if unit is not None else f"«{code}»"
            raise _RefusalError(
                f"quan hệ kế thừa nối tới {shown}, không phải xóm do đơn vị gửi khai báo",
                f"lineage touches {code!r}",
            )
    return dict(found)
