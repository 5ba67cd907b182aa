"""Printing a return: build it from the database, lay it out, number it from the register, write it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import OrgUnit, Period
from danvan_desktop.errors import UserError
from danvan_desktop.reports.document import ReportDocument
from danvan_desktop.reports.model import IssuingRole
from danvan_desktop.reports.profile import DocumentProfile
from danvan_desktop.services.office.accounts import require_in
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.settings import get_setting
from danvan_desktop.services.reporting.pushed_profiles import PUSHED_MARK, office_profile
from danvan_desktop.services.reporting.report_numbers import (
    NumberUsedError,
    check_unused,
    next_number,
    record_number,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from danvan_desktop.catalog.tree import UnitNode
    from danvan_desktop.db.models import Period
    from danvan_desktop.services.reporting.return_code import SignedStatement

log = logging.getLogger(__name__)

SiteKey = tuple[str, "Ed25519PrivateKey"]  # the installation's site id and its package signing key
ReportKind = Literal["return", "summary", "register"]
KINDS: tuple[ReportKind, ...] = ("return", "summary", "register")
KIND_LABELS: dict[ReportKind, str] = {
    "return": "Báo cáo của xã",
    "summary": "Báo cáo tổng hợp",
    "register": "Danh sách sổ theo dõi",
}
DEFAULT_PROFILE = "nha_nuoc"
PROFILE_SETTING = "report.profile"


@dataclass(frozen=True)
class ReportRequest:
    """Which return to print, for whom, in which layout; `number` None takes the register's next."""

    kind: ReportKind
    unit: str
    period: str
    date: dt.date
    profile: str | None = None  # None: the office's default (settings), else the State profile
    form: str | None = None  # the register form, for kind "register"
    number: int | None = None
    profiles_dir: Path | None = None  # the office's own profiles
    structure: str = "ky"  # summaries: "ky" units of the period, "moi" today's units, "cu" former ones


@dataclass(frozen=True)
class PreparedReport:
    """A laid-out return: its PDF, the number it carries and the register series it belongs to.

    `number` None: a document that takes no number (a reading copy, a list); `unnumbered` says why.
    """

    pdf: bytes
    pages: int
    number: int | None
    series: str  # "" without a number
    profile_key: str
    profile_name: str
    title: str
    abbreviation_guessed: str | None  # the symbol made from the initials when none is set
    unnumbered: str = ""  # why it takes no number, said to the user before it is saved or printed
    reading_copy: bool = False


def profile_key(session: Session, wanted: str | None) -> str:
    return wanted or get_setting(session, PROFILE_SETTING) or DEFAULT_PROFILE


def build_document(
    session: Session, request: ReportRequest, profile: DocumentProfile, number: int | None
) -> ReportDocument:
    """The return's content (no layout); clear errors for a unit or period without data."""
    from danvan_desktop.services.reporting.lineage import parse_structure

    structure = parse_structure(request.structure)
    if structure != "ky" and request.kind != "summary":
        raise UserError(
            "Quy đổi theo đơn vị hành chính mới hoặc cũ chỉ dùng cho báo cáo tổng hợp (--kind summary)."
        )
    if request.kind == "return":
        from danvan_desktop.reports.commune_return import build_commune_return
        from danvan_desktop.services.reporting import commune_return_data

        data = commune_return_data(session, request.unit, request.period)
        return build_commune_return(data, profile, date=request.date, number=number)
    if request.kind == "summary":
        from danvan_desktop.reports.summary_return import build_summary_return
        from danvan_desktop.services.reporting import summary_data

        summary = summary_data(session, request.unit, request.period, structure)
        return build_summary_return(summary, profile, date=request.date, number=number)
    if not request.form:
        raise UserError("In danh sách sổ theo dõi cần chọn sổ, ví dụ: mo_hinh_dan_van_kheo.")
    from danvan_desktop.reports.register_print import build_register_printout
    from danvan_desktop.services.reporting import register_data

    register = register_data(session, request.form, request.unit, request.period)
    return build_register_printout(register, date=request.date, number=number)


