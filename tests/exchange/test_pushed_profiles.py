"""Report profiles travel down in the reply package: stored at the unit, used to print its returns."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from danvan_desktop import paths
from danvan_desktop.db.models import InboxItem, PushedProfile
from danvan_desktop.errors import UserError
from danvan_desktop.reports.profile import ProfileError, load_profile, resolved_profile_data
from danvan_desktop.services.exchange.profile_kinds import ProfilePayloadError, _checked
from danvan_desktop.services.reporting.pushed_profiles import office_profile, pushed_profile_texts
from danvan_desktop.services.reporting.report_output import ReportRequest, profile_choices, save_report
from tests.cli.conftest import run
from tests.exchange.conftest import Site
from tests.exchange.review_helpers import act, reply, snapshot
from tests.reports.factories import set_up_phuc_chu_office
from tests.reports.pdfcheck import text

DISTRICT_PROFILE = """extends: nha_nuoc
name: "Mẫu của Ban Dân vận Huyện ủy Định Hóa"
recipients:
  archive: "Lưu: VT, BDVHU."
"""
COMMUNE_PROFILE = DISTRICT_PROFILE.replace("BDVHU", "ĐU xã").replace("Ban Dân vận Huyện ủy", "Đảng ủy xã")


def _write(folder: Path, name: str, content: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(content, encoding="utf-8")


def _print(site: Site, out: Path, profiles_dir: Path) -> str:
    request = ReportRequest(
        kind="return",
        unit="DH-PHUCCHU",
        period="2023",
        date=dt.date(2023, 2, 5),
        profile="huyen_uy",
        profiles_dir=profiles_dir,
    )
    prepared = save_report(site.db, request, out)
    assert prepared.profile_key == "huyen_uy"
    return text(out)


def _first_contact(phuc_chu: Site, district: Site) -> None:
    act(phuc_chu, set_up_phuc_chu_office)
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)


def test_a_profile_pushed_by_the_district_prints_the_communes_return(
    phuc_chu: Site, district: Site, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_contact(phuc_chu, district)
    commune_dir = tmp_path / "commune-profiles"  # the commune's own folder: none of its own yet
    with pytest.raises(ProfileError, match="Không có mẫu văn bản «huyen_uy»"):
        _print(phuc_chu, tmp_path / "before.pdf", commune_dir)

    _write(data_dir / "profiles", "huyen_uy", DISTRICT_PROFILE)  # the district's own profiles folder
    report = phuc_chu.import_(reply(district), accept_new_site=True)
    assert report.status == "applied", report.message
    with phuc_chu.db.session() as session:
        stored = session.scalars(select(PushedProfile)).one()
        assert (stored.name, stored.origin_unit_code) == ("huyen_uy", "DH")
        [line] = session.scalars(select(InboxItem).where(InboxItem.kind == "report_profiles"))
        assert line.title == "Mẫu văn bản" and "mới: huyen_uy" in line.detail
        choices = profile_choices(commune_dir, pushed_profile_texts(session))
        assert ("huyen_uy", "Mẫu của Ban Dân vận Huyện ủy Định Hóa (cấp trên gửi)") in choices
        assert ("nha_nuoc", load_profile("nha_nuoc").name) in choices
        # The whole profile travelled (extends merged in at the district): equal to the file, read there.
        assert office_profile(session, "huyen_uy", commune_dir) == load_profile(
            "huyen_uy", data_dir / "profiles"
        )
    printed = _print(phuc_chu, tmp_path / "bc.pdf", commune_dir)
    assert "Lưu: VT, BDVHU." in printed

    # The commune's own file of that name wins over the one from above.
    _write(commune_dir, "huyen_uy", COMMUNE_PROFILE)
    assert "Lưu: VT, ĐU xã." in _print(phuc_chu, tmp_path / "own.pdf", commune_dir)

    # The same profiles in a later reply change nothing, and add no line to the inbox: nothing new to read.
    again = phuc_chu.import_(reply(district), accept_new_site=True)
    assert again.status == "applied", again.message
    with phuc_chu.db.session() as session:
        assert len(session.scalars(select(PushedProfile)).all()) == 1
        details = [
            i.detail for i in session.scalars(select(InboxItem).where(InboxItem.kind == "report_profiles"))
        ]
        assert len(details) == 1 and "mới: huyen_uy" in details[0]

    # The default profile may be set to one sent from above (checked against the database, not files).
    (data_dir / "profiles" / "huyen_uy.yaml").unlink()  # this process's own folder: the district's file
    code, out, err = run(capsys, "--db", phuc_chu.db.path, "settings", "set", "report.profile", "huyen_uy")
    assert (code, err) == (0, "") and "huyen_uy" in out, err
    code, _out, err = run(capsys, "--db", phuc_chu.db.path, "settings", "set", "report.profile", "khong_co")
    assert code == 2 and "Không có mẫu văn bản «khong_co»" in err and "huyen_uy" in err


def _broken() -> dict[str, Any]:
    data = resolved_profile_data(paths.profiles_dir() / "nha_nuoc.yaml")
    data["header"] = dict(data["header"], left_width=0.95)  # outside (0.2, 0.8): a file would be refused
    return data


def test_an_invalid_pushed_profile_refuses_the_whole_reply(
    phuc_chu: Site, district: Site, data_dir: Path
) -> None:
    _first_contact(phuc_chu, district)
    _write(data_dir / "profiles", "huyen_uy", DISTRICT_PROFILE)  # valid: would be stored on its own

    def older_program(session: Any) -> None:
        # A profile the district received from above with an older program's lighter check: it forwards it.
        session.add(
            PushedProfile(
                name="tinh_uy",
                content=json.dumps(_broken(), ensure_ascii=False, default=str),
                origin_unit_code="TN",
                package_id="0" * 36,
                received_at=dt.datetime(2026, 12, 1),
            )
        )
        from danvan_desktop.services.office.settings import set_setting

        set_setting(session, "office.issuing_body", "Ban Dân vận Huyện ủy Định Hóa")

    act(district, older_program)
    before = snapshot(phuc_chu)
    with pytest.raises(UserError, match=r"(?s)mẫu văn bản\).*«tinh_uy».*header.left_width"):
        phuc_chu.import_(reply(district), accept_new_site=True)
    after = snapshot(phuc_chu)
    ledgers = ("refused_package", "received_package")
    assert [t for t in after if t[0] not in ledgers] == [t for t in before if t[0] not in ledgers]


def _payload(*profiles: tuple[object, object]) -> bytes:
    items = [{"name": n, "profile": p} for n, p in profiles]
    return json.dumps({"profiles": items}, default=str).encode()  # numbering.terms: ISO dates


def _valid() -> dict[str, Any]:
    return resolved_profile_data(paths.profiles_dir() / "dang.yaml")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"\xff", "không phải JSON UTF-8"),
        (json.dumps({"profiles": []}).encode(), "từ 1 đến 30 mẫu"),
        (_payload(("../etc", _valid())), "tên mẫu thứ 1"),
        (_payload(("a", _valid()), ("a", _valid())), "«a» xuất hiện hai lần"),
        (_payload(("a", dict(_valid(), extends="nha_nuoc"))), "không dựa vào mẫu khác"),
        (_payload(("a", dict(_valid(), name="ư" * 9_000))), "dài quá 20000 byte"),
        (_payload(("a", dict(_valid(), closing_mark=None))), "«closing_mark»"),
        (_payload(("a", dict(_valid(), summary={"size": 13, "colour": "red"}))), "gõ nhầm tên"),
        (
            _payload(("a", dict(_valid(), phrases=dict(_valid()["phrases"], models="{so_luong} mô hình")))),
            "không có chỗ điền {so_luong}",
        ),
    ],
)
def test_a_profile_payload_is_checked_like_a_file(payload: bytes, message: str) -> None:
    with pytest.raises(ProfilePayloadError, match=message) as caught:
        _checked(payload)
    assert caught.value.message.startswith("Gói trả lời của cấp trên bị từ chối (mẫu văn bản)")
    assert _checked(_payload(("dang_rieng", _valid())))  # the valid one passes


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (DISTRICT_PROFILE.replace("Định Hóa", "ư" * 9_000), "Mẫu văn bản «huyen_uy» dài quá 20000 byte"),
        (DISTRICT_PROFILE.replace("extends: nha_nuoc", "extends: khong_co"), "«extends» chỉ tới mẫu"),
        (DISTRICT_PROFILE + "colour: red\n", "gõ nhầm tên"),
    ],
)
def test_the_district_cannot_write_a_reply_its_units_would_refuse(
    district: Site, data_dir: Path, content: str, message: str
) -> None:
    _write(data_dir / "profiles", "huyen_uy", content)
    with pytest.raises(UserError, match=message):
        reply(district)
