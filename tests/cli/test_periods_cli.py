"""`danvan periods`: the codes an office can use, programme phases included, within its unit's validity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import run


def test_lists_programme_phases_and_calendar_periods(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", demo_path, "periods")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert (
        lines[0] == "Kỳ báo cáo dùng được cho Huyện Định Hóa (DH), có hiệu lực từ 01/01/1997 đến 30/06/2025:"
    )
    sk = next(line for line in lines if line.split()[0] == "DA05-TU-SK")
    assert "Sơ kết 2 năm thực hiện Đề án 05-ĐA/TU (2021-2022)" in sk and sk.endswith("09/04/2021–31/12/2022")
    codes = [line.split()[0] for line in lines if line.startswith("  ")]
    assert {"2021", "2023-Q2", "2025-H1", "DA05-TU-TK"} <= set(codes)
    # The district ended on 30/06/2025: nothing after it is offered.
    assert "2025-H2" not in codes and "2026" not in codes
    assert not any(c.startswith("2023-M") for c in codes)  # months only with --year


def test_year_and_json_for_an_abolished_commune(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--db", demo_path, "periods", "--unit", "DH-PHUCCHU", "--year", "2025", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["unit"] == {
        "code": "DH-PHUCCHU",
        "label": "Xã Phúc Chu",
        "valid_from": "1997-01-01",
        "valid_to": "2025-06-30",
    }
    codes = [p["code"] for p in data["periods"]]
    assert codes[0] == "DA05-TU-TK"
    assert [c for c in codes if c.startswith("2025-M")] == [f"2025-M{m:02d}" for m in range(1, 7)]
    assert "2025-H2" not in codes and "2025-Q3" not in codes
    phase = data["periods"][0]
    assert (phase["kind"], phase["programme"], phase["start"]) == ("phase", "DA05-TU", "2021-04-09")


def test_a_year_outside_the_validity_and_a_bad_year(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", demo_path, "periods", "--unit", "DH-PHUCCHU", "--year", "2026")
    assert code == 1 and out == ""  # abolished on 30/06/2025: nothing in 2026, said on stderr
    assert "Xã Phúc Chu (DH-PHUCCHU) có hiệu lực từ 01/01/1997 đến 30/06/2025" in err
    code, _, err = run(capsys, "--db", demo_path, "periods", "--year", "1999")
    assert code == 2 and "Năm 1999 nằm ngoài khoảng cho phép" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["load", "--help"], ["report", "--help"], ["export", "--help"]])
def test_period_help_names_phase_codes(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        run(capsys, *argv)
    out = "".join(capsys.readouterr().out.split())  # argparse wraps lines, even inside a code
    assert "DA05-TU-SK" in out and "`danvanperiods`" in out


def test_unknown_period_code_points_to_the_list(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "--db", demo_path, "load", "--form", "ho_so_xa", "--period", "DA05-SK", tmp_path / "x.csv"
    )
    assert code == 2
    assert "DA05-TU-SK" in err and "`danvan periods`" in err
