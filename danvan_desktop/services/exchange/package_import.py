"""Importing a package: verify, check trust and the ledger, classify every record, apply atomically."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Installation, OrgUnit, ReceivedPackage, TrustedSite
from danvan_desktop.errors import UserError
from danvan_desktop.services.exchange.merge_apply import StagedRows, apply_plan, stage_new_rows
from danvan_desktop.services.exchange.merge_plan import MergePlan, plan_merge
from danvan_desktop.services.exchange.origin import ForeignOriginError, check_origin
from danvan_desktop.services.exchange.package_ledger import (
    EquivocationError,
    accept_sender_key,
    check_equivocation,
    manifest_digest,
    record_refusal,
)
from danvan_desktop.services.exchange.package_returns import (
    ReturnOutcome,
    check_return_origin,
    examine_package_returns,
)
from danvan_desktop.services.exchange.plan_basis import PlanBasis, plan_basis, plan_still_holds
from danvan_desktop.services.exchange.unit_definitions import learn_units
from danvan_desktop.services.office.accounts import require_in
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.orgunits import unit_label
from danvan_desktop.services.review import hooks as review_hooks
from danvan_desktop.transport.package_format import encode_base64
from danvan_desktop.transport.reader import ReplyPackageError, VerifiedPackage, open_package
from danvan_desktop.transport.schema import PackageRecord

Status = Literal["applied", "dry_run", "duplicate", "rejected"]


class UntrustedSiteError(UserError):
    """The first package from a site: a person must compare and accept its key fingerprint."""

    def __init__(self, path: Path, office_unit: str, fingerprint: str) -> None:
        super().__init__(
            f"Gói {path.name} là gói đầu tiên của đơn vị «{office_unit}». Hãy gọi điện cho đơn vị đó để "
            f"đối chiếu dấu vân tay khóa ký:\n  {fingerprint}\nNếu khớp, nhập lại với tùy chọn "
            "--accept-new-site (hoặc bấm «Chấp nhận» trong cửa sổ nhập gói)."
        )
        self.fingerprint = fingerprint


class KeyChangedError(UserError):
    """A known site signed with another key: refused until an administrator re-enrols it."""


class OwnPackageError(UserError):
    """A package this same installation exported."""


@dataclass
class PackageReport:
    """What happened to one package file."""

    file: str
    status: Status
    message: str
    package_id: str = ""
    site_id: str = ""
    office_unit: str = ""
    office_label: str = ""  # "Xã Phú Đình": the sending unit as people name it
    sequence: int = 0
    fingerprint: str = ""
    plan: MergePlan | None = None
    gaps: list[int] = field(default_factory=list)
    backup: str | None = None
    returns: list[ReturnOutcome] = field(default_factory=list)  # signed return PDFs (format 3)

    def counts(self) -> Counter[str]:
        return Counter(r.outcome for r in self.plan.results) if self.plan else Counter()

    def has_conflicts(self) -> bool:
        return self.counts()["conflict"] > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "status": self.status,
            "message": self.message,
            "package_id": self.package_id,
            "site_id": self.site_id,
            "office_unit": self.office_unit,
            "office_label": self.office_label,
            "sequence": self.sequence,
            "fingerprint": self.fingerprint,
            "counts": dict(self.counts()),
            "missing_sequences": self.gaps,
            "backup": self.backup,
            "records": [r.to_json() for r in self.plan.results] if self.plan else [],
            "returns": [r.to_json() for r in self.returns],
        }


def _check_trust(session: Session, package: VerifiedPackage, accept_new_site: bool) -> TrustedSite | None:
    """The site's trust row (None when it is new and accepted now); errors when refused."""
    manifest = package.manifest
    trusted = session.get(TrustedSite, manifest.site_id)
    if trusted is None:
        if not accept_new_site:
            raise UntrustedSiteError(package.path, manifest.office_unit, package.fingerprint)
        return None
    if trusted.public_key != encode_base64(package.public_key):
        raise KeyChangedError(
            f"Gói {package.path.name} của «{manifest.office_unit}» được ký bằng khóa khác với khóa đã "
            f"đăng ký (đã biết: {trusted.fingerprint}; trong gói: {package.fingerprint}). Gói bị từ chối. "
            "Nếu đơn vị đó đã cài lại máy, quản trị viên cần đăng ký lại bằng `danvan trust reenrol`."
        )
    return trusted


