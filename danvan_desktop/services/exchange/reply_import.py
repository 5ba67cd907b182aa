"""Importing a reply at the unit: the parent office's key, the recipient, the ledger, then all at once."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import (
    InboxItem,
    Installation,
    OrgUnit,
    ReceivedPackage,
    RefusedPackage,
    TrustedSite,
)
from danvan_desktop.errors import UserError
from danvan_desktop.services.exchange import reply_payloads
from danvan_desktop.services.exchange.package_import import (
    KeyChangedError,
    OwnPackageError,
    PackageReport,
    UntrustedSiteError,
    backup_database,
    missing_sequences,
)
from danvan_desktop.services.exchange.package_ledger import EquivocationError, accept_sender_key
from danvan_desktop.services.exchange.reply_export import is_below
from danvan_desktop.services.office.accounts import require_in
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.orgunits import unit_label
from danvan_desktop.services.review.statements import InboxLine, apply_reply_items
from danvan_desktop.transport.package_format import canonical_json, encode_base64
from danvan_desktop.transport.reply import VerifiedReply


class ReplyRefusedError(UserError):
    """A reply for another unit, or from an office that is not above this one: refused whole."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def reply_digest(reply: VerifiedReply) -> str:
    return hashlib.sha256(canonical_json(reply.manifest.model_dump(mode="json"))).hexdigest()


def _sender_unit(session: Session, reply: VerifiedReply, office: OrgUnit) -> OrgUnit:
    """The office above named by the reply, refusing a reply meant for another unit or from elsewhere."""
    manifest, name = reply.manifest, reply.path.name
    if manifest.recipient_unit != office.code:
        raise ReplyRefusedError(
            f"Gói {name} là phản hồi gửi cho «{manifest.recipient_unit}», không phải cho "
            f"{unit_label(office)} ({office.code}): đã từ chối cả gói, không lưu gì.",
            detail=f"recipient {manifest.recipient_unit!r} != {office.code!r}",
        )
    sender = session.scalar(select(OrgUnit).where(OrgUnit.code == manifest.office_unit))
    if sender is None or not is_below(session, office, sender.id):
        raise ReplyRefusedError(
            f"Gói {name} ghi là phản hồi của «{manifest.office_unit}», không phải đơn vị cấp trên của "
            f"{unit_label(office)}: đã từ chối cả gói, không lưu gì.",
            detail=f"sender {manifest.office_unit!r} is not above {office.code!r}",
        )
    return sender


def _check_trust(session: Session, reply: VerifiedReply, sender: OrgUnit, accept_new_site: bool) -> bool:
    """True when the sender's key is already trusted; errors when it must be refused."""
    manifest, name = reply.manifest, reply.path.name
    trusted = session.get(TrustedSite, manifest.site_id)
    if trusted is not None:
        if trusted.public_key != encode_base64(reply.public_key) or trusted.office_unit_code != sender.code:
            raise KeyChangedError(
                f"Gói {name} của «{manifest.office_unit}» được ký bằng khóa khác với khóa đã đăng ký "
                f"(đã biết: {trusted.fingerprint} của «{trusted.office_unit_code}»; trong gói: "
                f"{reply.fingerprint}). Đã từ chối cả gói, không lưu gì."
            )
        return True
    # One office above speaks to this unit: once its key is accepted, no other key is (whatever it claims).
    office = session.get_one(OrgUnit, session.scalars(select(Installation)).one().office_unit_id)
    above = {u.code for u in _ancestors(office)}
    other = next((t for t in session.scalars(select(TrustedSite)) if t.office_unit_code in above), None)
    if other is not None:
        raise KeyChangedError(
            f"Gói {name} ghi là phản hồi của {unit_label(sender)} nhưng được ký bằng khóa lạ "
            f"({reply.fingerprint}); cấp trên đã tin cậy là «{other.office_unit_code}» với khóa "
            f"{other.fingerprint}. Đã từ chối cả gói, không lưu gì. Nếu cấp trên đã cài lại máy, quản trị "
            "viên cần đăng ký lại khóa của họ sau khi đối chiếu qua điện thoại."
        )
    if not accept_new_site:
        raise UntrustedSiteError(reply.path, manifest.office_unit, reply.fingerprint)
    return False


def _ancestors(unit: OrgUnit) -> list[OrgUnit]:
    found: list[OrgUnit] = []
    current = unit.parent
    while current is not None and current not in found:
        found.append(current)
        current = current.parent
    return found


def _equivocation(session: Session, reply: VerifiedReply, digest: str, sender: OrgUnit) -> None:
    manifest = reply.manifest
    earlier = session.scalars(
        select(ReceivedPackage).where(
            ReceivedPackage.site_id == manifest.site_id, ReceivedPackage.sequence == manifest.sequence
        )
    ).first()
    if earlier is None or (earlier.package_id == manifest.package_id and earlier.manifest_sha256 == digest):
        return
    raise EquivocationError(
        f"Gói {reply.path.name}: hai gói phản hồi khác nhau cùng mang số {manifest.sequence} của "
        f"{unit_label(sender)} (đã nhận từ tệp «{earlier.file_name}»). Đã từ chối cả gói.",
        detail=f"reply sequence {manifest.sequence} of {manifest.site_id} differs from {earlier.package_id}",
    )


