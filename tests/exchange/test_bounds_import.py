"""A genuinely signed package with out-of-bounds content: each bad record alone is rejected."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from danvan_desktop.db.models import Period
from danvan_desktop.services.exchange.signing_keys import signing_key
from tests.exchange.conftest import BRANCH, Site
from tests.transport import read_members, record_lines, repack

BAD: dict[str, tuple[dict[str, object], str]] = {
    "Chi hội số quá lớn": ({"values": {"hoi_vien": 10**400}}, "«Số hội viên, đoàn viên»: số vượt giới hạn"),
    "Chi hội số âm cực lớn": (
        {"values": {"doi_tuong": -1e308}},
        "«Số người thuộc đối tượng tập hợp»: số vượt",
    ),
    "Chi hội True": ({"values": {"hoi_vien": True}}, "«Số hội viên, đoàn viên» phải là số nguyên"),
    "Chi hội năm 2099": ({"period_code": "2099"}, "kỳ báo cáo «Năm 2099» nằm ngoài khoảng cho phép"),
    "Chi hội năm 9999": (
        {"updated_at": "9999-12-31T00:00:00Z"},
        "thời điểm sửa bản ghi (31/12/9999 00:00 UTC) muộn hơn lúc nhận gói",
    ),
    "Chi hội tạo năm 1970": ({"created_at": "1970-01-01T00:00:00Z"}, "thời điểm tạo bản ghi (01/01/1970)"),
}


def _forged(phuc_chu: Site, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Phúc Chu's own export, edited and signed again with Phúc Chu's real key."""
    for name in [*BAD, "Chi hội tốt"]:
        phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "ten_chi_hoi": name})
    good = phuc_chu.export("pc-1.danvan")
    lines = [json.loads(line) for line in read_members(good)["records.jsonl"].splitlines()]
    ids = {}
    for line in lines:
        name = line["values"]["ten_chi_hoi"]
        ids[name] = line["id"]
        if name in BAD:
            changes = dict(BAD[name][0])
            line["values"].update(changes.pop("values", {}))
            line.update(changes)
    key = signing_key(phuc_chu.db.path, phuc_chu.site_id)
    manifest = json.loads(read_members(good)["manifest.json"])
    periods = sorted({*manifest["periods"], "2099"})
    forged = repack(
        good, tmp_path / "forged.danvan", records=record_lines(*lines), manifest={"periods": periods}, key=key
    )
    return forged, ids


def test_each_out_of_bounds_record_alone_is_rejected(phuc_chu: Site, district: Site, tmp_path: Path) -> None:
    forged, ids = _forged(phuc_chu, tmp_path)
    report = district.import_(forged, accept_new_site=True)
    assert report.plan is not None
    by_id = {r.incoming.id: r for r in report.plan.results}
    for name, (_, reason) in BAD.items():
        result = by_id[ids[name]]
        assert (result.outcome, name) == ("rejected", name)
        assert reason in result.reason, (name, result.reason)
    assert by_id[ids["Chi hội tốt"]].outcome == "new"
    stored = district.records()
    assert [r.id for r in stored] == [ids["Chi hội tốt"]]
    with district.db.session() as session:
        assert session.scalar(select(Period).where(Period.code == "2099")) is None
