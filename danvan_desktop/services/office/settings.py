"""Key/value settings stored in the database (signers, last period, catalog digest)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from danvan_desktop.db.models import Setting
from danvan_desktop.text import nfc

# Settings an office fills once; reports (a later issue) print them in the signature block.
SIGNER_KEYS = {
    "signer.name": "Họ và tên người ký",
    "signer.title": "Chức vụ người ký",
    "signer.authority": "Thẩm quyền ký (TM., KT., T/M, K/T)",
    "office.issuing_body": "Cơ quan ban hành",
    "office.superior_body": "Cơ quan cấp trên",
    "office.place_name": "Địa danh ghi ngày tháng",
}


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Setting, key)
    return row.value if row is not None else default


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=nfc(value)))
    else:
        row.value = nfc(value)
