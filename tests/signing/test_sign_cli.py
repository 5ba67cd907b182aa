"""`danvan report --sign`, `danvan sign`, `danvan verify-pdf`: one step, honest numbers, exit codes 0/1/2."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from danvan_desktop.cli.main import main
from danvan_desktop.db.engine import Database
from danvan_desktop.services.reporting.report_numbers import list_numbers
from tests.signing import pki
from tests.signing.conftest import P12_PASSPHRASE, Pki


def _pin(tmp_path: Path, secret: str, name: str = "pin.txt") -> Path:
    path = tmp_path / name
    path.write_text(secret + "\n", encoding="utf-8")
    return path


def _report(db: Database, out: Path, *extra: str) -> int:
    args = ["--db", str(db.path), "report", "--kind", "return", "--unit", "DH-PHUCCHU", "--period", "2023"]
    return main([*args, "--out", str(out), "--date", "2023-02-05", *extra])


def _verify(path: Path, trust: Path) -> int:
    return main(["verify-pdf", str(path), "--trust-dir", str(trust)])


def _numbers(db: Database) -> list[tuple[int, str]]:
    with db.session() as session:
        return [(n.number, n.file_name) for n in list_numbers(session)]


def test_report_sign_in_one_step_then_verify(
    phuc_chu_db: Database, test_pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bao-cao.pdf"
    pin = _pin(tmp_path, P12_PASSPHRASE)
    code = _report(
        phuc_chu_db, out, "--sign", "--cert", str(test_pki.signer_p12), "--pin-file", str(pin),
        "--org-cert", str(test_pki.organization_p12), "--org-pin-file", str(pin),
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert _numbers(phuc_chu_db) == [(1, "bao-cao.pdf")]
    capsys.readouterr()
    assert _verify(out, test_pki.trust_dir) == 0
    shown = capsys.readouterr().out
    assert "Nguyễn Văn An" in shown and "Ủy ban nhân dân xã Phúc Chu" in shown and "HỢP LỆ" in shown


def test_failed_signing_writes_nothing_and_gives_the_number_back(
    phuc_chu_db: Database,
    test_pki: Pki,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    out = tmp_path / "bao-cao.pdf"
    token = ["--cert", "token", "--pkcs11-module", str(test_pki.module)]
    with caplog.at_level(logging.INFO):
        assert _report(phuc_chu_db, out, "--sign", *token, "--pin-file", str(_pin(tmp_path, "000000"))) == 2
    assert "Mã PIN của token không đúng" in capsys.readouterr().err
    assert not out.exists() and _numbers(phuc_chu_db) == []
    # The organization's passphrase is wrong: refused before the register is touched, as a wrong PIN.
    bad = _pin(tmp_path, "sai", "org.txt")
    good = _pin(tmp_path, pki.PIN, "token.txt")
    org = ["--org-cert", str(test_pki.organization_p12), "--org-pin-file", str(bad)]
    assert _report(phuc_chu_db, out, "--sign", *token, "--pin-file", str(good), *org) == 2
    assert not out.exists() and _numbers(phuc_chu_db) == []
    # The signer's token works: the return takes number 1, the one the failures gave back.
    assert _report(phuc_chu_db, out, "--sign", *token, "--pin-file", str(good)) == 0
    assert _numbers(phuc_chu_db) == [(1, "bao-cao.pdf")]
    assert _verify(out, test_pki.trust_dir) == 0


def test_signing_that_fails_inside_the_transaction_is_logged_and_rolled_back(
    phuc_chu_db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import datetime as dt

    from danvan_desktop.services.reporting.pdf_signing import SigningError
    from danvan_desktop.services.reporting.report_output import ReportRequest, save_report

    def cancelled(_pdf: bytes) -> bytes:
        raise SigningError("Đã hủy ký số.")

    request = ReportRequest(kind="return", unit="DH-PHUCCHU", period="2023", date=dt.date(2023, 2, 5))
    out = tmp_path / "x.pdf"
    with caplog.at_level(logging.WARNING), pytest.raises(SigningError):
        save_report(phuc_chu_db, request, out, sign=cancelled)
    assert not out.exists() and _numbers(phuc_chu_db) == []
    assert "number given back" in caplog.text and "số 1" in caplog.text


def test_sign_an_issued_file_later_keeps_its_number(
    phuc_chu_db: Database, test_pki: Pki, tmp_path: Path
) -> None:
    issued = tmp_path / "bc.pdf"
    assert _report(phuc_chu_db, issued) == 0
    pin = _pin(tmp_path, pki.PIN)
    db = ["--db", str(phuc_chu_db.path)]
    token = ["--cert", "token", "--pkcs11-module", str(test_pki.module), "--pin-file", str(pin)]
    assert main([*db, "sign", str(issued), *token]) == 0
    signed = tmp_path / "bc_da_ky.pdf"
    assert _verify(signed, test_pki.trust_dir) == 0
    assert _verify(issued, test_pki.trust_dir) == 1  # the unsigned original has empty fields only
    assert _numbers(phuc_chu_db) == [(1, "bc.pdf")]
    # A field already signed is not signed again.
    assert main([*db, "sign", str(signed), *token, "--out", str(tmp_path / "again.pdf")]) == 2


def test_verify_refuses_a_changed_byte_and_an_untrusted_ca(
    phuc_chu_db: Database, test_pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pin = _pin(tmp_path, P12_PASSPHRASE)
    good, stranger = tmp_path / "good.pdf", tmp_path / "stranger.pdf"
    assert (
        _report(phuc_chu_db, good, "--sign", "--cert", str(test_pki.signer_p12), "--pin-file", str(pin)) == 0
    )
    stranger_args = ["--sign", "--cert", str(test_pki.stranger_p12), "--pin-file", str(pin)]
    assert _report(phuc_chu_db, stranger, *stranger_args) == 0
    data = bytearray(good.read_bytes())
    at = data.index(b"stream") + 40  # inside the first page's content, inside the signed bytes
    data[at] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    capsys.readouterr()
    assert _verify(good, test_pki.trust_dir) == 0
    assert _verify(changed, test_pki.trust_dir) == 1
    assert "KHÔNG" in capsys.readouterr().out
    assert _verify(stranger, test_pki.trust_dir) == 1
    assert "KHÔNG tin cậy" in capsys.readouterr().out


def test_verify_bad_input_exits_2(test_pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "a.pdf"
    text.write_text("không phải PDF", encoding="utf-8")
    assert _verify(text, test_pki.trust_dir) == 2
    assert "không phải PDF" in capsys.readouterr().err
    assert _verify(tmp_path / "none.pdf", test_pki.trust_dir) == 2
    assert _verify(text, tmp_path / "no-roots") == 2
    assert "chứng thư gốc" in capsys.readouterr().err