def _unnumbered_reason(profile: DocumentProfile, doc: ReportDocument) -> str:
    from danvan_desktop.services.reporting.issuing import reading_copy_note

    if doc.reading_copy is not None:
        return reading_copy_note(doc.reading_copy.label, doc.reading_copy.printed_by)
    title = profile.document_types[doc.doc_type].title.capitalize()
    return (
        f"{title} không phải loại văn bản được đánh số theo mẫu «{profile.name}»: "
        "in không có số, không lấy số trong sổ đăng ký văn bản."
    )


def prepare_report(
    session: Session, request: ReportRequest, site_key: SiteKey | None = None
) -> PreparedReport:
    """Lay out the return with its number: the one asked for (refused if used) or the next free one.

    A document that takes no number (a unit's reading copy, a list) is laid out without one, and a
    number asked for it is refused: nothing of it enters the register.
    """
    from danvan_desktop.reports.letterhead import abbreviation, is_numbered, number_series, signature_lines
    from danvan_desktop.reports.render import pdf_bytes, pdf_with_signature_box
    from danvan_desktop.services.reporting.pdf_signing import add_signature_fields
    from danvan_desktop.services.reporting.return_code import embed_statement

    if request.number is not None and request.number < 1:
        raise UserError("Số văn bản phải là số nguyên dương.")
    key = profile_key(session, request.profile)
    profile = office_profile(session, key, request.profiles_dir)
    draft = build_document(session, request, profile, None)  # checks data and settings first
    if not is_numbered(profile, draft):
        reason = _unnumbered_reason(profile, draft)
        if request.number is not None:
            raise UserError(f"Không cấp số {request.number} được. {reason}")
        pdf, pages = pdf_bytes(draft, profile)
        return PreparedReport(
            pdf,
            pages,
            None,
            "",
            key,
            profile.name,
            draft.summary,
            None,
            reason,
            draft.reading_copy is not None,
        )
    signature_lines(profile, draft.letterhead)  # an unreadable signer.authority fails before any file
    series = number_series(profile, draft.letterhead, request.date, draft.doc_type)
    if request.number is None:
        number = next_number(session, series)
    else:
        number = request.number
        check_unused(session, series, number)
    doc = replace(draft, number=number)  # the number only shows in the layout
    signed = _statement(request, key, series, number, doc, site_key)
    if signed is not None:
        doc = replace(doc, verification_code=signed.code)
    pdf, pages, box = pdf_with_signature_box(doc, profile)
    if signed is not None:  # before the signature fields: the PAdES signatures cover it
        pdf = embed_statement(pdf, signed)
    if box is not None:  # where the signer and the organization sign digitally, now or later
        pdf = add_signature_fields(pdf, box, profile.digital_signature, profile.signature.name.size)
    guessed = None if doc.letterhead.abbreviation else abbreviation(doc.letterhead)
    return PreparedReport(pdf, pages, number, series, key, profile.name, doc.summary, guessed)


def _statement(
    request: ReportRequest,
    profile: str,
    series: str,
    number: int,
    doc: ReportDocument,
    site_key: SiteKey | None,
) -> SignedStatement | None:
    """The site's signed statement of a numbered return (its paper code); None without a site key."""
    from danvan_desktop.services.reporting.return_code import Statement, figures_digest, sign_statement

    if site_key is None or request.kind not in ("return", "summary"):
        return None
    site_id, private_key = site_key
    statement = Statement(
        site=site_id,
        unit=request.unit,
        period=request.period,
        kind=request.kind,
        structure=request.structure,
        profile=profile,
        series=series,
        number=number,
        figures_sha256=figures_digest(doc),
    )
    return sign_statement(statement, private_key)


def site_key_of(db: Database, session: Session) -> SiteKey | None:
    """This installation's site id and Ed25519 key, which sign the paper codes; None when the key is
    missing (the return still prints, without a code, and the log says why)."""
    from danvan_desktop.services.exchange.signing_keys import signing_key
    from danvan_desktop.services.office.installation import load_installation
    from danvan_desktop.transport.keys import KeyFileError

    site_id = load_installation(session).site_id
    try:
        return site_id, signing_key(db.path, site_id)
    except KeyFileError as exc:
        log.warning("no site key, returns print without a verification code: %r", exc)
        return None


