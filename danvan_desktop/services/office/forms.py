"""The installed form definitions, loaded once per process from forms/."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from danvan_desktop import paths
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.text import fold


@cache
def _load(folder: Path) -> dict[str, FormDef]:
    from danvan_desktop.formspec.loader import load_forms  # YAML + pydantic: only when forms are needed

    return load_forms(folder)


def form_registry(folder: Path | None = None) -> dict[str, FormDef]:
    """Every form by id, in the order of their titles."""
    forms = _load((folder or paths.forms_dir()).resolve())
    return dict(sorted(forms.items(), key=lambda item: fold(item[1].title)))


def get_form(form_id: str, folder: Path | None = None) -> FormDef:
    forms = form_registry(folder)
    if form_id not in forms:
        known = ", ".join(sorted(forms))
        raise UserError(f"Không có biểu mẫu «{form_id}». Các biểu mẫu hiện có: {known}.")
    return forms[form_id]