def missing_sequences(session: Session, site_id: str, also: int | None = None) -> list[int]:
    """Package numbers of `site_id` not received (counting `also` as received: a previewed one)."""
    received = set(
        session.scalars(select(ReceivedPackage.sequence).where(ReceivedPackage.site_id == site_id))
    )
    if also is not None:
        received.add(also)
    return sorted(set(range(1, max(received, default=0) + 1)) - received)


def backup_database(db: Database, backup_dir: Path, reason: str) -> Path:
    """A consistent copy (SQLite online backup or pg_dump, with the signing key) before anything changes.

    The last verified copy when nothing was written since it was made: it is that state already.
    """
    from danvan_desktop.services.maintenance.backups import make_backup, prune_backups
    from danvan_desktop.services.maintenance.unchanged_copy import file_stamp, remember_copy, unchanged_copy

    if db.is_server:  # a server's changes leave no trace in a file: it is dumped every run
        target = make_backup(db.path, backup_dir, f"truoc-{reason}")
        prune_backups(backup_dir)
        return target
    if (copy := unchanged_copy(db.path, backup_dir)) is not None:
        return copy
    before = file_stamp(db.path)
    target = make_backup(db.path, backup_dir, f"truoc-{reason}")
    remember_copy(db.path, target, before)
    prune_backups(backup_dir)
    return target


@dataclass
class PreparedImport:
    """A package verified and planned outside any writing transaction, ready for write_import.

    Made in the importing process or in the worker process of a run (import_run.py): every part
    pickles, and nothing in it belongs to a database session.
    """

    package: VerifiedPackage
    report: PackageReport
    digest: str
    sender: str  # the unit the site spoke for when the plan was made (_sender)
    basis: PlanBasis
    accept_new_site: bool
    staged: StagedRows | None = None  # the plan's new records as INSERT parameters (SQLite)


@dataclass(frozen=True)
class _Refused:
    """A package refused whole as a forgery signal: the ledger keeps it, then the refusal is raised."""

    package: VerifiedPackage
    refusal: ForeignOriginError | EquivocationError


def import_package(
    db: Database,
    path: Path,
    *,
    user: str,
    backup_dir: Path | None,
    passphrase: str | None = None,
    dry_run: bool = False,
    accept_new_site: bool = False,
) -> PackageReport:
    """Import one package file; raises UserError subclasses for packages that are refused whole."""
    prepared = prepare_import(
        db,
        path,
        user=user,
        passphrase=passphrase,
        dry_run=dry_run,
        accept_new_site=accept_new_site,
        backup_dir=backup_dir,
    )
    if isinstance(prepared, PackageReport):
        return prepared
    return write_import(db, prepared, user=user, backup_dir=backup_dir)


def prepare_import(
    db: Database,
    path: Path,
    *,
    user: str,
    passphrase: str | None = None,
    dry_run: bool = False,
    accept_new_site: bool = False,
    backup_dir: Path | None = None,
) -> PackageReport | PreparedImport:
    """Verify, check the ledger and trust, parse and plan one package without writing any record.

    Returns the final report when nothing is to be written (a duplicate, a preview, every record
    refused), else what write_import needs. A reply package is imported here, by its own rules
    (`backup_dir` is for it).
    """
    try:
        prepared = plan_package(
            path, db, passphrase=passphrase, dry_run=dry_run, accept_new_site=accept_new_site
        )
    except ReplyPackageError as found:  # a reply of the office above: its own rules (reply_import)
        from danvan_desktop.services.exchange.reply_import import import_reply

        return import_reply(
            db,
            found.reply,
            user=user,
            backup_dir=backup_dir,
            dry_run=dry_run,
            accept_new_site=accept_new_site,
        )
    if isinstance(prepared, _Refused):
        # Kept even by a preview: the ledger is where a person sees forgery attempts, and a
        # package refused at the preview never reaches the import step.
        record_refusal(db, prepared.package, prepared.refusal, user=user)
        raise prepared.refusal
    return prepared