def preview_report(db: Database, request: ReportRequest) -> PreparedReport:
    """The return as it would be saved now (with the next number), recording nothing."""
    with db.session() as session:
        return prepare_report(session, request, site_key_of(db, session))


def issue_report(
    db: Database,
    prepared: PreparedReport,
    request: ReportRequest,
    file_name: str,
    deliver: Callable[[PreparedReport], object],
) -> None:
    """Enter the report's number in the register and deliver it (write, print), in one transaction.

    The number is entered (flushed, so a concurrent writer's identical number is refused by the
    unique index) before `deliver` runs, and committed only after it succeeded: a failed write or
    print rolls the entry back, so the register never lists a number without its document and a
    number is never handed out twice. A number that was merely previewed is not taken. A document
    without a number (a reading copy, a list) is only delivered: the register stays as it was.
    """
    if prepared.number is None:
        deliver(prepared)
        return
    taken: list[bool] = []  # set once the number is entered: only then is one given back
    try:
        _issue_numbered(db, prepared, request, file_name, deliver, taken)
    except Exception as exc:
        if taken:
            _record_returned_number(db, prepared, request, file_name, exc)
        raise


def _record_returned_number(
    db: Database, prepared: PreparedReport, request: ReportRequest, file_name: str, exc: Exception
) -> None:
    """The audit trail says that a number was taken and given back (a signing cancelled or failed, a
    file not written): the register stays without a gap, and the event is not lost with the rollback."""
    reason = exc.message if isinstance(exc, UserError) else type(exc).__name__
    try:
        with db.transaction() as session:
            unit = session.scalar(select(OrgUnit.id).where(OrgUnit.code == request.unit))
            period = session.scalar(select(Period.id).where(Period.code == request.period))
            record_action(
                session,
                "report.number_returned",
                unit_id=unit,
                period_id=period,
                old=f"{prepared.number} ({prepared.series})",
                detail=f"{prepared.title} — {file_name}: {reason}"[:1000],
            )
    except Exception:  # the database itself may be what failed: the log keeps the event then
        log.exception("could not record the returned number %s (%s)", prepared.number, prepared.series)


def _issue_numbered(
    db: Database,
    prepared: PreparedReport,
    request: ReportRequest,
    file_name: str,
    deliver: Callable[[PreparedReport], object],
    taken: list[bool],
) -> None:
    assert prepared.number is not None
    with db.transaction() as session:
        require_in(session, "report.issue")
        record_number(
            session,
            profile=prepared.profile_key,
            series=prepared.series,
            number=prepared.number,
            title=prepared.title,
            unit=request.unit,
            period=request.period,
            file_name=file_name,
        )
        taken.append(True)
        unit = session.scalar(select(OrgUnit.id).where(OrgUnit.code == request.unit))
        period = session.scalar(select(Period.id).where(Period.code == request.period))
        number = f"{prepared.number} ({prepared.series})"
        record_action(session, "report.number", unit_id=unit, period_id=period, new=number)
        record_action(
            session, "report.issue", unit_id=unit, period_id=period, detail=f"{prepared.title} — {file_name}"
        )
        deliver(prepared)


def write_delivery(
    out: Path, sign: Callable[[bytes], bytes] | None = None
) -> Callable[[PreparedReport], None]:
    """What `issue_report` delivers: the PDF written to `out`, signed first when `sign` is given.

    A cancelled or failed signing raises before anything is written, inside the transaction that
    took the number: the number goes back to the register (the next return gets it), and the event
    is written to the log.
    """
    from danvan_desktop.reports import render

    def deliver(prepared: PreparedReport) -> None:
        data = prepared.pdf
        if sign is not None:
            try:
                data = sign(data)
            except BaseException:
                number = f"số {prepared.number} ({prepared.series})" if prepared.number else "không số"
                log.warning(
                    "signing %s, %s, failed or cancelled: nothing written, number given back", out, number
                )
                raise
        render.write_atomically(Path(out), data)

    return deliver


