"""PAdES signatures on an issued return (pyHanko): the signer's (.p12 or PKCS#11 token), then the office's."""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from danvan_desktop.errors import UserError
from danvan_desktop.reports.profile import DigitalSignature
from danvan_desktop.reports.render import SignatureBox
from danvan_desktop.reports.signature_appearance import (
    Rect,
    organization_appearance,
    seal_rect,
    signer_appearance,
)

log = logging.getLogger(__name__)

SIGNER_FIELD = "ChuKyNguoiKy"
ORGANIZATION_FIELD = "ChuKyCoQuan"
TOKEN = "token"  # `--cert token`: the key on a PKCS#11 token, not a file


class SigningError(UserError):
    """A signature could not be made: wrong PIN or passphrase, no token, a file that is not a PDF."""


@dataclass
class SigningKey:
    """A key that signs and its certificate: who it belongs to, and pyHanko's signer object."""

    signer: Any  # pyhanko.sign.signers.Signer (pyHanko ships no type information)
    holder: str  # the certificate's common name, for messages and the appearance
    organization: str  # its O= attribute, "" when none


@dataclass(frozen=True)
class Appearance:
    """What the signatures look like: the profile's rules and the office's registered images."""

    spec: DigitalSignature
    signature_image: Path | None = None
    seal_image: Path | None = None


def _names(cert: Any) -> tuple[str, str]:
    subject = cert.subject.native
    return str(subject.get("common_name", "")), str(subject.get("organization_name", ""))


def load_p12(path: Path, passphrase: str) -> SigningKey:
    """The key and certificate of a .p12/.pfx file; a clear message for a wrong passphrase."""
    from pyhanko.sign.signers import SimpleSigner

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"Không đọc được tệp chứng thư số «{path}»: {exc.strerror}.") from exc
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase.encode())
    except ValueError as exc:
        raise SigningError(
            f"Không mở được tệp chứng thư số «{path}»: sai mật khẩu, hoặc tệp không phải .p12/.pfx.",
            detail=repr(exc.__cause__ or exc),
        ) from exc
    holder, organization = _names(signer.signing_cert)
    return SigningKey(signer, holder, organization)


@contextmanager
def open_token(module: Path, pin: str, token_label: str | None = None) -> Iterator[SigningKey]:
    """The one signing key on a PKCS#11 token (USB token of a CA), logged in with `pin`."""
    import pkcs11
    from pkcs11 import Attribute, ObjectClass
    from pyhanko.sign.pkcs11 import PKCS11Signer

    if not Path(module).is_file():
        raise SigningError(
            f"Không có thư viện PKCS#11 «{module}» của token. Hãy cài phần mềm của nhà cung cấp chữ ký "
            "số, rồi khai báo đường dẫn thư viện (sign.pkcs11_module)."
        )
    try:
        session = _token(module, token_label).open(user_pin=pin)
    except pkcs11.exceptions.PinIncorrect as exc:
        raise SigningError("Mã PIN của token không đúng. Chưa ký, chưa ghi gì.", detail=repr(exc)) from exc
    except pkcs11.exceptions.PinLocked as exc:
        raise SigningError("Token đã bị khóa PIN. Hãy liên hệ nhà cung cấp chữ ký số.") from exc
    except pkcs11.PKCS11Error as exc:  # a token pulled out, a broken module
        raise SigningError(
            "Không mở được token chữ ký số: hãy cắm token và kiểm tra phần mềm của nhà cung cấp.",
            detail=repr(exc),
        ) from exc
    try:
        keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
        if len(keys) != 1:
            raise SigningError(
                f"Token có {len(keys)} khóa ký; cần đúng một khóa để biết ký bằng khóa nào."
                if keys
                else "Token không có khóa ký nào."
            )
        key_id = keys[0][Attribute.ID]
        signer = PKCS11Signer(session, key_id=key_id, cert_id=key_id)
        holder, organization = _names(signer.signing_cert)
        yield SigningKey(signer, holder, organization)
    finally:
        session.close()


def _token(module: Path, label: str | None) -> Any:
    """The one initialised token of the module (readers show empty slots too), or the one named."""
    import pkcs11
    from pkcs11.constants import TokenFlag

    try:
        slots = pkcs11.lib(str(module)).get_slots(token_present=True)
        tokens = [slot.get_token() for slot in slots]
    except pkcs11.PKCS11Error as exc:
        raise SigningError(f"Không dùng được thư viện PKCS#11 «{module}».", detail=repr(exc)) from exc
    tokens = [
        t for t in tokens if t.flags & TokenFlag.TOKEN_INITIALIZED and (label is None or t.label == label)
    ]
    if len(tokens) != 1:
        named = f" tên «{label}»" if label else ""
        raise SigningError(
            f"Không thấy token chữ ký số{named}: hãy cắm token rồi thử lại."
            if not tokens
            else f"Đang cắm {len(tokens)} token; hãy chỉ cắm token của người ký (hoặc nêu tên token)."
        )
    return tokens[0]


