"""Real `python -m danvan_desktop` processes: what goes to stdout, what to stderr, which exit code."""

from __future__ import annotations

import errno
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from danvan_desktop.cli.main import main
from danvan_desktop.cli.output import EXIT_CLOSED_PIPE
from tests.cli.test_package_cli import exchange  # noqa: F401  (a fixture: two offices and a package)

pytestmark = pytest.mark.slow


def danvan(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "danvan_desktop", *(str(a) for a in args)]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=300)


def danvan_reader_gone(*args: str | Path) -> tuple[int, str]:
    """Run with standard output closed by its reader before the first line: exit code, stderr."""
    command = [sys.executable, "-m", "danvan_desktop", *(str(a) for a in args)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head -0`: every write of the child now meets a closed pipe
    with proc.stderr:
        err = proc.stderr.read().decode("utf-8")
    return proc.wait(timeout=300), err


def no_traceback(*texts: str) -> bool:
    return not any("Traceback" in t or "Lỗi ngoài dự kiến" in t for t in texts)


def not_a_package(folder: Path) -> Path:
    bad = folder / "hong.danvan"
    bad.write_bytes(b"Day khong phai goi du lieu")
    return bad


def test_refused_package_goes_to_stderr_with_exit_2(commune_path: Path, tmp_path: Path) -> None:
    result = danvan("--db", commune_path, "import", not_a_package(tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("✗ hong.danvan: ") and "không phải" in result.stderr
    assert no_traceback(result.stdout, result.stderr)


def test_json_report_stays_pure_json_beside_a_refusal(
    exchange: dict[str, Path],  # noqa: F811
    tmp_path: Path,
) -> None:
    district, package = exchange["district"], exchange["package"]
    bad = not_a_package(tmp_path)
    result = danvan("--db", district, "import", "--json", "--accept-new-site", package, bad)
    assert result.returncode == 2
    reports = json.loads(result.stdout)  # nothing but the JSON document on stdout
    assert [r["status"] for r in reports] == ["applied", "refused"]
    assert "✗ hong.danvan: " in result.stderr
    assert no_traceback(result.stdout, result.stderr)


def test_rejected_records_go_to_stderr_the_report_to_stdout(
    exchange: dict[str, Path],  # noqa: F811
) -> None:
    other = exchange["folder"] / "bl" / "bl.sqlite3"
    assert danvan("--db", other, "init", "--unit", "DH-BAOLINH").returncode == 0
    result = danvan("--db", other, "import", "--accept-new-site", exchange["package"])
    assert result.returncode == 1  # a person has to look
    assert result.stdout == ""  # every record refused: the whole report is a refusal
    assert "✗ Không nhận bản ghi nào của gói pc-1.danvan" in result.stderr
    assert "ngoài phạm vi" in result.stderr
    assert no_traceback(result.stdout, result.stderr)


@pytest.mark.sqlite_only(reason="a dangling row written through sqlite3 (server: test_server_maintenance.py)")
def test_check_lists_problems_on_stderr(commune_path: Path) -> None:
    assert danvan("--db", commune_path, "check").returncode == 0
    conn = sqlite3.connect(commune_path)
    conn.execute(
        "INSERT INTO record_conflict (record_id, package_id, incoming, detected_at)"
        " VALUES ('khong-co', 'goi', '{}', '2024-01-01 00:00:00')"
    )
    conn.commit()
    conn.close()
    result = danvan("--db", commune_path, "check")
    assert result.returncode == 2
    assert "vấn đề:" in result.stderr and "trỏ tới bản ghi không tồn tại" in result.stderr
    assert "Hãy khôi phục từ bản sao lưu" in result.stderr and result.stdout == ""
    assert no_traceback(result.stdout, result.stderr)


def test_unknown_unit_is_a_vietnamese_message_with_exit_2(commune_path: Path) -> None:
    target = ["--form", "to_chuc_doan_the", "--unit", "KHONGCO", "--period", "2023"]
    result = danvan("--db", commune_path, "load", *target, commune_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("Lỗi: Không tìm thấy đơn vị có mã «KHONGCO»")
    assert no_traceback(result.stdout, result.stderr)


@pytest.mark.parametrize("command", [["units"], ["info"], ["conflicts", "list"], ["trust", "list"]])
def test_reader_gone_ends_quietly(commune_path: Path, command: list[str]) -> None:
    code, err = danvan_reader_gone("--db", commune_path, *command)
    assert code == EXIT_CLOSED_PIPE
    assert err == ""


def test_reader_gone_during_import_keeps_the_imported_package(
    exchange: dict[str, Path],  # noqa: F811
) -> None:
    district = exchange["district"]
    code, err = danvan_reader_gone("--db", district, "import", "--accept-new-site", exchange["package"])
    assert code == EXIT_CLOSED_PIPE and err == ""
    # The package was applied (its own transaction) before the report met the closed pipe.
    again = danvan("--db", district, "import", exchange["package"])
    assert again.returncode == 0 and "đã được nhập trước đây" in again.stdout


def test_reader_gone_after_demo_leaves_a_healthy_database(tmp_path: Path) -> None:
    target = tmp_path / "demo.sqlite3"
    code, err = danvan_reader_gone("--db", target, "demo")
    assert code == EXIT_CLOSED_PIPE and err == ""
    check = danvan("--db", target, "check")
    assert check.returncode == 0, check.stderr


class _WindowsClosedPipe(io.StringIO):
    """Standard output as Windows reports a reader gone: EINVAL, not EPIPE (python/cpython#79935)."""

    def write(self, text: str) -> int:
        raise OSError(errno.EINVAL, "Invalid argument")


def test_windows_closed_pipe_error_ends_quietly_too(
    commune_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", _WindowsClosedPipe())
    assert main(["--db", str(commune_path), "units"]) == EXIT_CLOSED_PIPE
    assert no_traceback(capsys.readouterr().err)
