"""The document-number register: next number per year or term, never reused, only taken by a written file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from danvan_desktop.cli.main import main
from danvan_desktop.db.engine import Database
from danvan_desktop.errors import UserError
from danvan_desktop.services.reporting import report_output
from danvan_desktop.services.reporting.report_numbers import (
    NumberUsedError,
    list_numbers,
    next_number,
    record_number,
)
from danvan_desktop.services.reporting.report_output import ReportRequest, preview_report, save_report
from tests.reports.pdfcheck import text

OLD = b"%PDF-1.4 an earlier return that must survive a refused number"


def _report(db: Database, out: Path, *extra: str, date: str = "2023-02-05") -> int:
    args = ["--db", str(db.path), "report", "--kind", "return", "--unit", "DH-PHUCCHU", "--period", "2023"]
    return main([*args, "--out", str(out), "--date", date, *extra])


def _request(**changes: object) -> ReportRequest:
    base: dict[str, object] = {
        "kind": "return",
        "unit": "DH-PHUCCHU",
        "period": "2023",
        "date": dt.date(2023, 2, 5),
    }
    return ReportRequest(**(base | changes))  # type: ignore[arg-type]


def test_without_number_the_register_gives_the_next_one(
    phuc_chu_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert _report(phuc_chu_db, first) == 0
    assert _report(phuc_chu_db, second) == 0
    assert "số 2 (BC-ĐU, 2023) đã vào sổ đăng ký văn bản" in capsys.readouterr().out
    assert "Số: 01/BC-ĐU" in text(first) and "Số: 02/BC-ĐU" in text(second)
    with phuc_chu_db.session() as session:
        issued = list_numbers(session)
    assert [(n.series, n.number, n.file_name) for n in issued] == [
        ("BC-ĐU:2023", 2, "b.pdf"),
        ("BC-ĐU:2023", 1, "a.pdf"),
    ]
    assert issued[0].unit == "DH-PHUCCHU" and issued[0].period == "2023" and issued[0].profile == "nha_nuoc"


def test_a_used_number_is_refused_and_no_file_is_written(
    phuc_chu_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _report(phuc_chu_db, tmp_path / "a.pdf", "--number", "7") == 0
    out = tmp_path / "b.pdf"
    out.write_bytes(OLD)
    assert _report(phuc_chu_db, out, "--number", "7") == 2
    err = capsys.readouterr().err
    assert "Số 7 (BC-ĐU, 2023) đã được dùng" in err and "a.pdf" in err
    assert out.read_bytes() == OLD
    assert _report(phuc_chu_db, tmp_path / "c.pdf") == 0  # after 7 comes 8, even with 1-6 free
    assert "Số: 08/BC-ĐU" in text(tmp_path / "c.pdf")


def test_state_numbers_restart_each_year_party_numbers_each_term(phuc_chu_db: Database) -> None:
    with phuc_chu_db.session() as session:
        record_number(
            session,
            profile="nha_nuoc",
            series="BC-ĐU:2023",
            number=5,
            title="x",
            unit="DH-PHUCCHU",
            period="2023",
            file_name="x.pdf",
        )
        session.flush()
        for day in (dt.date(2023, 12, 31), dt.date(2024, 1, 2)):
            state = report_output.prepare_report(session, _request(date=day))
            party = report_output.prepare_report(session, _request(date=day, profile="dang"))
            assert (state.series, party.series) == (f"BC-ĐU:{day.year}", "BC/ĐU:2020-2025")
        assert next_number(session, "BC-ĐU:2023") == 6
        assert next_number(session, "BC-ĐU:2024") == 1
        assert report_output.prepare_report(
            session, _request(date=dt.date(2025, 9, 1), profile="dang")
        ).series == ("BC/ĐU:2025-2030")
        session.rollback()


def test_the_same_number_twice_in_a_series_is_refused(phuc_chu_db: Database) -> None:
    entry = {
        "profile": "dang",
        "series": "BC/ĐU:2020-2025",
        "title": "Báo cáo",
        "unit": "DH",
        "period": "2023",
        "file_name": "a.pdf",
    }
    with phuc_chu_db.transaction() as session:
        record_number(session, number=3, **entry)
        record_number(session, number=3, **(entry | {"series": "BC/ĐU:2025-2030"}))
    with pytest.raises(NumberUsedError), phuc_chu_db.transaction() as session:
        record_number(session, number=3, **entry)


def test_a_failed_write_takes_no_number(
    phuc_chu_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from danvan_desktop.reports import render

    def broken(out: Path, data: bytes) -> None:
        raise UserError("Ổ đĩa đầy.")

    monkeypatch.setattr(render, "write_atomically", broken)
    with pytest.raises(UserError, match="Ổ đĩa đầy"):
        save_report(phuc_chu_db, _request(), tmp_path / "a.pdf")
    with phuc_chu_db.session() as session:
        assert list_numbers(session) == []
    monkeypatch.undo()
    assert save_report(phuc_chu_db, _request(), tmp_path / "a.pdf").number == 1


def test_preview_shows_the_next_number_and_records_nothing(phuc_chu_db: Database) -> None:
    preview = preview_report(phuc_chu_db, _request())
    assert preview.number == 1 and preview.pages > 0 and preview.pdf.startswith(b"%PDF")
    with phuc_chu_db.session() as session:
        assert list_numbers(session) == []
