"""What an office registers for digital signing (images, token library) and how a key is chosen."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from danvan_desktop.errors import UserError
from danvan_desktop.services.office.settings import get_setting
from danvan_desktop.services.reporting.pdf_signing import (
    TOKEN,
    Appearance,
    SigningKey,
    load_p12,
    open_token,
)
from danvan_desktop.services.reporting.pushed_profiles import office_profile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeySource:
    """Where a key is: `TOKEN` (a PKCS#11 token) or a .p12 file; the PIN or passphrase to open it."""

    cert: str
    secret: str

    @property
    def is_token(self) -> bool:
        return self.cert == TOKEN


def _image(session: Session, key: str) -> Path | None:
    value = (get_setting(session, key) or "").strip()
    if not value:
        return None
    path = Path(value)
    if not path.is_file():
        raise UserError(
            f"Không có tệp ảnh «{path}» đã khai báo ở mục {key}. Hãy khai báo lại: "
            f'danvan settings set {key} "đường/dẫn/tệp.png" (hoặc "" để bỏ).'
        )
    return path


def office_appearance(session: Session, profile_key: str, profiles_dir: Path | None) -> Appearance:
    """The profile's placement rules and the images the office registered."""
    profile = office_profile(session, profile_key, profiles_dir)
    return Appearance(
        profile.digital_signature,
        signature_image=_image(session, "sign.signature_image"),
        seal_image=_image(session, "sign.seal_image"),
    )


def token_module(session: Session, explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    value = (get_setting(session, "sign.pkcs11_module") or "").strip()
    if not value:
        raise UserError(
            "Chưa khai báo thư viện PKCS#11 của token (sign.pkcs11_module). Hãy khai báo, ví dụ: "
            'danvan settings set sign.pkcs11_module "/usr/lib/…/libtoken.so", hoặc dùng --pkcs11-module.'
        )
    return Path(value)


@contextmanager
def open_keys(
    signer: KeySource, organization: KeySource | None, module: Path | None
) -> Iterator[tuple[SigningKey, SigningKey | None]]:
    """The signer's key and the organization's (None when the office signs without one), opened."""
    with ExitStack() as stack:

        def one(source: KeySource) -> SigningKey:
            if source.is_token:
                if module is None:
                    raise UserError("Ký bằng token cần thư viện PKCS#11 (sign.pkcs11_module).")
                return stack.enter_context(open_token(module, source.secret))
            return load_p12(Path(source.cert), source.secret)

        if signer.is_token and organization is not None and organization.is_token:
            raise UserError(
                "Người ký và cơ quan không ký cùng một token: chứng thư của cơ quan cần tệp .p12."
            )
        yield one(signer), (one(organization) if organization is not None else None)


def _comparable(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def holder_warning(session: Session, holder: str) -> str:
    """A warning when the certificate's holder is not the signer the return prints ("" when alike).

    The printed name (signer.name) and the certificate's subject should be the same person; a
    deputy signing with their own token while the settings still name the chief is a common slip.
    """
    printed = (get_setting(session, "signer.name") or "").strip()
    if not printed or not holder or _comparable(printed) == _comparable(holder):
        return ""
    return (
        f"Chứng thư số mang tên «{holder}», nhưng báo cáo in người ký «{printed}». Nếu người khác ký "
        "thay, hãy sửa «Họ và tên người ký» trong Cài đặt báo cáo trước khi ký."
    )


SIGN_SETTINGS = ("sign.signature_image", "sign.seal_image", "sign.pkcs11_module", "sign.trust_dir")


def check_sign_settings(values: dict[str, str]) -> str:
    """Why the signing settings cannot be saved ("" when they can): each path names what it must be."""
    for key in ("sign.signature_image", "sign.seal_image", "sign.pkcs11_module"):
        value = values.get(key, "").strip()
        if value and not Path(value).is_file():
            return f"Không có tệp «{value}» ({key})."
    folder = values.get("sign.trust_dir", "").strip()
    if folder and not Path(folder).is_dir():
        return f"Không có thư mục «{folder}» (sign.trust_dir)."
    for key in ("sign.signature_image", "sign.seal_image"):
        value = values.get(key, "").strip()
        if value and Path(value).suffix.lower() != ".png":
            return f"Ảnh chữ ký và con dấu cần là tệp PNG nền trong suốt («{value}»)."
    return ""
