"""forms/form.schema.json is the schema generated from FormDef, kept up to date on disk."""

from __future__ import annotations

import json
from pathlib import Path

from danvan_desktop.formspec.jsonschema import (
    SCHEMA_FILE_NAME,
    form_json_schema,
    render_form_json_schema,
    write_form_json_schema,
)
from danvan_desktop.formspec.model import FormDef

REPO_FORMS = Path(__file__).resolve().parents[2] / "forms"


def test_schema_describes_a_form_file() -> None:
    schema = form_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "FormDef"
    assert set(schema["required"]) == {"id", "version", "title", "kind", "sections"}
    assert schema["additionalProperties"] is False
    field_types = schema["$defs"]["FieldDef"]["properties"]["type"]["enum"]
    assert "ratio" in field_types and "multi_choice" in field_types
    assert {k: v for k, v in schema.items() if k != "$schema"} == FormDef.model_json_schema()


def test_schema_file_on_disk_is_up_to_date() -> None:
    on_disk = (REPO_FORMS / SCHEMA_FILE_NAME).read_text(encoding="utf-8")
    assert on_disk == render_form_json_schema(), (
        "forms/form.schema.json is stale: run `python -m danvan_desktop.formspec.jsonschema`"
    )


def test_write_regenerates_the_file(tmp_path: Path) -> None:
    target = write_form_json_schema(tmp_path)
    assert target == tmp_path / SCHEMA_FILE_NAME
    assert json.loads(target.read_text(encoding="utf-8")) == form_json_schema()
    assert target.read_bytes().endswith(b"}\n")
