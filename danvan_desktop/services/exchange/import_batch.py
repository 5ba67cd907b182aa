"""Importing several package files as one batch: list them, preview each, apply the accepted ones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import RecordConflict
from danvan_desktop.errors import UserError
from danvan_desktop.paths import PACKAGE_SUFFIX
from danvan_desktop.services.exchange.import_report import describe_report
from danvan_desktop.services.exchange.import_run import ImportRun, RunPackage
from danvan_desktop.services.exchange.merge_plan import OUTCOME_LABELS
from danvan_desktop.services.exchange.package_import import PackageReport, UntrustedSiteError, import_package
from danvan_desktop.services.office.forms import form_registry

PreviewState = Literal["ready", "untrusted", "duplicate", "refused"]
Tone = Literal["ok", "warn", "error", "muted"]  # how a status is coloured
OUTCOMES = ["new", "updated", "unchanged", "stale", "conflict", "rejected"]


@dataclass
class ImportSettings:
    """What every package of the batch is imported with."""

    user: str
    backup_dir: Path
    passphrase: str | None = None


@dataclass
class PackagePreview:
    """A package checked without changing anything: its plan, or why it is refused whole."""

    path: Path
    state: PreviewState
    report: PackageReport | None = None
    message: str = ""  # why the package is refused
    unit_label: str = ""  # the sending unit as people name it ("Xã Phúc Chu")
    gaps: list[int] = field(default_factory=list)  # earlier package numbers of the sender never received


@dataclass
class BatchItem:
    """One file of the batch, from choosing it to the outcome of importing it."""

    path: Path
    preview: PackagePreview | None = None  # None until verified
    accepted: bool = False  # a person compared and accepted the key of a new site
    final: PackageReport | None = None
    error: str = ""  # refused when imported for real

    def importable(self) -> bool:
        p = self.preview
        return p is not None and (p.state == "ready" or (p.state == "untrusted" and self.accepted))

    def gap_lines(self, batch: Iterable[BatchItem]) -> list[str]:
        """Package numbers of the sender never received (those in this batch do not count)."""
        p = self.preview
        if p is None or p.report is None:
            return []
        reports = [b.preview.report for b in batch if b.preview and b.preview.report]
        coming = {r.sequence for r in reports if r.site_id == p.report.site_id}
        who = p.unit_label[:1].lower() + p.unit_label[1:]
        return [f"Chưa nhận gói số {n} của {who}." for n in p.gaps if n not in coming]

    def status(self, checking: bool) -> tuple[str, Tone]:
        """The package's state in a few words; `checking`: the preview is still running."""
        p = self.preview
        if p is None:
            return ("Đang chờ kiểm tra…" if checking else "Chưa kiểm tra (đã dừng)"), "muted"
        if p.state == "ready":
            return "Sẵn sàng nhập", "ok"
        if p.state == "untrusted":
            if self.accepted:
                return "Đơn vị mới — đã chấp nhận khóa", "ok"
            return "Đơn vị mới — cần đối chiếu khóa (chưa nhập)", "warn"
        if p.state == "duplicate":
            return "Đã nhập trước đây — bỏ qua", "muted"
        reason = p.message.removeprefix(f"Gói «{self.path.name}»: ").splitlines()[0] if p.message else ""
        return f"Bị từ chối cả gói: {reason}" if reason else "Bị từ chối cả gói", "error"

    def row(self, checking: bool) -> list[str]:
        """File, sending unit, package number, status, then the count of each outcome."""
        p = self.preview
        report = p.report if p else None
        planned = report is not None and p is not None and p.state in ("ready", "untrusted")
        counts = report.counts() if report is not None and planned else None
        return [
            self.path.name,
            p.unit_label if p and report else "",
            str(report.sequence) if report else "",
            self.status(checking)[0],
            *(str(counts[o]) if counts is not None else "" for o in OUTCOMES),
        ]

    def notes(self, batch: Iterable[BatchItem]) -> list[tuple[str, Tone]]:
        """What a person should read about the package before importing it."""
        p = self.preview
        if p is None:
            return []
        notes: list[tuple[str, Tone]] = [(p.message, "error")] if p.state == "refused" else []
        if p.report is not None and p.state == "duplicate":
            notes.append((p.report.message, "muted"))
        if p.state == "untrusted":
            notes.append(
                (
                    f"Đây là gói đầu tiên của {p.unit_label}. Hãy gọi điện cho đơn vị đó và đối chiếu dấu "
                    "vân tay khóa ký dưới đây; nếu không đánh dấu ô xác nhận, gói này sẽ không được nhập.",
                    "warn",
                )
            )
        notes += [(f"⚠ {gap}", "warn") for gap in self.gap_lines(batch)]
        return notes

    def report_text(self) -> str:
        name, p = self.path.name, self.preview
        if self.final is not None:
            return describe_report(self.final)
        if self.error:
            return f"✗ {self.error}"
        if p is None:
            return f"– Gói {name}: chưa kiểm tra (đã dừng)."
        if p.state == "refused":
            return f"✗ {p.message}"
        if p.state == "duplicate" and p.report is not None:
            return describe_report(p.report)
        if p.state == "untrusted" and not self.accepted and p.report is not None:
            return (
                f"– Bỏ qua gói {name} của {p.unit_label}: chưa chấp nhận khóa ký "
                f"(dấu vân tay {p.report.fingerprint})."
            )
        return f"– Chưa nhập gói {name}: đã dừng trước gói này."


@dataclass(frozen=True)
class RecordDetail:
    """An incoming record a person may want to look at: its differences, or why it is refused."""

    title: str
    lines: list[tuple[str, str, str]]  # (field, value here, value in the package) or (reason, "", "")