def _keep_refusal(db: Database, reply: VerifiedReply, refusal: EquivocationError, user: str) -> None:
    manifest = reply.manifest
    with db.transaction() as session:
        session.add(
            RefusedPackage(
                refused_at=_now(),
                refused_by=user,
                kind=refusal.kind,
                site_id=manifest.site_id,
                office_unit_code=manifest.office_unit,
                sequence=manifest.sequence,
                package_id=manifest.package_id,
                file_name=reply.path.name[:300],
                file_sha256=reply.file_sha256,
                message=refusal.message,
            )
        )


def import_reply(
    db: Database,
    reply: VerifiedReply,
    *,
    user: str,
    backup_dir: Path | None,
    dry_run: bool = False,
    accept_new_site: bool = False,
) -> PackageReport:
    """Verify the reply against this unit and its parent office's key, then apply it all or nothing."""
    manifest, name = reply.manifest, reply.path.name
    report = PackageReport(
        file=str(reply.path),
        status="dry_run" if dry_run else "applied",
        message="",
        package_id=manifest.package_id,
        site_id=manifest.site_id,
        office_unit=manifest.office_unit,
        sequence=manifest.sequence,
        fingerprint=reply.fingerprint,
    )
    digest = reply_digest(reply)
    with db.session() as session:
        installation = session.scalars(select(Installation)).one()
        if manifest.site_id == installation.site_id:
            raise OwnPackageError(f"Gói {name} do chính máy này xuất; không nhập lại gói của mình.")
        office = session.get_one(OrgUnit, installation.office_unit_id)
        sender = _sender_unit(session, reply, office)
        report.office_label = unit_label(sender)
        known = session.get(ReceivedPackage, manifest.package_id)
        if known is not None and known.manifest_sha256 == digest:
            report.status = "duplicate"
            report.message = f"Gói phản hồi {name} đã được nhập trước đây; không có gì thay đổi."
            return report
        trusted = _check_trust(session, reply, sender, accept_new_site)
        unknown = [kind for kind, _ in reply.payloads if reply_payloads.find(kind) is None]
        if unknown:
            raise ReplyRefusedError(
                f"Gói {name} chứa nội dung loại «{unknown[0]}» mà phiên bản này chưa biết: hãy cập nhật "
                "Dân Vận Desktop rồi nhập lại. Chưa lưu gì.",
                detail=f"unknown payload kinds {unknown}",
            )
        try:
            _equivocation(session, reply, digest, sender)
        except EquivocationError as refusal:
            equivocation: EquivocationError | None = refusal
        else:
            equivocation = None
    if equivocation is not None:
        _keep_refusal(db, reply, equivocation, user)
        raise equivocation
    if dry_run:
        report.message = f"Xem trước gói phản hồi {name} của {report.office_label}: chưa thay đổi gì."
        return report
    if backup_dir is not None and not db.is_server:
        report.backup = str(backup_database(db, backup_dir, "nhap-phan-hoi"))
    with db.transaction() as session:
        if session.get(ReceivedPackage, manifest.package_id) is not None:
            report.status = "duplicate"
            report.message = (
                f"Gói phản hồi {name} vừa được nhập ở cửa sổ hoặc máy khác; không có gì thay đổi."
            )
            return report
        require_in(session, "package.import")
        lines = _apply(session, reply, office, sender, user)
        if not trusted:  # accepting the parent office's key is an administrator's
            accept_sender_key(
                session,
                site_id=manifest.site_id,
                office_unit_code=sender.code,
                public_key=reply.public_key,
                fingerprint=reply.fingerprint,
                user=user,
                label=f"{report.office_label} (cấp trên)",
            )
        session.add(
            ReceivedPackage(
                package_id=manifest.package_id,
                site_id=manifest.site_id,
                sequence=manifest.sequence,
                office_unit_code=sender.code,
                received_at=_now(),
                file_name=name[:300],
                file_sha256=reply.file_sha256,
                record_count=len(reply.items) + len(reply.payloads),
                # Shown by the ledger as "N <key>": Vietnamese words, since a reply has no merge outcomes.
                summary={"mục duyệt và ý kiến": len(reply.items), "văn bản kèm": len(reply.payloads)},
                manifest_sha256=digest,
            )
        )
        record_action(
            session,
            "reply.import",
            user=user,
            detail=f"{name} của {report.office_label}, gói phản hồi số {manifest.sequence}: "
            f"{len(lines)} mục mới trong hộp thư",
        )
        session.flush()
        report.gaps = missing_sequences(session, manifest.site_id)
    report.message = (
        f"Đã nhập gói phản hồi {name} của {report.office_label}: {len(lines)} mục mới."
        + "".join(f"\n  • {line.title}" + (f": {line.detail}" if line.detail else "") for line in lines)
    )
    return report


def _apply(
    session: Session, reply: VerifiedReply, office: OrgUnit, sender: OrgUnit, user: str
) -> list[InboxLine]:
    """Payloads first (a form they bring may be what a comment is about), then decisions and comments."""
    manifest = reply.manifest
    lines: list[InboxLine] = []
    for kind, data in reply.payloads:
        handler = reply_payloads.find(kind)
        assert handler is not None  # checked before
        context = reply_payloads.ApplyContext(
            sender.code, office.code, manifest.package_id, reply.path.name, user
        )
        handler.apply(session, data, context)
        lines += [InboxLine(kind, title, detail) for title, detail in context.inbox_lines]
    lines += apply_reply_items(session, reply.items, recipient=office, file_name=reply.path.name)
    received = _now()
    for line in lines:
        session.add(
            InboxItem(
                package_id=manifest.package_id,
                received_at=received,
                kind=line.kind,
                title=line.title,
                detail=line.detail,
                unit_code=line.unit,
                period_code=line.period,
                form_id=line.form,
            )
        )
    return lines
