"""Form versions in force: shipped definitions overridden by those pushed from above or published here."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import FormDefinition
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.text import fold, nfc_deep

ORIGIN_SHIPPED = "kem_theo"  # in forms/, installed with the program
ORIGIN_ABOVE = "cap_tren"  # arrived in a reply package from the office above
ORIGIN_OWN = "tai_cho"  # published by this office, to be sent down to its units
ORIGIN_LABELS = {
    ORIGIN_SHIPPED: "Kèm theo chương trình",
    ORIGIN_ABOVE: "Cấp trên gửi xuống",
    ORIGIN_OWN: "Đơn vị ban hành",
}


def canonical_json(form: FormDef) -> str:
    """The one text of a definition: two offices compare versions by its SHA-256."""
    data = form.model_dump(mode="json", exclude_defaults=True)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def form_digest(form: FormDef) -> str:
    return hashlib.sha256(canonical_json(form).encode("utf-8")).hexdigest()


@cache
def _parsed(digest: str, text: str) -> FormDef:
    # Keyed by content: a stored definition is parsed once per process, whichever database holds it.
    return FormDef.model_validate(json.loads(text))


def _form_of(row: FormDefinition) -> FormDef:
    return _parsed(row.digest, json.dumps(row.definition, ensure_ascii=False, sort_keys=True))


def stored_definitions(session: Session) -> list[FormDefinition]:
    return list(
        session.scalars(select(FormDefinition).order_by(FormDefinition.form_id, FormDefinition.version))
    )


def forms_in_force(session: Session, folder: Path | None = None) -> dict[str, FormDef]:
    """Every form by id, in title order: the highest version, a stored one winning a tie with the shipped.

    A form pushed from above (or published here) overrides the shipped file for this office.
    """
    forms = dict(form_registry(folder))
    for row in stored_definitions(session):
        current = forms.get(row.form_id)
        if current is None or row.version >= current.version:
            forms[row.form_id] = _form_of(row)
    return dict(sorted(forms.items(), key=lambda item: fold(item[1].title)))


def form_in_force(session: Session, form_id: str, folder: Path | None = None) -> FormDef:
    forms = forms_in_force(session, folder)
    if form_id not in forms:
        known = ", ".join(sorted(forms))
        raise UserError(f"Không có biểu mẫu «{form_id}». Các biểu mẫu hiện có: {known}.")
    return forms[form_id]


def form_version_def(session: Session, form_id: str, version: int) -> FormDef | None:
    """The definition of one version, if this office knows it (shipped or stored)."""
    shipped = form_registry().get(form_id)
    if shipped is not None and shipped.version == version:
        return shipped
    row = session.scalar(
        select(FormDefinition).where(FormDefinition.form_id == form_id, FormDefinition.version == version)
    )
    return _form_of(row) if row is not None else None


@dataclass(frozen=True)
class ListedForm:
    """One version of a form as `danvan forms list` and the forms screen show it."""

    form_id: str
    title: str
    kind: str
    version: int
    origin: str  # ORIGIN_*
    origin_unit_code: str  # "" for shipped forms
    stored_at: dt.datetime | None
    in_force: bool

    @property
    def origin_label(self) -> str:
        label = ORIGIN_LABELS.get(self.origin, self.origin)
        return f"{label} ({self.origin_unit_code})" if self.origin_unit_code else label


def form_listing(session: Session) -> list[ListedForm]:
    """Every shipped and stored version, in title order, saying which one is in force."""
    in_force = forms_in_force(session)
    listed: list[ListedForm] = []
    for form in form_registry().values():
        listed.append(
            ListedForm(form.id, form.title, form.kind, form.version, ORIGIN_SHIPPED, "", None, False)
        )
    for row in stored_definitions(session):
        form = _form_of(row)
        listed.append(
            ListedForm(
                form.id,
                form.title,
                form.kind,
                form.version,
                row.origin,
                row.origin_unit_code,
                row.stored_at,
                False,
            )
        )
    stored_ids = {(row.form_id, row.version) for row in stored_definitions(session)}
    result = []
    for item in listed:
        current = in_force.get(item.form_id)
        chosen = current is not None and current.version == item.version
        if chosen and item.origin == ORIGIN_SHIPPED and (item.form_id, item.version) in stored_ids:
            chosen = False  # a stored definition of the same version wins the tie
        result.append(_with_force(item, chosen))
    order = {form_id: i for i, form_id in enumerate(in_force)}
    return sorted(result, key=lambda f: (order.get(f.form_id, len(order)), -f.version, f.origin))


def _with_force(item: ListedForm, in_force: bool) -> ListedForm:
    return ListedForm(
        item.form_id,
        item.title,
        item.kind,
        item.version,
        item.origin,
        item.origin_unit_code,
        item.stored_at,
        in_force,
    )


@dataclass(frozen=True)
class StoredForm:
    form_id: str
    version: int
    title: str
    new: bool  # False: this very version was already here (a reply applied twice)


def check_definition(data: object, source: str) -> FormDef:
    """A definition received as data, NFC, validated exactly as a forms/*.yaml file (FormSpecError)."""
    from danvan_desktop.formspec.loader import load_form_data  # YAML and pydantic: only when needed

    return load_form_data(nfc_deep(data), source)


def store_form_definition(
    session: Session,
    form: FormDef,
    *,
    origin: str,
    origin_unit_code: str,
    stored_by: str,
    package_id: str | None = None,
) -> StoredForm:
    """Keep a checked definition; the same version with other content is refused (UserError).

    Records carry only their version number, so one number must always mean one text.
    """
    digest = form_digest(form)
    label = f"Biểu mẫu «{form.title}» ({form.id}) phiên bản {form.version}"
    shipped = form_registry().get(form.id)
    if shipped is not None and shipped.version == form.version and form_digest(shipped) != digest:
        raise UserError(
            f"{label} khác với phiên bản {form.version} kèm theo chương trình; "
            "một phiên bản mới phải mang số phiên bản lớn hơn."
        )
    row = session.scalar(
        select(FormDefinition).where(
            FormDefinition.form_id == form.id, FormDefinition.version == form.version
        )
    )
    if row is not None:
        if row.digest != digest:
            raise UserError(
                f"{label} đã có ở đây với nội dung khác (nguồn: {ORIGIN_LABELS.get(row.origin, row.origin)} "
                f"{row.origin_unit_code}); một phiên bản mới phải mang số phiên bản lớn hơn."
            )
        return StoredForm(form.id, form.version, form.title, new=False)
    if shipped is not None and shipped.version == form.version:
        return StoredForm(form.id, form.version, form.title, new=False)  # identical to the shipped file
    session.add(
        FormDefinition(
            form_id=form.id,
            version=form.version,
            title=form.title,
            origin=origin,
            origin_unit_code=origin_unit_code,
            definition=json.loads(canonical_json(form)),
            digest=digest,
            stored_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            stored_by=stored_by,
            package_id=package_id,
        )
    )
    session.flush()
    return StoredForm(form.id, form.version, form.title, new=True)


def definitions_to_send(session: Session) -> list[dict[str, Any]]:
    """The stored definitions (published here or received from above), as data for a reply package."""
    return [dict(row.definition) for row in stored_definitions(session)]
