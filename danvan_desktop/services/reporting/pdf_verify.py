"""Checking a signed return (pyHanko): signatures intact, chained to a trusted root, file unchanged after."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from danvan_desktop.errors import UserError

log = logging.getLogger(__name__)

ROOT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of the file, as the office above reads it."""

    field: str
    signer: str  # the certificate's common name
    organization: str  # its O= attribute
    issuer: str
    signed_at: dt.datetime | None  # as the signer's computer said (no timestamp authority)
    intact: bool  # the signed bytes are those the signer signed
    valid: bool  # the cryptographic signature matches its certificate
    trusted: bool  # the certificate chains to a root in the office's folder
    changed_after: bool  # the file was changed after this signature beyond adding signatures
    problem: str = ""  # why the chain was not accepted, in Vietnamese

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.changed_after


@dataclass(frozen=True)
class PdfCheck:
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)


def load_trust_roots(folder: Path) -> list[Any]:
    """The root certificates (PEM or DER) an office installed in `folder`; none shipped with the app."""
    from asn1crypto import pem, x509  # type: ignore[import-untyped]

    if not folder.is_dir():
        raise UserError(
            f"Chưa có thư mục chứng thư gốc tin cậy «{folder}». Hãy tạo thư mục đó và chép vào các "
            "chứng thư gốc (.crt, .cer, .pem) của tổ chức cung cấp dịch vụ chữ ký số mà đơn vị tin cậy."
        )
    roots = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in ROOT_SUFFIXES:
            continue
        data = path.read_bytes()
        try:
            blobs = [der for _t, _h, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
            for der in blobs:
                cert = x509.Certificate.load(der)
                cert.native  # noqa: B018 - parse now: a broken file is named here, not deep in validation
                roots.append(cert)
        except (ValueError, TypeError) as exc:
            raise UserError(f"Tệp chứng thư gốc «{path}» không đọc được (cần PEM hoặc DER).") from exc
    if not roots:
        raise UserError(
            f"Thư mục «{folder}» chưa có chứng thư gốc nào (.crt, .cer, .pem): chưa kiểm tra được "
            "chuỗi chứng thư. Hãy chép vào chứng thư gốc của tổ chức cung cấp dịch vụ chữ ký số."
        )
    return roots


def _names(cert: Any) -> tuple[str, str, str]:
    subject = cert.subject.native
    issuer = cert.issuer.native
    return (
        str(subject.get("common_name", "")),
        str(subject.get("organization_name", "")),
        str(issuer.get("common_name", "")),
    )


def signature_count(data: bytes) -> int:
    """How many signatures the PDF carries (filled signature fields), without validating them."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return len(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UserError("Tệp PDF bị hỏng, không đọc được.", detail=repr(exc)) from exc


def check_pdf(data: bytes, roots: list[Any]) -> PdfCheck:
    """Every signature of the PDF `data`, checked offline against `roots`."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    if not data.startswith(b"%PDF-"):
        raise UserError("Tệp không phải PDF.")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UserError("Tệp PDF bị hỏng, không đọc được.", detail=repr(exc)) from exc
    checks = []
    for index, embedded in enumerate(signatures):
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        cert = embedded.signer_cert
        signer, organization, issuer = _names(cert)
        try:
            status = validate_pdf_signature(embedded, context)
        except (SignatureValidationError, PdfReadError, ValueError) as exc:
            log.info("signature %s not validated: %r", embedded.field_name, exc)
            checks.append(
                SignatureCheck(
                    embedded.field_name,
                    signer,
                    organization,
                    issuer,
                    None,
                    False,
                    False,
                    False,
                    True,
                    "chữ ký bị hỏng hoặc tệp đã bị sửa",
                )
            )
            continue
        last = index == len(signatures) - 1
        changed = _changed_after(status, last)
        problem = "" if status.trusted else "chứng thư không dẫn tới chứng thư gốc nào đơn vị tin cậy"
        checks.append(
            SignatureCheck(
                field=embedded.field_name,
                signer=signer,
                organization=organization,
                issuer=issuer,
                signed_at=status.signer_reported_dt,
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                changed_after=changed,
                problem=problem,
            )
        )
    return PdfCheck(checks)


def _changed_after(status: Any, last: bool) -> bool:
    """The file changed after this signature, beyond the next signatures being added (form filling)."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return False
    if last or status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return True  # bytes added after the last signature, or a signature over part of a revision
    level = status.modification_level
    return level is None or level > ModificationLevel.FORM_FILLING or not status.docmdp_ok