def plan_package(
    path: Path,
    db: Database,
    *,
    passphrase: str | None,
    dry_run: bool,
    accept_new_site: bool,
    concurrent: bool = False,
) -> PackageReport | PreparedImport | _Refused:
    """prepare_import's reading part, which writes nothing at all (a worker process may run it).

    `concurrent`: other packages may be written between this plan and its write_import (a run's
    next package planned while one is written): the plan's basis then notes the catalog too.
    """
    # Signature first, and the ledger right after it: a package received before costs neither the
    # records' hash nor their parsing.
    package = open_package(path, passphrase, records_checked=False)
    manifest = package.manifest
    report = PackageReport(
        file=str(path),
        status="dry_run" if dry_run else "applied",
        message="",
        package_id=manifest.package_id,
        site_id=manifest.site_id,
        office_unit=manifest.office_unit,
        sequence=manifest.sequence,
        fingerprint=package.fingerprint,
    )
    with db.session() as session:
        sender = session.scalar(select(OrgUnit).where(OrgUnit.code == manifest.office_unit))
        report.office_label = unit_label(sender) if sender is not None else manifest.office_unit
        installation = session.scalars(select(Installation)).one()
        if manifest.site_id == installation.site_id:
            raise OwnPackageError(f"Gói {path.name} do chính máy này xuất; không nhập lại gói của mình.")
        digest = manifest_digest(package)
        known = session.get(ReceivedPackage, manifest.package_id)
        if known is not None and known.manifest_sha256 in (None, digest):
            report.status = "duplicate"
            report.message = f"Gói {path.name} đã được nhập trước đây; không có gì thay đổi."
            report.gaps = missing_sequences(session, manifest.site_id)
            return report
        package.check_records()
        records = package.read_all_records()  # every line checked before anything is touched
        trusted = _check_trust(session, package, accept_new_site)
        office_id = installation.office_unit_id
        # Unit definitions are learned first (in this session, never committed) so that the
        # origin check and the plan judge records about the villages the package defines.
        refusal = _forgery_signal(session, package, digest, trusted, report.office_label, records)
        if refusal is not None:
            return _Refused(package, refusal)
        basis = plan_basis(session, concurrent=concurrent)
        report.plan = plan_merge(session, office_id, records)
        if dry_run:
            report.message = f"Xem trước gói {path.name}: chưa thay đổi gì."
            report.gaps = missing_sequences(session, manifest.site_id, also=manifest.sequence)
            return report
    if not report.plan.changes_records() and report.counts()["rejected"] and manifest.review is None:
        # Nothing would be stored: leave the database untouched so that the package can be
        # imported again once the office knows the form, unit or period it needs.
        report.status = "rejected"
        report.message = f"Không nhận bản ghi nào của gói {path.name}; cơ sở dữ liệu không thay đổi."
        return report
    # The new records' rows are made here too: in a run, that is the worker's time, not the writer's.
    staged = stage_new_rows(report.plan, db.engine.dialect)
    return PreparedImport(package, report, digest, _sender(package, trusted), basis, accept_new_site, staged)


def write_import(
    db: Database, prepared: PreparedImport, *, user: str, backup_dir: Path | None
) -> PackageReport:
    """The writing part of an import: one transaction, all of the package or nothing."""
    package, report = prepared.package, prepared.report
    assert report.plan is not None
    if report.plan.changes_records() and backup_dir is not None:
        # backup_dir None: the caller took one before the first package of this batch (a server: pg_dump).
        report.backup = str(backup_database(db, backup_dir, "nhap-goi"))
    try:
        with db.transaction() as session:
            if (done := _written_meanwhile(session, prepared)) is not None:
                return done
            applied = _apply_in_transaction(session, prepared, user=user)
    except (ForeignOriginError, EquivocationError) as refusal:
        # Found only now (another package of the run was written since the plan): kept like the others.
        record_refusal(db, package, refusal, user=user)
        raise
    report.message = " ".join([f"Đã nhập gói {package.path.name}.", *applied]).strip()
    return report


def _written_meanwhile(session: Session, prepared: PreparedImport) -> PackageReport | None:
    """The report of a package written since its plan (by another window, PC or package of the run)."""
    manifest, report = prepared.package.manifest, prepared.report
    if session.get(ReceivedPackage, manifest.package_id) is None:
        return None
    # Another window (another PC on a server) may have written since the plan was made: it is told
    # here, inside the writing transaction, never applied twice nor over newer data.
    report.status = "duplicate"
    report.message = (
        f"Gói {prepared.package.path.name} vừa được nhập (ở cửa sổ hoặc máy khác); không có gì thay đổi."
    )
    report.gaps = missing_sequences(session, manifest.site_id)
    return report


