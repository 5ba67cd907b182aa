"""The base of every data-file schema (catalog, forms, report profiles): strict, frozen, NFC text."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from danvan_desktop.text import nfc


class StrictModel(BaseModel):
    """Unknown keys are errors, instances never change, and every string is stored in NFC."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc_strings(cls, value: object) -> object:
        return nfc(value) if isinstance(value, str) else value
