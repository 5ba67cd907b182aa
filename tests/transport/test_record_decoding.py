"""The msgspec reading of record lines accepts exactly what the strict stdlib/pydantic reading accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from danvan_desktop.transport import record_decoding
from danvan_desktop.transport.package_format import PackageError, loads_strict
from danvan_desktop.transport.reader import parse_record_line
from danvan_desktop.transport.schema import PRENORMALIZED, PackageRecord

PATH = Path("goi.danvan")
RECORD: dict[str, Any] = {
    "created_at": "2023-12-11T13:37:00Z",
    "created_by": "Ma Thị Hoa",
    "deleted": False,
    "form_id": "to_chuc_doan_the",
    "form_version": 1,
    "id": "0e8d17ca-e522-4cb7-9cc9-d45d5cfa0a93",
    "origin_site": "ec76adf7-da6a-4941-abc3-b9d1428161a4",
    "period_code": "2023",
    "unit_code": "DH-BAOCUONG",
    "updated_at": "2023-12-11T13:37:00+07:00",
    "updated_by": "Ma Thị Hoa",
    "values": {
        "doi_tuong": 1167,
        "ghi_chu": "Sinh hoạt: đều đặn, hằng tháng.",
        "hoi_vien": 792,
        "bang": [{"xom": "Nà Mòn", "so": 3}, ["a", 1.5, None, True]],
        "ty_le_tap_hop": 67.9,
    },
    "version_vector": {"ec76adf7-da6a-4941-abc3-b9d1428161a4": 1},
}


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _slow(text: str) -> PackageRecord:
    return PackageRecord.model_validate(loads_strict(text, nfc_text=True), context=PRENORMALIZED)


@pytest.mark.parametrize(
    "record",
    [
        RECORD,
        RECORD | {"updated_by_name": "Ma Thị Hoa"},
        RECORD | {"updated_by_name": None},
        RECORD | {"id": "0E8D17CAE5224CB79CC9D45D5CFA0A93", "values": {}},
        RECORD | {"values": {"a": 10**400, "b": -1e308, "c": "x:y", "d": ""}},
    ],
)
def test_fast_reading_equals_the_strict_one(record: dict[str, Any]) -> None:
    text = _line(record)
    fast = record_decoding.decode_plain_line(text)
    assert fast is not None
    assert fast == _slow(text)
    assert fast.model_dump() == _slow(text).model_dump()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (_line(RECORD).replace('"hoi_vien":792', '"hoi_vien":792,"hoi_vien":5'), "json"),
        (_line(RECORD).replace('"deleted":false', '"deleted":false,"deleted":true'), "json"),
        (_line(RECORD).replace('"so":3', '"so":3,"so":4'), "json"),  # inside a nested object
        (_line(RECORD).replace('{"ec76', '{"x":1,"x":2,"ec76'), "json"),  # in the version vector
        (_line(RECORD).replace('"hoi_vien":792', '"hoi_vien":NaN'), "json"),
        (_line(RECORD).replace('"hoi_vien":792', '"hoi_vien":Infinity'), "json"),
        (_line(RECORD).replace('"hoi_vien":792', '"hoi_vien":-Infinity'), "json"),
        (_line(RECORD).replace('"hoi_vien":792', '"hoi_vien":1e999'), "json"),
        (_line(RECORD).replace('"form_version":1', '"form_version":true'), "form_version"),
        (_line(RECORD).replace('"form_version":1', '"form_version":1.0'), "form_version"),
        (_line(RECORD).replace('"form_version":1', '"form_version":0'), "form_version"),
        (_line(RECORD).replace('"deleted":false', '"deleted":"false"'), "deleted"),
        (_line(RECORD).replace('+07:00"', '"'), "updated_at"),
        (_line(RECORD).replace(":1}}", ":-1}}"), "version_vector"),
        (_line(RECORD).replace('"0e8d17ca-e522', '"0e8d17ca-x522'), "id"),
        (_line(RECORD).replace('"deleted"', '"extra":1,"deleted"'), "extra"),
        (_line(RECORD).replace('"Ma Thị Hoa"', '"' + "A" * 201 + '"', 1), "created_by"),
    ],
)
def test_fast_reading_refuses_what_the_strict_one_refuses(text: str, why: str) -> None:
    assert record_decoding.decode_plain_line(text) is None
    with pytest.raises(PackageError) as refused:
        parse_record_line(text.encode("utf-8"), 1, PATH)
    assert why in refused.value.message.lower()


def test_nfd_key_twins_are_refused() -> None:
    # "tên" precomposed and decomposed: one key once the line is normalized to NFC.
    text = _line(RECORD).replace('"hoi_vien":792', '"tên":1,"te\u0302n":2')
    with pytest.raises(PackageError, match="JSON"):
        parse_record_line(text.encode("utf-8"), 1, PATH)


def test_the_fast_reading_is_the_one_used(monkeypatch: pytest.MonkeyPatch) -> None:
    used = []
    decode = record_decoding.decode_plain_line

    def spy(text: str) -> PackageRecord | None:
        used.append(text)
        return decode(text)

    monkeypatch.setattr("danvan_desktop.transport.reader.decode_plain_line", spy)
    record = parse_record_line(_line(RECORD).encode("utf-8"), 1, PATH)
    assert used and record.values["bang"][0]["xom"] == "Nà Mòn"