def _apply_in_transaction(session: Session, prepared: PreparedImport, *, user: str) -> list[str]:
    """Check again what may have changed since the plan, write the plan and the ledger row.

    Returns the lines of the message beyond "Đã nhập gói …" (units learned, review outcomes).
    """
    package, report, digest = prepared.package, prepared.report, prepared.digest
    manifest, path = package.manifest, package.path
    assert report.plan is not None
    records = [result.incoming for result in report.plan.results]
    # A second package under the same number, or a key accepted meanwhile for this site, is
    # judged again with what is stored now.
    check_equivocation(session, package, digest, report.office_label)
    trusted = _check_trust(session, package, prepared.accept_new_site)
    sender = _sender(package, trusted)
    replan = False
    if sender != prepared.sender:
        refusal = _forgery_signal(session, package, digest, trusted, report.office_label, records)
        if refusal is not None:
            raise refusal
        replan = True
    learned = learn_units(session, manifest.unit_definitions, sender_code=sender, file_name=path.name)
    installation = session.scalars(select(Installation)).one()
    # The plan was made with the same units, rolled back since (ids come anew), or before
    # another writer's change: planned again here.
    staged = prepared.staged
    if replan or learned or not plan_still_holds(session, prepared.basis, [r.id for r in records]):
        report.plan, staged = plan_merge(session, installation.office_unit_id, records), None
    apply_plan(session, report.plan, manifest.package_id, user=user, staged=staged)
    review_lines = review_hooks.apply(session, manifest, report.office_label)
    # Attached returns are checked against the records just merged, in the same transaction.
    report.returns = examine_package_returns(session, package, store=True, sender_unit=sender)
    counts = ", ".join(f"{k}: {v}" for k, v in report.counts().items() if v)
    record_action(
        session,
        "package.import",
        user=user,
        detail=f"{path.name} của {report.office_label}, gói số {manifest.sequence} ({counts})",
    )
    if trusted is None and session.get(TrustedSite, manifest.site_id) is None:
        accept_sender_key(
            session,
            site_id=manifest.site_id,
            office_unit_code=manifest.office_unit,
            public_key=package.public_key,
            fingerprint=package.fingerprint,
            user=user,
            label=f"{report.office_label} ({manifest.office_unit})",
        )
    session.add(
        ReceivedPackage(
            package_id=manifest.package_id,
            site_id=manifest.site_id,
            sequence=manifest.sequence,
            office_unit_code=manifest.office_unit,
            received_at=_now(),
            file_name=path.name,
            file_sha256=package.file_sha256,
            record_count=len(records),
            summary=dict(report.counts()),
            manifest_sha256=digest,
        )
    )
    session.flush()
    report.gaps = missing_sequences(session, manifest.site_id)
    return [learned.summary_vi(), *review_lines]


def _sender(package: VerifiedPackage, trusted: TrustedSite | None) -> str:
    """The unit the site speaks for: the one it was trusted for, else the one being accepted now."""
    return trusted.office_unit_code if trusted is not None else package.manifest.office_unit


def _forgery_signal(
    session: Session,
    package: VerifiedPackage,
    digest: str,
    trusted: TrustedSite | None,
    sender: str,
    records: list[PackageRecord],
) -> ForeignOriginError | EquivocationError | None:
    """Why the package must be refused whole as a forgery signal, or None when it may be merged."""
    try:
        check_equivocation(session, package, digest, sender)
        learn_units(
            session,
            package.manifest.unit_definitions,
            sender_code=_sender(package, trusted),
            file_name=package.path.name,
        )
        check_origin(
            session,
            file_name=package.path.name,
            trusted_office=trusted.office_unit_code if trusted is not None else None,
            manifest_office=package.manifest.office_unit,
            records=records,
        )
        review_hooks.check_origin(session, package, _sender(package, trusted))
        check_return_origin(session, package, trusted.office_unit_code if trusted is not None else None)
    except (ForeignOriginError, EquivocationError) as refusal:
        return refusal
    return None


def enrol_site(db: Database, path: Path, *, user: str, passphrase: str | None = None) -> TrustedSite:
    """Register (or re-register after a reinstall) the key a package was signed with."""
    package = open_package(path, passphrase)
    manifest = package.manifest
    with db.transaction() as session:
        require_in(session, "trust.change")
        installation = session.scalars(select(Installation)).one()
        if manifest.site_id == installation.site_id:
            raise OwnPackageError(f"Gói {path.name} do chính máy này xuất.")
        row = session.get(TrustedSite, manifest.site_id) or TrustedSite(site_id=manifest.site_id)
        record_action(
            session,
            "trust.reenrol",
            user=user,
            detail=manifest.office_unit,
            old=row.fingerprint or "",
            new=package.fingerprint,
        )
        row.office_unit_code = manifest.office_unit
        row.public_key = encode_base64(package.public_key)
        row.fingerprint = package.fingerprint
        row.accepted_at, row.accepted_by = _now(), user
        session.add(row)
    return row


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
