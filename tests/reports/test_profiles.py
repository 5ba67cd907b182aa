"""Document profiles: every shipped file is valid, broken ones are refused clearly, texts come out right."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from danvan_desktop.errors import UserError
from danvan_desktop.reports.document import ReportDocument
from danvan_desktop.reports.figures import approximate_money, percent
from danvan_desktop.reports.letterhead import abbreviation, number_line, place_and_date, signature_lines
from danvan_desktop.reports.model import Letterhead
from danvan_desktop.reports.profile import ProfileError, load_profile, load_profile_file, profiles_dir

SHIPPED = sorted(profiles_dir().glob("*.yaml"))


def _letterhead(**changes: str) -> Letterhead:
    values = {
        "issuing_body": "ỦY BAN NHÂN DÂN XÃ PHÚC CHU",
        "superior_body": "UBND HUYỆN ĐỊNH HÓA",
        "place": "Phúc Chu",
        "abbreviation": "UBND",
        "signer_name": "Nguyễn Văn Hải",
        "signer_title": "Chủ tịch",
        "signer_authority": "TM.",
        "signer_collective": "",
    }
    values.update(changes)
    return Letterhead(**values, recipients=())  # type: ignore[arg-type]


def _doc(date: dt.date, number: int | None = 5, **changes: str) -> ReportDocument:
    return ReportDocument(letterhead=_letterhead(**changes), summary="", date=date, body=(), number=number)


def test_shipped_profiles_are_the_two_systems() -> None:
    assert {p.stem for p in SHIPPED} >= {"nha_nuoc", "dang"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_profile_loads(path: Path) -> None:
    profile = load_profile_file(path)
    assert profile.header.left and profile.header.right
    assert profile.recipients.heading.text == "Nơi nhận:"


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (dt.date(2023, 2, 5), "Phúc Chu, ngày 05 tháng 02 năm 2023"),
        (dt.date(2023, 1, 15), "Phúc Chu, ngày 15 tháng 01 năm 2023"),
        (dt.date(2023, 3, 9), "Phúc Chu, ngày 09 tháng 3 năm 2023"),
        (dt.date(2023, 12, 31), "Phúc Chu, ngày 31 tháng 12 năm 2023"),
    ],
)
def test_date_line_pads_days_below_ten_and_months_one_and_two(day: dt.date, line: str) -> None:
    for name in ("nha_nuoc", "dang"):
        assert place_and_date(load_profile(name), _doc(day)) == line


def test_number_lines_follow_each_system() -> None:
    day = dt.date(2023, 2, 5)
    assert number_line(load_profile("nha_nuoc"), _doc(day)) == "Số: 05/BC-UBND"
    assert number_line(load_profile("dang"), _doc(day, 15, abbreviation="ĐU")) == "Số 15-BC/ĐU"
    blank = number_line(load_profile("nha_nuoc"), _doc(day, None))
    assert blank.startswith("Số: \u00a0") and blank.endswith("/BC-UBND")


def test_signature_lines_for_each_authority() -> None:
    state, party = load_profile("nha_nuoc"), load_profile("dang")
    assert signature_lines(state, _letterhead()) == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    assert signature_lines(state, _letterhead(signer_authority="KT", signer_title="Phó Chủ tịch")) == (
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
    )
    assert signature_lines(party, _letterhead(signer_authority="K/T", signer_title="TRƯỞNG BAN")) == (
        "K/T TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
    )
    assert signature_lines(party, _letterhead(signer_collective="Đảng ủy", signer_title="Bí thư")) == (
        "T/M ĐẢNG ỦY",
        "BÍ THƯ",
    )
    assert signature_lines(state, _letterhead(signer_authority="")) == (None, "CHỦ TỊCH")
    with pytest.raises(UserError, match=r"signer\.authority"):
        signature_lines(state, _letterhead(signer_authority="Q."))


def test_money_is_phrased_the_way_the_province_writes_it() -> None:
    spec = load_profile("nha_nuoc").phrases.money
    assert approximate_money(spec, 1_950_000_000) == "gần 2 tỷ đồng"
    assert approximate_money(spec, 1_234_000_000) == "hơn 1,2 tỷ đồng"
    assert approximate_money(spec, 350_000_000) == "350 triệu đồng"
    assert approximate_money(spec, 5_000) == "5.000 đồng"
    assert percent(16, 22) == "72,7%"


def _write(folder: Path, name: str, data: dict[str, object]) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _shipped(name: str) -> dict[str, object]:
    data = yaml.safe_load((profiles_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_missing_required_text_names_the_file_and_the_field(tmp_path: Path) -> None:
    data = _shipped("nha_nuoc")
    del data["header"]["number"]["text"]  # type: ignore[index]
    data["recipients"]["archive"] = "  "  # type: ignore[index]
    path = _write(tmp_path, "xa_phuc_chu", data)
    with pytest.raises(ProfileError) as info:
        load_profile("xa_phuc_chu", tmp_path)
    message = str(info.value)
    assert str(path) in message
    assert "«header.number.text»: thiếu mục bắt buộc" in message
    assert "«recipients.archive»: không được để trống" in message


def test_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    data = _shipped("dang")
    data["header"]["date"]["text"] = "{dia_danh}, ngày {dd} tháng {mm} năm {yyyy}"  # type: ignore[index]
    _write(tmp_path, "sai", data)
    with pytest.raises(ProfileError, match=r"header\.date\.text.*\{dia_danh\}"):
        load_profile("sai", tmp_path)


def test_an_office_profile_extends_a_shipped_one(tmp_path: Path) -> None:
    _write(
        tmp_path, "ubnd_xa", {"extends": "nha_nuoc", "name": "UBND xã", "signature": {"collective": "UBND"}}
    )
    profile = load_profile("ubnd_xa", tmp_path)
    assert profile.name == "UBND xã" and profile.signature.collective == "UBND"
    assert profile.header.number.text == load_profile("nha_nuoc").header.number.text


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="dang, nha_nuoc"):
        load_profile("hanh_chinh")


@pytest.mark.parametrize(
    ("body", "symbol"),
    [
        ("ỦY BAN NHÂN DÂN XÃ PHÚC CHU", "UBNDXPC"),
        ("Ban Dân vận Huyện ủy", "BDVHU"),
        ("Đảng ủy xã Định Hóa", "ĐUXĐH"),
        ("Hội đồng nhân dân", "HĐND"),
    ],
)
def test_a_symbol_made_from_initials_drops_accents_but_keeps_d_stroke(body: str, symbol: str) -> None:
    assert abbreviation(_letterhead(issuing_body=body, abbreviation="")) == symbol
