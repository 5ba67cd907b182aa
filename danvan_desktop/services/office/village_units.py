"""Villages and residential groups an office defines under its own unit: add, rename, close, merge."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import COMMUNE_LEVEL, VILLAGE_LEVEL, UnitKind, display_name
from danvan_desktop.db.models import Installation, OrgUnit, Period, Record, UnitLineage
from danvan_desktop.errors import UserError
from danvan_desktop.services.exchange.package_records import office_unit_ids
from danvan_desktop.services.office.orgunits import is_valid_during, unit_label
from danvan_desktop.text import fold, nfc

# OrgUnit.source of a unit this office defined itself. Units learned from a package are marked
# "package:<sender's office code>"; the shipped catalog's are "catalog". A catalog sync never
# rewrites a unit of another source, and only the office's own kind of units may be changed here.
OFFICE_SOURCE = "office"
PACKAGE_SOURCE_PREFIX = "package:"
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")
_ONE_DAY = dt.timedelta(days=1)


class VillageError(UserError):
    """A village definition refused: outside the office, bad dates, duplicate, records after closing."""

    exit_code = 2


@dataclass(frozen=True)
class VillageRow:
    """One village as the list screen and `danvan units list` show it."""

    id: int
    code: str
    name: str
    kind: str
    parent_code: str
    parent_label: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    successor: str  # "Xóm Đồng Tâm (từ 01/01/2026)" when merged into another, else ""

    @property
    def label(self) -> str:
        return display_name(self.kind, self.name)

    @property
    def span(self) -> str:
        if self.valid_to is None:
            return f"từ {self.valid_from:%d/%m/%Y}"
        return f"{self.valid_from:%d/%m/%Y} – {self.valid_to:%d/%m/%Y}"

    @property
    def editable(self) -> bool:
        return is_editable_source(self.source)


def is_editable_source(source: str) -> bool:
    """Units of the shipped catalog belong to the catalog; units from packages to their sender."""
    return source != "catalog" and not source.startswith(PACKAGE_SOURCE_PREFIX)


def village_kinds() -> list[UnitKind]:
    return [UnitKind.XOM, UnitKind.THON, UnitKind.BAN, UnitKind.TO_DAN_PHO]


def office_unit(session: Session) -> OrgUnit:
    installation = session.scalars(select(Installation)).one()
    return session.get_one(OrgUnit, installation.office_unit_id)


def list_villages(session: Session, office_id: int, *, on: dt.date | None = None) -> list[VillageRow]:
    """Villages under the office (its own unit, the units under it, its predecessors), by parent, name."""
    allowed = office_unit_ids(session, office_id)
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(allowed)))}
    after: dict[int, tuple[int, dt.date]] = {}
    for link in session.scalars(select(UnitLineage).where(UnitLineage.from_unit_id.in_(allowed))):
        after[link.from_unit_id] = (link.to_unit_id, link.effective)
    rows = []
    for unit in units.values():
        if unit.kind not in VILLAGE_LEVEL or unit.parent_id is None:
            continue
        if on is not None and not is_valid_during(unit, on, on):
            continue
        parent = units.get(unit.parent_id) or session.get_one(OrgUnit, unit.parent_id)
        successor = ""
        if unit.id in after:
            target = session.get_one(OrgUnit, after[unit.id][0])
            successor = f"{unit_label(target)} (từ {after[unit.id][1]:%d/%m/%Y})"
        rows.append(
            VillageRow(
                unit.id,
                unit.code,
                unit.name,
                unit.kind,
                parent.code,
                unit_label(parent),
                unit.valid_from,
                unit.valid_to,
                unit.source,
                successor,
            )
        )
    return sorted(rows, key=lambda r: (r.parent_code, r.valid_to is not None, fold(r.name), r.valid_from))


def needs_village_list(session: Session, today: dt.date) -> bool:
    """A commune-level office valid today with no village valid today: ask for its villages first."""
    office = office_unit(session)
    if office.kind not in COMMUNE_LEVEL or not is_valid_during(office, today, today):
        return False
    return not list_villages(session, office.id, on=today)


def _audit(session: Session, user: str, action: str, unit: OrgUnit, detail: str) -> None:
    from danvan_desktop.services.office.audit import record_action

    # Attributed to the signed-in account as every other action is (issue 13).
    record_action(session, action, user=user, unit_id=unit.id, detail=detail)


def _parent(session: Session, office: OrgUnit, parent_code: str | None) -> OrgUnit:
    if parent_code is None:
        parent = office
    else:
        wanted = parent_code.strip().upper()
        found = session.scalar(select(OrgUnit).where(OrgUnit.code == wanted))
        if found is None:
            raise VillageError(f"Không có đơn vị mã «{parent_code}».")
        parent = found
    if parent.id not in office_unit_ids(session, office.id):
        raise VillageError(
            f"{unit_label(parent)} không thuộc {unit_label(office)}: mỗi đơn vị chỉ khai báo xóm, tổ dân "
            "phố của chính mình. Không lưu gì."
        )
    if parent.kind in VILLAGE_LEVEL:
        raise VillageError(f"{unit_label(parent)} là cấp thôn, xóm: không đặt xóm, tổ dân phố dưới nó.")
    return parent


def _check_span(parent: OrgUnit, valid_from: dt.date, valid_to: dt.date | None, what: str) -> None:
    if valid_to is not None and valid_to < valid_from:
        raise VillageError(
            f"{what}: ngày hết hiệu lực {valid_to:%d/%m/%Y} trước ngày bắt đầu {valid_from:%d/%m/%Y}. "
            "Không lưu gì."
        )
    ends = f"đến {parent.valid_to:%d/%m/%Y}" if parent.valid_to else "không thời hạn"
    inside = valid_from >= parent.valid_from and (
        parent.valid_to is None or (valid_to is not None and valid_to <= parent.valid_to)
    )
    if not inside:
        raise VillageError(
            f"{what}: thời gian hiệu lực phải nằm trong thời gian của {unit_label(parent)} "
            f"(từ {parent.valid_from:%d/%m/%Y}, {ends}). Không lưu gì."
        )


def _check_name_free(
    session: Session,
    parent: OrgUnit,
    name: str,
    valid_from: dt.date,
    valid_to: dt.date | None,
    *,
    ignore: int | None = None,
) -> None:
    """Two villages of one name under one unit at the same time would be indistinguishable."""
    siblings = session.scalars(
        select(OrgUnit).where(OrgUnit.parent_id == parent.id, OrgUnit.name_folded == fold(name))
    )
    for other in siblings:
        if (
            other.id != ignore
            and other.kind in VILLAGE_LEVEL
            and is_valid_during(other, valid_from, valid_to or dt.date.max)
        ):
            raise VillageError(
                f"{unit_label(parent)} đã có {unit_label(other)} (mã {other.code}, "
                f"{_span_text(other)}) trùng thời gian. Không lưu gì."
            )


def _span_text(unit: OrgUnit) -> str:
    if unit.valid_to is None:
        return f"từ {unit.valid_from:%d/%m/%Y}"
    return f"{unit.valid_from:%d/%m/%Y} – {unit.valid_to:%d/%m/%Y}"


def _clean_name(name: str) -> str:
    cleaned = " ".join(nfc(name).split())
    if not cleaned:
        raise VillageError("Tên xóm, tổ dân phố không được để trống.")
    if len(cleaned) > 200:
        raise VillageError("Tên xóm, tổ dân phố quá dài (tối đa 200 ký tự).")
    return cleaned


def _kind(kind: str) -> UnitKind:
    try:
        value = UnitKind(kind)
    except ValueError:
        value = None
    if value is None or value not in VILLAGE_LEVEL:
        names = ", ".join(f"{k.value} ({k.label})" for k in village_kinds())
        raise VillageError(f"Loại đơn vị «{kind}» không hợp lệ; chọn một trong: {names}.")
    return value


def _new_code(session: Session, parent: OrgUnit, code: str | None) -> str:
    if code is not None:
        wanted = code.strip().upper()
        if not _CODE.match(wanted) or len(wanted) > 64:
            raise VillageError(
                f"Mã «{code}» không hợp lệ: chỉ gồm chữ in hoa không dấu, chữ số, '.', '_' hoặc '-'."
            )
        existing = session.scalar(select(OrgUnit).where(OrgUnit.code == wanted))
        if existing is not None:
            raise VillageError(f"Mã «{wanted}» đã dùng cho {unit_label(existing)}. Không lưu gì.")
        return wanted
    # The parent's code and a running number, as the demo villages (DH-PHUCCHU-05) are numbered.
    taken = set(session.scalars(select(OrgUnit.code).where(OrgUnit.code.like(f"{parent.code}-%"))))
    number = 1
    while f"{parent.code}-{number:02d}" in taken:
        number += 1
    return f"{parent.code}-{number:02d}"


def _managed(session: Session, office: OrgUnit, code: str) -> OrgUnit:
    """A village the office may change: under it, and defined here rather than by the catalog."""
    wanted = code.strip().upper()
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == wanted))
    if unit is None:
        raise VillageError(f"Không có đơn vị mã «{code}».")
    if unit.kind not in VILLAGE_LEVEL or unit.id not in office_unit_ids(session, office.id):
        raise VillageError(
            f"{unit_label(unit)} ({unit.code}) không phải xóm, tổ dân phố của {unit_label(office)}. "
            "Không lưu gì."
        )
    if not is_editable_source(unit.source):
        owner = (
            "danh mục chính thức"
            if unit.source == "catalog"
            else f"gói của đơn vị {unit.source.removeprefix(PACKAGE_SOURCE_PREFIX)}"
        )
        raise VillageError(f"{unit_label(unit)} ({unit.code}) lấy từ {owner}; không sửa được ở đây.")
    return unit


def add_village(
    session: Session,
    office_id: int,
    name: str,
    kind: str,
    valid_from: dt.date | None = None,
    *,
    valid_to: dt.date | None = None,
    parent_code: str | None = None,
    code: str | None = None,
    user: str,
) -> OrgUnit:
    """Create a village under the office's own unit (or a unit under it); by default valid as long
    as that unit (villages usually predate the software; those of an abolished commune end with it)."""
    office = session.get_one(OrgUnit, office_id)
    clean, unit_kind = _clean_name(name), _kind(kind)
    parent = _parent(session, office, parent_code)
    valid_from = valid_from or parent.valid_from
    valid_to = valid_to or parent.valid_to
    what = display_name(unit_kind, clean)
    _check_span(parent, valid_from, valid_to, what)
    _check_name_free(session, parent, clean, valid_from, valid_to)
    unit = OrgUnit(
        code=_new_code(session, parent, code),
        name=clean,
        name_folded=fold(clean),
        kind=unit_kind.value,
        parent_id=parent.id,
        valid_from=valid_from,
        valid_to=valid_to,
        source=OFFICE_SOURCE,
    )
    session.add(unit)
    session.flush()
    detail = f"{what} ({unit.code}) thuộc {unit_label(parent)}, {_span_text(unit)}"
    _audit(session, user, "unit_add", unit, detail)
    return unit


# "Bản" is not read as a kind: many villages are named "Bản Lác", "Bản Piềng" (a xóm called so).
# A list of bản is entered with the kind chosen beside it instead.
_PREFIXES = sorted(((k.label, k) for k in village_kinds() if k is not UnitKind.BAN), key=lambda p: -len(p[0]))
_BULLET = re.compile(r"^\s*(?:[-*•]+|\d+[.)])\s*")


def parse_village_lines(text: str, default_kind: str) -> list[tuple[str, str]]:
    """Pasted lines as (name, kind): "Xóm Nà Mòn" is a xóm, "Tổ dân phố 3" a tổ dân phố, "Bản Lác"
    a village named so, of `default_kind`.

    Bullets and numbering ("1.", "- ") are dropped; empty lines skipped; a name repeated is kept
    once (a list pasted twice must not ask to create everything twice).
    """
    found: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for raw in nfc(text).splitlines():
        line = _BULLET.sub("", raw).strip()
        if not line:
            continue
        kind = default_kind
        for label, unit_kind in _PREFIXES:
            if fold(line).startswith(fold(label) + " "):
                line, kind = line[len(label) :].strip(), unit_kind.value
                break
        key = (fold(line), kind)
        if line and key not in seen:
            seen.add(key)
            found.append((" ".join(line.split()), kind))
    return found


def add_villages(
    session: Session,
    office_id: int,
    entries: Sequence[tuple[str, str]],
    valid_from: dt.date | None,
    *,
    user: str,
) -> list[OrgUnit]:
    """Several villages at once (the pasted list); one refused refuses all (the caller's transaction)."""
    return [add_village(session, office_id, name, kind, valid_from, user=user) for name, kind in entries]


def rename_village(session: Session, office_id: int, code: str, new_name: str, *, user: str) -> OrgUnit:
    """A new name, the same code: records keep pointing at it; the former name goes into the note."""
    office = session.get_one(OrgUnit, office_id)
    unit = _managed(session, office, code)
    clean = _clean_name(new_name)
    if clean == unit.name:
        return unit
    parent = session.get_one(OrgUnit, unit.parent_id)
    _check_name_free(session, parent, clean, unit.valid_from, unit.valid_to, ignore=unit.id)
    old = unit_label(unit)
    former = f"Tên cũ: {unit.name} (đổi ngày {dt.date.today():%d/%m/%Y})"
    unit.note = f"{unit.note}; {former}" if unit.note else former
    unit.name, unit.name_folded = clean, fold(clean)
    session.flush()
    _audit(session, user, "unit_rename", unit, f"{old} → {unit_label(unit)} ({unit.code})")
    return unit


def _records_after(session: Session, unit: OrgUnit, day: dt.date) -> int:
    """Records of periods starting after `day` that are the unit's own or name it in a value
    (a cultural house's "Xóm, tổ dân phố"); tombstones count too, since they travel in packages."""
    holders = {unit.id}
    current: OrgUnit | None = unit
    while current is not None and current.parent_id is not None:
        holders.add(current.parent_id)
        current = session.get(OrgUnit, current.parent_id)
    rows = session.execute(
        select(Record.org_unit_id, Record.values)
        .join(Period, Period.id == Record.period_id)
        .where(Record.org_unit_id.in_(holders), Period.start > day)
    )
    return sum(1 for holder, values in rows if holder == unit.id or _mentions(values, unit.code))


def _mentions(value: object, code: str) -> bool:
    if isinstance(value, str):
        return value == code
    if isinstance(value, dict):
        return any(_mentions(v, code) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, code) for v in value)
    return False


