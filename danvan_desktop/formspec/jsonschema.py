"""JSON Schema of form definition files, exported to forms/form.schema.json for editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from danvan_desktop.formspec.model import FormDef

SCHEMA_FILE_NAME = "form.schema.json"


def form_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one forms/*.yaml file, generated from FormDef."""
    # "$schema" lets YAML editors (e.g. the VS Code YAML extension) pick the right draft.
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **FormDef.model_json_schema()}


def render_form_json_schema() -> str:
    """The exact text of forms/form.schema.json: stable key order, UTF-8, final newline."""
    return json.dumps(form_json_schema(), ensure_ascii=False, indent=2) + "\n"


def write_form_json_schema(forms_dir: Path) -> Path:
    """Regenerate forms/form.schema.json; run after changing formspec/model.py."""
    target = forms_dir / SCHEMA_FILE_NAME
    target.write_text(render_form_json_schema(), encoding="utf-8", newline="\n")
    return target


if __name__ == "__main__":  # python -m danvan_desktop.formspec.jsonschema
    from danvan_desktop.paths import forms_dir

    print(write_form_json_schema(forms_dir()))