def record_details(report: PackageReport | None, limit: int) -> tuple[list[RecordDetail], int]:
    """Updated and conflicting records with their changes, stale and rejected ones with the reason.

    Returns at most `limit` of them and how many more there are.
    """
    if report is None or report.plan is None or report.status == "duplicate":
        return [], 0
    forms = form_registry()
    shown = [r for r in report.plan.results if r.outcome in ("updated", "conflict", "rejected", "stale")]
    details = []
    for result in shown[:limit]:
        record, form = result.incoming, forms.get(result.incoming.form_id)
        name = str(record.values.get(form.record_title) or "") if form and form.record_title else ""
        title = (
            f"[{OUTCOME_LABELS[result.outcome]}] {form.title if form else record.form_id} · "
            f"{record.unit_code} · {record.period_code}" + (f" — {name}" if name else "")
        )
        lines = [(f"Lý do: {result.reason}", "", "")] if result.outcome in ("rejected", "stale") else []
        lines += [(c.label, c.old or "(trống)", c.new or "(trống)") for c in result.changes]
        details.append(RecordDetail(title, lines))
    return details, max(len(shown) - limit, 0)


def accept_key(batch: list[BatchItem], chosen: BatchItem, accepted: bool) -> list[int]:
    """Accept (or not) the key of `chosen`'s site for every package of the batch signed with it."""
    report = chosen.preview.report if chosen.preview else None
    if report is None:
        return []
    changed = []
    for index, item in enumerate(batch):
        other = item.preview.report if item.preview else None
        if other is not None and (other.site_id, other.fingerprint) == (report.site_id, report.fingerprint):
            item.accepted = accepted
            changed.append(index)
    return changed


def preview_summary(batch: list[BatchItem]) -> str:
    checked = sum(i.preview is not None for i in batch)
    ready = sum(i.importable() for i in batch)
    waiting = sum(bool(i.preview and i.preview.state == "untrusted" and not i.accepted) for i in batch)
    refused = sum(bool(i.preview and i.preview.state == "refused") for i in batch)
    return (
        f"Đã kiểm tra {checked}/{len(batch)} gói: {ready} sẵn sàng nhập"
        + (f", {waiting} cần đối chiếu khóa" if waiting else "")
        + (f", {refused} bị từ chối" if refused else "")
        + "."
    )


def batch_summary(batch: list[BatchItem]) -> str:
    imported = sum(i.final is not None and i.final.status == "applied" for i in batch)
    refused = sum(bool(i.error or (i.preview and i.preview.state == "refused")) for i in batch)
    skipped = len(batch) - imported - refused
    return (
        f"Đã nhập {imported} trên {len(batch)} gói"
        + (f"; {refused} gói bị từ chối" if refused else "")
        + (f"; {skipped} gói bỏ qua hoặc chưa nhập" if skipped else "")
        + ". Báo cáo chi tiết dưới đây; có thể lưu thành tệp văn bản."
    )


def batch_report(batch: list[BatchItem]) -> str:
    return "\n\n".join(item.report_text() for item in batch)


def package_files(targets: Iterable[Path]) -> list[Path]:
    """The files themselves, and the *.danvan files of folders, without repeats."""
    files: list[Path] = []
    for target in targets:
        if target.is_dir():
            files.extend(sorted(p for p in target.iterdir() if p.suffix.lower() == PACKAGE_SUFFIX))
        else:
            files.append(target)
    return list(dict.fromkeys(files))


def preview_package(db: Database, path: Path, settings: ImportSettings) -> PackagePreview:
    """Verify and plan one package (a dry run); a new site is planned as if its key were accepted."""

    def dry_run(accept: bool) -> PackageReport:
        return import_package(
            db,
            path,
            user=settings.user,
            backup_dir=settings.backup_dir,
            passphrase=settings.passphrase,
            dry_run=True,
            accept_new_site=accept,
        )

    try:
        try:
            report = dry_run(False)
            state: PreviewState = "duplicate" if report.status == "duplicate" else "ready"
        except UntrustedSiteError:
            report, state = dry_run(True), "untrusted"
    except UserError as exc:
        return PackagePreview(path, "refused", message=exc.message)
    gaps = report.gaps if state != "duplicate" else []
    return PackagePreview(path, state, report, unit_label=report.office_label, gaps=gaps)


def _accepted(item: BatchItem) -> bool:
    return item.preview is not None and item.preview.state == "untrusted" and item.accepted


def import_run(db: Database, items: list[BatchItem], settings: ImportSettings) -> ImportRun:
    """The run that imports `items` in their order (the next one read and planned while one is written)."""
    return ImportRun(db, [RunPackage(i.path, _accepted(i)) for i in items], passphrase=settings.passphrase)


def apply_item(
    db: Database,
    item: BatchItem,
    settings: ImportSettings,
    *,
    backed_up: bool = False,
    run: ImportRun | None = None,
) -> PackageReport:
    """Import one previewed package for real (atomic: all of it or nothing).

    `backed_up`: a backup was already taken for this batch; one copy before the first changing
    package is enough, and a copy per package would cost minutes on a large district database.
    `run`: the batch's import_run, whose next file `item` is.
    """
    backup_dir = None if backed_up else settings.backup_dir
    if run is not None:
        return run.import_next(item.path, user=settings.user, backup_dir=backup_dir)
    return import_package(
        db,
        item.path,
        user=settings.user,
        backup_dir=backup_dir,
        passphrase=settings.passphrase,
        accept_new_site=_accepted(item),
    )


def pending_conflict_count(db: Database) -> int:
    with db.session() as session:
        count = session.scalar(
            select(func.count()).select_from(RecordConflict).where(RecordConflict.resolved_at.is_(None))
        )
    return int(count or 0)