def _close(session: Session, unit: OrgUnit, valid_to: dt.date) -> None:
    if valid_to < unit.valid_from:
        raise VillageError(
            f"{unit_label(unit)} bắt đầu từ {unit.valid_from:%d/%m/%Y}: không kết thúc trước ngày đó "
            f"({valid_to:%d/%m/%Y}). Không lưu gì."
        )
    if unit.valid_to is not None and unit.valid_to < valid_to:
        raise VillageError(
            f"{unit_label(unit)} đã hết hiệu lực từ {unit.valid_to:%d/%m/%Y}; không kéo dài được. "
            "Không lưu gì."
        )
    count = _records_after(session, unit, valid_to)
    if count:
        raise VillageError(
            f"{unit_label(unit)} còn {count} bản ghi (kể cả bản ghi đã xóa) của kỳ sau ngày "
            f"{valid_to:%d/%m/%Y}: không kết thúc đơn vị trước các kỳ đó. Hãy chọn ngày muộn hơn. "
            "Không lưu gì."
        )
    unit.valid_to = valid_to


def close_village(session: Session, office_id: int, code: str, valid_to: dt.date, *, user: str) -> OrgUnit:
    """The village's last day; refused while it has records of later periods."""
    office = session.get_one(OrgUnit, office_id)
    unit = _managed(session, office, code)
    _close(session, unit, valid_to)
    session.flush()
    detail = f"{unit_label(unit)} ({unit.code}) hết hiệu lực sau {valid_to:%d/%m/%Y}"
    _audit(session, user, "unit_close", unit, detail)
    return unit