def add_signature_fields(pdf: bytes, box: SignatureBox, spec: DigitalSignature, name_size: float) -> bytes:
    """Empty signature fields where the signer and the organization sign, as the profile places them.

    Written when the return is laid out, so a file issued unsigned can be signed later at the same
    places, by this program or by any PDF signing tool.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    signer = Rect(box.x, box.y, box.width, box.height)
    seal = seal_rect(signer, spec, name_size)
    for name, rect in ((SIGNER_FIELD, signer), (ORGANIZATION_FIELD, seal)):
        # whole points: pyHanko's field spec takes integers (half a point off is invisible)
        corners = (round(rect.x), round(rect.y), round(rect.x + rect.width), round(rect.y + rect.height))
        append_signature_field(writer, SigFieldSpec(name, on_page=box.page - 1, box=corners))
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def _field_rect(reader: Any, name: str) -> Rect | None:
    from pyhanko.sign.fields import enumerate_sig_fields

    for field_name, value, ref in enumerate_sig_fields(reader, filled_status=None):
        if field_name == name:
            if value is not None:
                raise SigningError(f"Văn bản đã có chữ ký ở ô «{name}»: không ký lại vào chỗ đã ký.")
            x1, y1, x2, y2 = (float(v) for v in ref.get_object()["/Rect"])
            return Rect(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))
    return None


def time_text(when: dt.datetime, spec: DigitalSignature) -> str:
    """ISO 8601 with the Vietnamese offset (as the decree asks), and the note that it is the PC's clock."""
    return f"{when.isoformat(timespec='seconds')} {spec.clock_note}".strip()


def _sign_one(
    pdf: bytes, key: SigningKey, field: str, appearance_pdf: bytes | None, when: dt.datetime, reason: str
) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    class _ClockSigner(signers.PdfSigner):
        # The time shown on the page is the one in the signature: pyHanko would read the clock again.
        def init_signing_session(self, *args: Any, **kwargs: Any) -> Any:
            session = super().init_signing_session(*args, **kwargs)
            session.system_time = when
            return session

    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=key.holder or None,
    )
    with tempfile.TemporaryDirectory(prefix="danvan-sign-") as folder:
        style = None
        if appearance_pdf is not None:
            path = Path(folder) / "appearance.pdf"
            path.write_bytes(appearance_pdf)
            style = StaticStampStyle.from_pdf_file(str(path), border_width=0)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        out = io.BytesIO()
        _ClockSigner(meta, signer=key.signer, stamp_style=style).sign_pdf(writer, output=out)
        return out.getvalue()


def sign_pdf(
    pdf: bytes,
    signer: SigningKey,
    appearance: Appearance,
    *,
    organization: SigningKey | None = None,
    organization_name: str = "",
    when: dt.datetime | None = None,
) -> bytes:
    """The PDF signed by `signer`, then by `organization` when the office has a certificate of its own.

    Both signatures are made in memory: either fails, nothing is written and the caller's
    transaction (the document number) is rolled back.
    """
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    when = (when or dt.datetime.now().astimezone()).replace(microsecond=0)
    spec = appearance.spec
    shown = time_text(when, spec)
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signer_rect = _field_rect(reader, SIGNER_FIELD)
        org_rect = _field_rect(reader, ORGANIZATION_FIELD) if organization is not None else None
    except PdfReadError as exc:
        raise SigningError("Tệp không phải PDF đọc được: không ký được.", detail=repr(exc)) from exc
    page = None
    if signer_rect is not None:
        page = signer_appearance(
            signer_rect, spec, signer=signer.holder, image=appearance.signature_image, time_text=shown
        )
    else:
        log.info("no %s field: an invisible signature", SIGNER_FIELD)
    signed = _sign_one(pdf, signer, SIGNER_FIELD, page, when, "Ký ban hành văn bản")
    if organization is None:
        return signed
    org_name = organization_name or organization.organization or organization.holder
    seal = None
    if org_rect is not None:
        centre = (signer_rect.x + signer_rect.width / 2 if signer_rect else org_rect.x) - org_rect.x
        seal = organization_appearance(
            org_rect,
            spec,
            organization=org_name,
            image=appearance.seal_image,
            time_text=shown,
            text_centre=centre if centre > 0 else org_rect.width / 2,
        )
    return _sign_one(signed, organization, ORGANIZATION_FIELD, seal, when, "Chữ ký số của cơ quan, tổ chức")