def save_report(
    db: Database, request: ReportRequest, out: Path, sign: Callable[[bytes], bytes] | None = None
) -> PreparedReport:
    """Lay out the return with its number and write it atomically to `out` (signed: see write_delivery)."""
    deliver = write_delivery(out, sign)
    for attempt in range(3):
        prepared = preview_report(db, request)
        try:
            issue_report(db, prepared, request, Path(out).name, deliver)
        except NumberUsedError:
            if request.number is not None or attempt == 2:
                raise
            continue  # another writer took the next number meanwhile: lay out again with the one after
        return prepared
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class ReportUnit:
    id: int
    code: str
    label: str
    is_commune: bool
    role: IssuingRole  # "reading_copy": its return prints here only as a marked, unnumbered copy


def report_units(session: Session, period_code: str) -> list[ReportUnit]:
    """The office and the units under it down to the communes (villages print no return), in the period."""
    from danvan_desktop.catalog.kinds import UnitKind
    from danvan_desktop.services.office.installation import load_installation
    from danvan_desktop.services.office.orgunits import dated_subtree
    from danvan_desktop.services.office.periods import get_period
    from danvan_desktop.services.reporting.issuing import issuing_role

    installation = load_installation(session)
    period = get_period(session, period_code, create=False)
    tree = dated_subtree(session, installation.office_unit_id, period.start, period.end)
    nodes = tree.walk() if tree else _before_the_office(session, installation.office_unit_id, period)
    return [
        ReportUnit(
            n.id,
            n.code,
            n.display,
            UnitKind(n.kind).is_commune_level,
            issuing_role(installation.office_unit_id, n.id),
        )
        for n in nodes
        if not UnitKind(n.kind).is_village_level
    ]


def _before_the_office(session: Session, office_unit_id: int, period: Period) -> list[UnitNode]:
    """For a period before the office's unit existed: the unit itself (its history under today's
    units, "quy đổi theo đơn vị hành chính mới") and its predecessors of that period with their
    villages, so a new commune can print the history it inherited from the Reports screen."""
    from danvan_desktop.catalog.tree import UnitNode
    from danvan_desktop.db.models import OrgUnit
    from danvan_desktop.services.office.orgunits import dated_subtree, predecessors

    office = session.get_one(OrgUnit, office_unit_id)
    nodes = [UnitNode(office.id, office.code, office.name, office.kind, office.valid_from, office.valid_to)]
    for former in predecessors(session, office):
        subtree = dated_subtree(session, former.id, period.start, period.end)
        if subtree is not None:
            nodes.extend(subtree.walk())
    return nodes


def register_forms() -> list[tuple[str, str]]:
    """(form id, title) of every register form a list can be printed from."""
    from danvan_desktop.services.office.forms import form_registry

    return sorted(
        ((f.id, f.title) for f in form_registry().values() if f.kind == "register"), key=lambda p: p[1]
    )


def profile_choices(
    profiles_dir: Path | None, pushed: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(key, name) of the shipped profiles, the office's own and those sent from above (`pushed`, name ->
    JSON text), marked so; a broken file shows as its key. The same name: own file > from above > shipped.
    """
    from danvan_desktop.reports.profile import (
        ProfileError,
        load_profile_file,
        load_profile_text,
        own_profile_names,
        profile_files,
    )

    files = profile_files(profiles_dir)
    own = own_profile_names(profiles_dir)
    pushed = {k: v for k, v in (pushed or {}).items() if k not in own}
    choices = []
    for key in sorted(set(files) | set(pushed)) if pushed else files:
        try:
            if key in pushed:
                name = f"{load_profile_text(key, pushed[key]).name} ({PUSHED_MARK})"
            else:
                name = load_profile_file(files[key], files).name
        except ProfileError:
            name = f"{key} (tệp mẫu có lỗi)"
        choices.append((key, name))
    return choices
