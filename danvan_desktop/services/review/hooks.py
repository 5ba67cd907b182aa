"""The review's part in importing a data package: its statements judged with the records, then applied."""

from __future__ import annotations

from sqlalchemy.orm import Session

from danvan_desktop.services.exchange.origin import ForeignOriginError
from danvan_desktop.transport.reader import VerifiedPackage
from danvan_desktop.transport.schema import Manifest


def check_origin(session: Session, package: VerifiedPackage, sender: str) -> None:
    """A statement about a unit the sender does not speak for refuses the whole package (a forgery signal)."""
    from danvan_desktop.services.review.statements import foreign_statements

    statements = package.manifest.review_statements()
    if statements is None:
        return
    foreign = foreign_statements(session, statements, sender)
    if foreign:
        raise ForeignOriginError(
            f"Gói {package.path.name} nói về báo cáo của đơn vị không thuộc «{sender}»: "
            f"{', '.join(foreign[:5])}. Một đơn vị chỉ nộp báo cáo của chính mình: đã từ chối cả gói, "
            "không lưu gì. Hãy báo cho quản trị viên.",
            detail=f"review statements for units {foreign[:20]} not under {sender!r}",
        )


def apply(session: Session, manifest: Manifest, sender_label: str) -> list[str]:
    """Apply the package's statements (in the import's transaction); what changed, in words."""
    from danvan_desktop.services.review.statements import apply_statements

    statements = manifest.review_statements()
    if statements is None:
        return []
    return apply_statements(session, statements, sender_label=sender_label)
