"""The package ledger's rules: one package per (site, number), and refusals kept for a person to see."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import OrgUnit, ReceivedPackage, RefusedPackage, TrustedSite
from danvan_desktop.errors import UserError
from danvan_desktop.localtime import local_time_text, to_local
from danvan_desktop.services.office.accounts import require_in
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.orgunits import unit_label
from danvan_desktop.transport.package_format import canonical_json, encode_base64
from danvan_desktop.transport.reader import VerifiedPackage

log = logging.getLogger(__name__)


class EquivocationError(UserError):
    """A second, different package under a number already received from the same site."""

    kind = "equivocation"


class LedgerRefusal(Protocol):
    kind: str
    message: str


def manifest_digest(package: VerifiedPackage) -> str:
    """SHA-256 of the signed manifest as read: equal for the same package sent twice, plain or encrypted."""
    return hashlib.sha256(canonical_json(package.manifest.model_dump(mode="json"))).hexdigest()


def check_equivocation(session: Session, package: VerifiedPackage, digest: str, sender: str) -> None:
    """Refuse a package whose (site, number) was already received with other content.

    A missing number arriving late is normal; the same package again is a duplicate (handled by
    the caller); anything else under a number already used is a forgery signal or a restored
    sender database, and a person must look at it.
    """
    manifest = package.manifest
    same_id = session.get(ReceivedPackage, manifest.package_id)
    if same_id is not None and same_id.manifest_sha256 not in (None, digest):
        raise _equivocation(package, same_id, sender, f"mã gói {manifest.package_id}")
    earlier = session.scalars(
        select(ReceivedPackage).where(
            ReceivedPackage.site_id == manifest.site_id, ReceivedPackage.sequence == manifest.sequence
        )
    ).first()
    if earlier is None:
        return
    if earlier.package_id == manifest.package_id and earlier.manifest_sha256 in (None, digest):
        return
    raise _equivocation(package, earlier, sender, f"số {manifest.sequence}")


def _equivocation(
    package: VerifiedPackage, earlier: ReceivedPackage, sender: str, what: str
) -> EquivocationError:
    manifest = package.manifest
    when = local_time_text(earlier.received_at)
    return EquivocationError(
        f"Gói {package.path.name}: hai gói khác nhau cùng mang {what} của "
        f"{sender[:1].lower() + sender[1:]} (gói đã nhận ngày {when} từ tệp "
        f"«{earlier.file_name}» khác nội dung gói này). Đã từ chối cả gói, không lưu gì. Hãy gọi điện "
        "cho đơn vị đó: nếu họ đã khôi phục bản sao lưu rồi xuất lại, cần xuất gói mới có số tiếp theo.",
        detail=f"site {manifest.site_id} sequence {manifest.sequence}: package {manifest.package_id} "
        f"differs from received {earlier.package_id} (sequence {earlier.sequence})",
    )


def record_refusal(db: Database, package: VerifiedPackage, refusal: LedgerRefusal, *, user: str) -> None:
    """Keep a refused package in the ledger (its own transaction): nothing else is stored.

    The same file refused again for the same reason (a preview, then the import) is kept once.
    """
    manifest = package.manifest
    try:
        with db.transaction() as session:
            seen = select(RefusedPackage.id).where(
                RefusedPackage.package_id == manifest.package_id,
                RefusedPackage.file_sha256 == package.file_sha256,
                RefusedPackage.kind == refusal.kind,
            )
            if session.scalars(seen).first() is not None:
                return
            session.add(
                RefusedPackage(
                    refused_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    refused_by=user,
                    kind=refusal.kind,
                    site_id=manifest.site_id,
                    office_unit_code=manifest.office_unit,
                    sequence=manifest.sequence,
                    package_id=manifest.package_id,
                    file_name=package.path.name[:300],
                    file_sha256=package.file_sha256,
                    message=refusal.message,
                )
            )
    except UserError:
        # The refusal itself still reaches the user; a full disk must not hide it.
        log.exception("could not keep the refusal of %s in the ledger", package.path)


@dataclass(frozen=True)
class LedgerEntry:
    """One line of the ledger as a person reads it: a package received or refused."""

    at: dt.datetime  # local time
    sender: str  # "Xã Phúc Chu" (as the manifest named it)
    sequence: int
    file_name: str
    refused: bool
    detail: str  # outcome counts, or the reason for refusing

    @property
    def state(self) -> str:
        return "bị từ chối" if self.refused else "đã nhập"


def ledger_entries(session: Session, *, refused_only: bool = False) -> list[LedgerEntry]:
    """Received and refused packages, newest first."""
    from danvan_desktop.services.exchange.merge_plan import OUTCOME_LABELS

    labels = {u.code: unit_label(u) for u in session.scalars(select(OrgUnit))}
    trusted = dict(session.execute(select(TrustedSite.site_id, TrustedSite.office_unit_code)).all())

    def sender(site_id: str, claimed: str) -> str:
        # Who signed it is the unit its key was accepted for, whatever the manifest claims.
        known = trusted.get(site_id, claimed)
        name = labels.get(known, known)
        return name if known == claimed else f"{name} (gói ghi là {labels.get(claimed, claimed)})"

    entries = [
        LedgerEntry(
            to_local(row.refused_at),
            sender(row.site_id, row.office_unit_code),
            row.sequence,
            row.file_name,
            True,
            row.message,
        )
        for row in session.scalars(select(RefusedPackage))
    ]
    if not refused_only:
        for row in session.scalars(select(ReceivedPackage)):
            counts = ", ".join(f"{n} {OUTCOME_LABELS.get(k, k)}" for k, n in sorted(row.summary.items()) if n)
            entries.append(
                LedgerEntry(
                    to_local(row.received_at),
                    labels.get(row.office_unit_code, row.office_unit_code),
                    row.sequence,
                    row.file_name,
                    False,
                    f"{row.record_count} bản ghi" + (f": {counts}" if counts else ""),
                )
            )
    return sorted(entries, key=lambda e: e.at, reverse=True)


def accept_sender_key(
    session: Session,
    *,
    site_id: str,
    office_unit_code: str,
    public_key: bytes,
    fingerprint: str,
    user: str,
    label: str,
) -> None:
    """First contact with a sender (a unit below, or the office above): an administrator accepts its key,
    and the audit trail says who and which fingerprint (`label` names the sender)."""
    require_in(session, "trust.change")
    record_action(session, "trust.accept", user=user, detail=label, new=fingerprint)
    session.add(
        TrustedSite(
            site_id=site_id,
            office_unit_code=office_unit_code,
            public_key=encode_base64(public_key),
            fingerprint=fingerprint,
            accepted_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            accepted_by=user,
        )
    )