def merge_villages(
    session: Session,
    office_id: int,
    codes: Sequence[str],
    on: dt.date,
    *,
    into: str | None = None,
    new_name: str | None = None,
    new_kind: str | None = None,
    user: str,
) -> OrgUnit:
    """Villages `codes` end the day before `on` and become (part of) `into`, or of a new village.

    The lineage links (dated `on`) let reports follow the old villages' history into the new one.
    """
    office = session.get_one(OrgUnit, office_id)
    merged = [_managed(session, office, code) for code in dict.fromkeys(c.strip().upper() for c in codes)]
    if not merged:
        raise VillageError("Hãy chọn ít nhất một xóm, tổ dân phố để sáp nhập.")
    last_day = on - _ONE_DAY
    for unit in merged:
        if not is_valid_during(unit, last_day, last_day):
            raise VillageError(
                f"{unit_label(unit)} không còn hiệu lực vào ngày {last_day:%d/%m/%Y} ({_span_text(unit)}): "
                "không sáp nhập được từ ngày đó. Không lưu gì."
            )
    if into is not None:
        target = session.scalar(select(OrgUnit).where(OrgUnit.code == into.strip().upper()))
        if target is None:
            raise VillageError(f"Không có đơn vị mã «{into}».")
        if target.kind not in VILLAGE_LEVEL or target.id not in office_unit_ids(session, office.id):
            raise VillageError(f"{unit_label(target)} không phải xóm, tổ dân phố của {unit_label(office)}.")
        if target in merged:
            raise VillageError(f"{unit_label(target)} không sáp nhập được vào chính nó.")
        if not is_valid_during(target, on, on):
            raise VillageError(
                f"{unit_label(target)} không có hiệu lực vào ngày {on:%d/%m/%Y}. Không lưu gì."
            )
    else:
        if new_name is None:
            raise VillageError("Hãy cho biết xóm nhận sáp nhập: chọn xóm có sẵn hoặc nhập tên xóm mới.")
        parent = session.get_one(OrgUnit, merged[0].parent_id)
        for unit in merged:
            _close(session, unit, last_day)  # before the name check: the old namesake then ends first
        session.flush()
        target = add_village(
            session, office.id, new_name, new_kind or merged[0].kind, on, parent_code=parent.code, user=user
        )
    for unit in merged:
        _close(session, unit, last_day)
        link = UnitLineage(from_unit_id=unit.id, to_unit_id=target.id, effective=on, kind="merge")
        session.add(link)
    session.flush()
    names = ", ".join(unit_label(u) for u in merged)
    _audit(session, user, "unit_merge", target, f"{names} sáp nhập vào {unit_label(target)} từ {on:%d/%m/%Y}")
    return target
