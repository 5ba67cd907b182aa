"""Signing an issued return with a .p12 and a SoftHSM2 token, then checking it as the office above does."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest

from danvan_desktop.db.engine import Database
from danvan_desktop.reports.profile import load_profile
from danvan_desktop.services.reporting.pdf_signing import (
    Appearance,
    SigningError,
    load_p12,
    open_token,
    sign_pdf,
)
from danvan_desktop.services.reporting.pdf_verify import check_pdf, load_trust_roots
from danvan_desktop.services.reporting.report_output import ReportRequest, preview_report
from tests.signing import pki
from tests.signing.conftest import P12_PASSPHRASE, Pki

WHEN = dt.datetime(2026, 12, 3, 9, 30, 15, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _issued(db: Database, profile: str = "nha_nuoc") -> bytes:
    request = ReportRequest(
        kind="return", unit="DH-PHUCCHU", period="2023", date=dt.date(2023, 2, 5), profile=profile
    )
    return preview_report(db, request).pdf


def _appearance(profile: str = "nha_nuoc") -> Appearance:
    return Appearance(load_profile(profile).digital_signature)


def test_p12_signer_and_organization_verify(phuc_chu_db: Database, test_pki: Pki) -> None:
    signer = load_p12(test_pki.signer_p12, P12_PASSPHRASE)
    org = load_p12(test_pki.organization_p12, P12_PASSPHRASE)
    signed = sign_pdf(_issued(phuc_chu_db), signer, _appearance(), organization=org, when=WHEN)
    result = check_pdf(signed, load_trust_roots(test_pki.trust_dir))
    assert result.ok, result
    assert [(s.field, s.signer) for s in result.signatures] == [
        ("ChuKyNguoiKy", "Nguyễn Văn An"),
        ("ChuKyCoQuan", "Ủy ban nhân dân xã Phúc Chu"),
    ]
    assert result.signatures[0].signed_at == WHEN


def test_token_signature_verifies(phuc_chu_db: Database, test_pki: Pki) -> None:
    with open_token(test_pki.module, pki.PIN) as key:
        assert key.holder == "Nguyễn Văn An"
        signed = sign_pdf(_issued(phuc_chu_db, "dang"), key, _appearance("dang"), when=WHEN)
    result = check_pdf(signed, load_trust_roots(test_pki.trust_dir))
    assert result.ok and [s.signer for s in result.signatures] == ["Nguyễn Văn An"]


def test_wrong_pin_and_passphrase_are_refused(test_pki: Pki) -> None:
    with pytest.raises(SigningError, match="Mã PIN"), open_token(test_pki.module, "000000"):
        pass
    with pytest.raises(SigningError, match="sai mật khẩu"):
        load_p12(test_pki.signer_p12, "sai")


@pytest.mark.parametrize("profile", ["nha_nuoc", "dang"])
def test_signed_return_is_accepted_by_pdfsig_and_drawn_on_its_signature_page(
    phuc_chu_db: Database, test_pki: Pki, tmp_path: Path, profile: str
) -> None:
    appearance = Appearance(
        load_profile(profile).digital_signature,
        signature_image=pki.signature_png(tmp_path / "chu-ky.png"),
        seal_image=pki.seal_png(tmp_path / "con-dau.png"),
    )
    signer = load_p12(test_pki.signer_p12, P12_PASSPHRASE)
    org = load_p12(test_pki.organization_p12, P12_PASSPHRASE)
    out = tmp_path / "signed.pdf"
    out.write_bytes(sign_pdf(_issued(phuc_chu_db, profile), signer, appearance, organization=org, when=WHEN))
    report = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True, check=True).stdout
    # poppler trusts its own NSS store, not the office's folder: the signatures must be valid and the
    # last one must cover the whole file; the chain is checked by check_pdf against the office's roots.
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert "Total document signed" in report, report
    page = str(_signature_page(out))
    # The signer's field lies on the page of the signature block, in its right-hand column.
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(out.read_bytes()))
    field = next(s for s in reader.embedded_signatures if s.field_name == "ChuKyNguoiKy")
    annot = field.sig_field["/Kids"][0] if "/Kids" in field.sig_field else field.sig_field
    pages = range(int(reader.root["/Pages"]["/Count"]))
    on_page = [i for i in pages if annot.get("/P") == reader.find_page_for_modification(i)[0]]
    x1, _y1, x2, _y2 = (float(v) for v in annot["/Rect"])
    assert on_page == [int(page) - 1] and x1 > 595 / 2 - 20 and x2 < 595, (on_page, x1, x2)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", page, "-l", page, str(out), str(tmp_path / "page")], check=True
    )
    assert list(tmp_path.glob("page*.png"))  # looked at by eye when the layout changes


def _signature_page(pdf: Path) -> int:
    for page in range(1, 20):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True
        ).stdout
        if "Nơi nhận" in text:
            return page
    raise AssertionError("no signature block")
