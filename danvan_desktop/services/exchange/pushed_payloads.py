"""What a reply package carries down besides review decisions: forms, targets, catalog, settings.

Each kind has `export_X(session, unit_code) -> dict | None` (None: nothing to send that unit) at the
office above, and `apply_X(session, data, origin) -> str` (a summary) at the unit, where `origin` is
the code of the office that sent it; PAYLOADS wraps them as the bytes the reply package carries.
Applying is all or nothing (a savepoint) and checks every entry strictly: content from a package is
untrusted until proven otherwise, even signed by the office above.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.schema import CatalogFile
from danvan_desktop.db.models import CriteriaSet, Organization, OrgUnit, UnitTarget
from danvan_desktop.errors import CatalogError, UserError
from danvan_desktop.formspec.loader import FormSpecError
from danvan_desktop.services.entry.entry import current_writer
from danvan_desktop.services.entry.target_records import fill_target_records
from danvan_desktop.services.office.accounts import current_actor
from danvan_desktop.services.office.catalog_sync import import_catalog_data
from danvan_desktop.services.office.form_versions import (
    ORIGIN_ABOVE,
    check_definition,
    definitions_to_send,
    form_in_force,
    store_form_definition,
)
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.settings import get_setting, set_setting
from danvan_desktop.services.office.targets import (
    INDICATOR_FORM,
    ORIGIN_HERE,
    check_target,
    store_received_targets,
)
from danvan_desktop.text import nfc_deep

MAX_FORMS = 100
MAX_TARGETS = 5000
MAX_TEXT = 300
SUPERIOR_SETTING = "office.superior_body"
ISSUING_SETTING = "office.issuing_body"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

T = TypeVar("T")


class PayloadError(UserError):
    """A reply payload refused whole; nothing of it was stored."""

    exit_code = 2


def _refuse(kind: str, reason: str) -> PayloadError:
    reason = reason.strip().rstrip(".")
    return PayloadError(f"Gói trả lời của cấp trên bị từ chối ({kind}): {reason}. Không có gì được lưu.")


def _atomic(session: Session, kind: str, work: Callable[[], T]) -> T:
    """Run `work` in a savepoint: a refusal leaves the session exactly as it was."""
    savepoint = session.begin_nested()
    try:
        result = work()
    except PayloadError:
        savepoint.rollback()
        raise
    except (UserError, ValidationError) as exc:
        savepoint.rollback()
        raise _refuse(kind, str(exc)) from exc
    savepoint.commit()
    return result


def _mapping(data: object, kind: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict) or set(data) != keys:
        raise _refuse(kind, f"nội dung phải là một bảng có đúng các khóa {', '.join(sorted(keys))}")
    return nfc_deep(data)  # type: ignore[no-any-return]


def _text(value: object, kind: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT or _CONTROL.search(value):
        raise _refuse(kind, f"{what} phải là văn bản một dòng, không rỗng, không quá {MAX_TEXT} ký tự")
    return value.strip()


# ----------------------------------------------------------------------------------------- forms

FORMS = "biểu mẫu"


def export_forms(session: Session, unit_code: str) -> dict[str, Any] | None:
    """Every form version published here or received from above (a unit ignores what it has)."""
    definitions = definitions_to_send(session)
    return {"definitions": definitions} if definitions else None


def apply_forms(session: Session, data: object, origin: str) -> str:
    payload = _mapping(data, FORMS, {"definitions"})
    items = payload["definitions"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_FORMS:
        raise _refuse(FORMS, f"«definitions» phải là danh sách từ 1 đến {MAX_FORMS} định nghĩa")
    forms = []
    for i, item in enumerate(items, 1):
        try:
            forms.append(check_definition(item, f"định nghĩa thứ {i}"))
        except FormSpecError as exc:
            raise _refuse(FORMS, str(exc)) from exc
    seen = [(f.id, f.version) for f in forms]
    if len(set(seen)) != len(seen):
        raise _refuse(FORMS, "một phiên bản biểu mẫu xuất hiện hai lần")
    stored_by = current_actor(session).writer_name

    def store() -> str:
        results = [
            store_form_definition(
                session, f, origin=ORIGIN_ABOVE, origin_unit_code=origin, stored_by=stored_by
            )
            for f in forms
        ]
        new = [r for r in results if r.new]
        if not new:
            return "Biểu mẫu: không có phiên bản mới."
        return "Biểu mẫu mới: " + ", ".join(f"«{r.title}» phiên bản {r.version}" for r in new) + "."

    return _atomic(session, FORMS, store)


# --------------------------------------------------------------------------------------- targets

TARGETS = "chỉ tiêu Đề án 05"


def export_targets(session: Session, unit_code: str) -> dict[str, Any] | None:
    """The targets this office assigned to `unit_code`, every year, values as exact text."""
    unit = find_unit(session, unit_code)
    rows = session.scalars(
        select(UnitTarget)
        .where(UnitTarget.org_unit_id == unit.id, UnitTarget.origin == ORIGIN_HERE)
        .order_by(UnitTarget.year, UnitTarget.indicator)
    ).all()
    if not rows:
        return None
    return {
        "targets": [
            {
                "year": r.year,
                "indicator": r.indicator,
                "name": r.name,
                "measure": r.measure,
                "kind": r.kind,
                "value": f"{r.value:.2f}",
            }
            for r in rows
        ]
    }


_TARGET_KEYS = {"year", "indicator", "name", "measure", "kind", "value"}


def apply_targets(session: Session, data: object, origin: str) -> str:
    """Store the targets of this office's own unit, then set them as its indicator records' plan figures."""
    payload = _mapping(data, TARGETS, {"targets"})
    items = payload["targets"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_TARGETS:
        raise _refuse(TARGETS, f"«targets» phải là danh sách từ 1 đến {MAX_TARGETS} chỉ tiêu")
    form = form_in_force(session, INDICATOR_FORM)
    checked = []
    for item in items:
        if not isinstance(item, dict) or set(item) != _TARGET_KEYS:
            raise _refuse(TARGETS, f"mỗi chỉ tiêu phải có đúng các khóa {', '.join(sorted(_TARGET_KEYS))}")
        value = item["value"]
        if not isinstance(value, str) or not re.fullmatch(r"\d{1,13}(\.\d{1,2})?", value):
            raise _refuse(TARGETS, f"giá trị chỉ tiêu «{value}» phải viết dạng số 85.50")
        name = _text(item["name"], TARGETS, "tên chỉ tiêu")
        measure = _text(item["measure"], TARGETS, "đơn vị tính")
        kind = item["kind"] if isinstance(item["kind"], str) else ""
        try:
            indicator, number = check_target(
                form, item["year"], item["indicator"], float(value), name, measure, kind
            )
        except UserError as exc:
            raise _refuse(TARGETS, exc.message) from exc
        checked.append((item["year"], indicator, name, measure, kind, number))
    keys = [(c[0], c[1]) for c in checked]
    if len(set(keys)) != len(keys):
        raise _refuse(TARGETS, "một chỉ tiêu của một năm xuất hiện hai lần")
    installation = load_installation(session)

    def store() -> str:
        unit_id = installation.office_unit_id
        store_received_targets(session, unit_id, checked, origin, current_actor(session).writer_name)
        writer = current_writer(session, installation.site_id)
        parts = []
        for year in sorted({c[0] for c in checked}):
            fill = fill_target_records(session, form, unit_id, year, writer)
            parts.append(f"năm {year}: {fill.summary_vi()}")
        return f"Chỉ tiêu Đề án 05 ({len(checked)} chỉ tiêu) — " + "; ".join(parts) + "."

    return _atomic(session, TARGETS, store)


# --------------------------------------------------------------------------------------- catalog

CATALOG = "danh mục"
_SHARED_SOURCES = ("user", "cap_tren:")  # units added here from a file, or received from above


def export_catalog(session: Session, unit_code: str) -> dict[str, Any] | None:
    """Units added to the catalog here (or received from above), organizations and criteria sets."""
    units = [
        u
        for u in session.scalars(select(OrgUnit).order_by(OrgUnit.id))
        if u.source.startswith(_SHARED_SOURCES)
    ]
    by_id = {
        u.id: u.code
        for u in session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_({u.parent_id for u in units if u.parent_id}))
        )
    }
    orgs = session.scalars(select(Organization).order_by(Organization.sort_order)).all()
    sets = session.scalars(select(CriteriaSet).order_by(CriteriaSet.code)).all()
    if not (units or orgs or sets):
        return None
    return {
        "catalog_version": 1,
        "title": "Danh mục bổ sung của cấp trên",
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "parent": by_id.get(u.parent_id) if u.parent_id else None,
                "valid_from": u.valid_from.isoformat(),
                "valid_to": u.valid_to.isoformat() if u.valid_to else None,
            }
            for u in units
        ],
        "organizations": [
            {
                "code": o.code,
                "name": o.name,
                "short_name": o.short_name,
                "branch_label": o.branch_label,
                "sort_order": o.sort_order,
            }
            for o in orgs
        ],
        "criteria_sets": [_criteria_set(s) for s in sets],
    }


def _criteria_set(cset: CriteriaSet) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for c in cset.criteria:
        groups.setdefault(c.group_name, []).append({"number": c.number, "name": c.name})
    return {
        "code": cset.code,
        "title": cset.title,
        "decision": cset.decision,
        "issued": cset.issued.isoformat() if cset.issued else None,
        "valid_from": cset.valid_from.isoformat(),
        "valid_to": cset.valid_to.isoformat() if cset.valid_to else None,
        "criteria_count": len(cset.criteria),
        "groups": [{"name": name, "criteria": items} for name, items in groups.items()],
    }


def _under_origin(session: Session, catalog: CatalogFile, origin: str) -> None:
    """Every unit sent must hang below the sending office: it speaks for its own tree only."""
    sent = {u.code: u.parent for u in catalog.units}
    office = session.scalar(select(OrgUnit).where(OrgUnit.code == origin))
    for code in sent:
        current: str | None = sent[code]
        seen = {code}
        while current is not None and current != origin and current not in seen:
            seen.add(current)
            if current in sent:
                current = sent[current]
                continue
            unit = session.scalar(select(OrgUnit).where(OrgUnit.code == current))
            parent = session.get(OrgUnit, unit.parent_id) if unit is not None and unit.parent_id else None
            current = parent.code if parent is not None else None
        if office is None or current != origin:
            raise _refuse(CATALOG, f"đơn vị {code} không thuộc đơn vị gửi ({origin})")


def apply_catalog(session: Session, data: object, origin: str) -> str:
    if not isinstance(data, dict):
        raise _refuse(CATALOG, "nội dung phải là một bảng «khóa: giá trị»")
    try:
        catalog = CatalogFile.model_validate(nfc_deep(data))
    except ValidationError as exc:
        raise _refuse(CATALOG, f"sai cấu trúc ({exc.error_count()} lỗi)") from exc
    if catalog.lineage or catalog.programmes:
        raise _refuse(CATALOG, "gói trả lời chỉ được bổ sung đơn vị, tổ chức và bộ tiêu chí")
    _under_origin(session, catalog, origin)

    def store() -> str:
        try:
            counts = import_catalog_data(session, catalog, source=f"cap_tren:{origin}")
        except CatalogError as exc:
            raise _refuse(CATALOG, str(exc)) from exc
        return f"Danh mục: {counts.summary_vi()}."

    return _atomic(session, CATALOG, store)


# -------------------------------------------------------------------------------------- settings

SETTINGS = "thông tin in trên văn bản"


def export_settings(session: Session, unit_code: str) -> dict[str, Any] | None:
    """The name units print as their superior body: this office's own issuing body."""
    issuing = get_setting(session, ISSUING_SETTING)
    return {"superior_body": issuing} if issuing and issuing.strip() else None


