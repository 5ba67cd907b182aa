"""`danvan forms list|publish|breaks` and `danvan targets set|list|import`: output, exit codes, nothing
written on a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from danvan_desktop import paths
from danvan_desktop.db.engine import open_database
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.targets import list_targets
from tests.cli.conftest import run


def _targets(db_path: Path) -> list[tuple[str, int, int, str]]:
    db = open_database(db_path)
    try:
        with db.session() as session:
            return [(t.unit_code, t.year, t.indicator, t.value_text) for t in list_targets(session)]
    finally:
        db.close()


def _stricter(tmp_path: Path) -> Path:
    """to_chuc_doan_the version 2: a branch needs 10 members (a rule appended to the rules list)."""
    rule = (
        "  - id: it_nhat_muoi\n"
        '    check: "hoi_vien is None or hoi_vien >= 10"\n'
        '    message: "Chi hội phải có từ 10 hội viên trở lên."\n'
    )
    text = (paths.forms_dir() / "to_chuc_doan_the.yaml").read_text(encoding="utf-8")
    text = text.replace("version: 1", "version: 2", 1).replace("list_columns:", rule + "list_columns:", 1)
    path = tmp_path / "to_chuc_doan_the.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_publish_lists_both_versions_and_the_old_records_that_break_the_new_rule(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    db = open_database(demo_path)
    with db.transaction() as session:
        writer = Writer(load_installation(session).site_id, "Nguyễn Thị Lan")
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        branch = {"to_chuc": "DTN", "ten_chi_hoi": "Chi đoàn xóm Đồng Danh", "hoi_vien": 6, "doi_tuong": 20}
        save_entry(session, get_form("to_chuc_doan_the"), unit.id, period.id, branch, writer=writer)
    db.close()
    version_two = _stricter(tmp_path)
    code, out, err = run(capsys, "--db", demo_path, "forms", "publish", version_two)
    assert (code, err) == (0, "") and "Đã ban hành biểu mẫu" in out and "phiên bản 2" in out
    code, out, _ = run(capsys, "--db", demo_path, "forms", "list")
    lines = [line for line in out.splitlines() if "to_chuc_doan_the" in line]
    assert (
        len(lines) == 2
        and lines[0].startswith("* ")
        and "v2" in lines[0]
        and "Đơn vị ban hành (DH)" in lines[0]
    )
    assert lines[1].startswith("  ") and "v1" in lines[1] and "Kèm theo chương trình" in lines[1]
    code, out, err = run(capsys, "--db", demo_path, "forms", "breaks")
    assert code == 1 and "1 bản ghi" in out
    assert "Chi đoàn xóm Đồng Danh" in err and "Chi hội phải có từ 10 hội viên trở lên." in err
    assert "nhập theo phiên bản 1, đang dùng 2" in err


def test_a_bad_form_file_is_refused_with_its_lines(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 1\ntitle: X\nkind: register\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", demo_path, "forms", "publish", bad)
    assert code == 2 and out == "" and "bad.yaml:1: sections: thiếu trường bắt buộc «sections»" in err
    code, out, _ = run(capsys, "--db", demo_path, "forms", "list")
    assert "Đơn vị ban hành" not in out


def test_targets_set_list_and_import(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    name = ("--name", "Tỷ lệ chi bộ ban hành kế hoạch", "--measure", "%")
    code, out, err = run(
        capsys, "--db", demo_path, "targets", "set", "DH-PHUCCHU", "2026", "1", "85,5", *name
    )
    assert (code, err) == (0, "") and "85,5 %" in out
    code, out, err = run(capsys, "--db", demo_path, "targets", "set", "TN", "2026", "1", "5")
    assert code == 2 and out == "" and "không trực thuộc" in err and "Traceback" not in err
    sheet = tmp_path / "chi-tieu.csv"
    sheet.write_text(
        "don_vi,nam,chi_tieu_so,gia_tri,ten_chi_tieu,don_vi_tinh,loai\n"
        "DH-BAOLINH,2026,1,90,,,\n"
        "DH-BAOLINH,2026,7,3,Số vụ khiếu kiện đông người,vụ,khong_che\n",
        encoding="utf-8",
    )
    bad = tmp_path / "sai.csv"
    bad.write_text(
        "don_vi,nam,chi_tieu_so,gia_tri\nDH-BAOLINH,2026,1,80\nDH-BAOLINH,2026,1,150\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "--db", demo_path, "targets", "import", bad)
    assert code == 2 and "Dòng 3" in err and "không được lớn hơn 100" in err
    assert _targets(demo_path) == [("DH-PHUCCHU", 2026, 1, "85,5")]  # the good first row was not kept
    code, out, err = run(capsys, "--db", demo_path, "targets", "import", sheet)
    assert code == 0 and out.count("Đã giao") == 2
    code, out, _ = run(capsys, "--db", demo_path, "targets", "list", "--unit", "DH-BAOLINH")
    assert code == 0 and "Khống chế" in out and "Số vụ khiếu kiện đông người (giao bởi DH)" in out
    assert _targets(demo_path) == [
        ("DH-BAOLINH", 2026, 1, "90"),
        ("DH-BAOLINH", 2026, 7, "3"),
        ("DH-PHUCCHU", 2026, 1, "85,5"),
    ]


def test_a_form_with_a_wrong_aggregate_is_not_published(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    text = (paths.forms_dir() / "ho_so_xa.yaml").read_text(encoding="utf-8")
    text = text.replace("version: 1", "version: 2", 1).replace("aggregate: max", "aggregate: average", 1)
    bad = tmp_path / "ho_so_xa.yaml"
    bad.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "aggregate: average" in row)
    code, out, err = run(capsys, "--db", demo_path, "forms", "publish", bad)
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"ho_so_xa.yaml:{line}: so_dan_toc.aggregate: giá trị «average» không hợp lệ" in err
    assert "cho phép: 'sum', 'mean', 'max' hoặc 'none'" in err
    code, out, _ = run(capsys, "--db", demo_path, "forms", "list")
    assert "Đơn vị ban hành" not in out  # nothing stored