def apply_settings(session: Session, data: object, origin: str) -> str:
    payload = _mapping(data, SETTINGS, {"superior_body"})
    name = _text(payload["superior_body"], SETTINGS, "tên cơ quan cấp trên")

    def store() -> str:
        set_setting(session, SUPERIOR_SETTING, name)
        session.flush()
        return f"Cơ quan cấp trên in trên văn bản: «{name}»."

    return _atomic(session, SETTINGS, store)


# ------------------------------------------------------------------------ the reply package's kinds


class ReplyContext(Protocol):
    """What the reply package's registry passes to an apply function (its ApplyContext)."""

    sender_office: str

    def inbox(self, title: str, detail: str = "") -> None: ...


def _encode(data: dict[str, Any] | None) -> bytes | None:
    if data is None:
        return None
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _decode(raw: bytes, kind: str) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _refuse(kind, "nội dung không phải JSON UTF-8") from exc


Exporter = Callable[[Session, str], "dict[str, Any] | None"]
Applier = Callable[[Session, object, str], str]


@dataclass(frozen=True)
class PayloadSpec:
    """One kind as the reply registry wants it: bytes out at the office above, bytes in at the unit."""

    kind: str
    label: str
    order: int
    export_data: Exporter
    apply_data: Applier

    def export(self, session: Session, unit_code: str) -> bytes | None:
        return _encode(self.export_data(session, unit_code))

    def apply(self, session: Session, data: bytes, context: ReplyContext) -> None:
        """Apply it (always: the unit converges on what the office above holds), and say so in the
        inbox only when it differs from the last one this office sent of this kind: a reply carrying
        a comment also carries the same settings and catalog each time, not news to the unit."""
        summary = self.apply_data(session, _decode(data, self.label), context.sender_office)
        key = f"{LAST_PAYLOAD_PREFIX}{self.kind}:{context.sender_office}"
        digest = hashlib.sha256(data).hexdigest()
        if get_setting(session, key) != digest:
            context.inbox(self.label, summary)
            set_setting(session, key, digest)


LAST_PAYLOAD_PREFIX = "reply.last_payload:"  # + kind + ":" + sender: SHA-256 of what was last applied

PAYLOADS = (
    PayloadSpec("forms", "Biểu mẫu", 10, export_forms, apply_forms),
    PayloadSpec("targets", "Chỉ tiêu Đề án 05", 20, export_targets, apply_targets),
    PayloadSpec("catalog", "Danh mục bổ sung", 30, export_catalog, apply_catalog),
    PayloadSpec("office_settings", "Thông tin in trên văn bản", 50, export_settings, apply_settings),
)


def register_payloads(register: Callable[..., None]) -> None:
    """Register every kind with the reply package's registry: `register_payloads(reply_payloads.register)`."""
    for spec in PAYLOADS:
        register(spec.kind, spec.export, spec.apply, label=spec.label, order=spec.order)
