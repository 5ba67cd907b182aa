"""Typed SQLAlchemy models of everything the app stores."""

# ruff: noqa: E402  (review_models, which needs Base, is re-exported at the end)

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, dict[str, int]: JSON}


Base.metadata.naming_convention = NAMING


class OrgUnit(Base):
    """An administrative unit, valid between two dates, placed under its parent."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)  # accent-free search key
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    admin_code: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200), default="catalog")

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])


class UnitLineage(Base):
    """A unit that became (part of) another on a date: merges, splits, renames."""

    __tablename__ = "unit_lineage"
    __table_args__ = (UniqueConstraint("from_unit_id", "to_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    effective: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str | None] = mapped_column(Text)


class Organization(Base):
    """The Fatherland Front or a socio-political organization."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(100))
    branch_label: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class OrgBranch(Base):
    """An organization's branch in one unit (a village's chi hội, a commune's committee)."""

    __tablename__ = "org_branch"
    __table_args__ = (UniqueConstraint("organization_id", "org_unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    organization: Mapped[Organization] = relationship()
    org_unit: Mapped[OrgUnit] = relationship()


class CriteriaSet(Base):
    """A versioned set of criteria (e.g. NTM under QĐ 318/QĐ-TTg)."""

    __tablename__ = "criteria_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    decision: Mapped[str] = mapped_column(String(300))
    issued: Mapped[dt.date | None] = mapped_column(Date)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="criteria_set", order_by="Criterion.number", cascade="all, delete-orphan"
    )


class Criterion(Base):
    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("criteria_set_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id"))
    number: Mapped[int] = mapped_column(Integer)
    group_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="criteria")


class Programme(Base):
    """A programme or project with indicators (e.g. Đề án 05-ĐA/TU)."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    document: Mapped[str] = mapped_column(String(300))
    issued: Mapped[dt.date] = mapped_column(Date)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)


class Period(Base):
    """A reporting period with a stable text code ("2023-Q2", "DA05-TU-SK")."""

    __tablename__ = "period"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))


class Record(Base):
    """One set of form values for a unit and period; never deleted, only tombstoned."""

    __tablename__ = "record"
    __table_args__ = (Index("ix_record_form_unit_period", "form_id", "org_unit_id", "period_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, stable across sites
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[int] = mapped_column(Integer)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version_vector: Mapped[dict[str, int]] = mapped_column(JSON)  # site id -> edit counter
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Accent-free text of the values, so that "dan van kheo" finds "Dân vận khéo" with LIKE.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The installation that created the record; kept through every merge and roll-up.
    origin_site: Mapped[str] = mapped_column(String(36), default="", server_default="")
    # This database's own change counter: "export what changed since the last export".
    local_change: Mapped[int] = mapped_column(Integer, default=0, server_default="0", index=True)
    # The full name of updated_by (an account here, or as a package said); NULL before schema 0006.
    updated_by_name: Mapped[str | None] = mapped_column(String(200))


class RecordHistory(Base):
    """Every saved version of every record, in order; the last one per services.records.history_matches."""

    __tablename__ = "record_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), index=True)
    form_version: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    version_vector: Mapped[dict[str, int]] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_by_name: Mapped[str | None] = mapped_column(String(200))  # full name; NULL before 0006
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    change: Mapped[str] = mapped_column(String(20))  # create / update / delete / restore / merge


class PeriodLock(Base):
    """A unit's period marked submitted: its records are read-only until reopened."""

    __tablename__ = "period_lock"

    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), primary_key=True)
    locked_by: Mapped[str] = mapped_column(String(100))
    locked_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)


class Account(Base):
    """A person who works in this office's database, with roles; only the Argon2id hash of the password."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)  # NFC, lower case
    full_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[str] = mapped_column(String(100))  # space-separated: nhap_lieu lanh_dao quan_tri
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    # Stored, so that restarting the program does not reset the growing delay after wrong passwords.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who did what, when, where: every action an office must be able to account for."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    user: Mapped[str] = mapped_column(String(100))  # the login (before schema 0006: the writer's name)
    action: Mapped[str] = mapped_column(String(40))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("period.id"))
    detail: Mapped[str] = mapped_column(Text, default="")
    # NULL for rows written before accounts existed (the "before accounts" marker) or without one.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    form_id: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(36))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class TrustedSite(Base):
    """Another installation whose packages this office accepts, with its signing key."""

    __tablename__ = "trusted_site"

    site_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_unit_code: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(String(100))  # base64 of the raw Ed25519 key
    fingerprint: Mapped[str] = mapped_column(String(100))
    accepted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    accepted_by: Mapped[str] = mapped_column(String(100))


class ReceivedPackage(Base):
    """The ledger: every package this office has imported (or refused), by its id."""

    __tablename__ = "received_package"

    package_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(36), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    office_unit_code: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # counts per outcome
    # SHA-256 of the signed manifest: two packages with one (site, number) but other content are
    # an equivocation. NULL for packages received before schema 0005.
    manifest_sha256: Mapped[str | None] = mapped_column(String(64))


class RefusedPackage(Base):
    """The ledger's other half: packages refused as forgery signals (foreign units, equivocation)."""

    __tablename__ = "refused_package"

    id: Mapped[int] = mapped_column(primary_key=True)
    refused_at: Mapped[dt.datetime] = mapped_column(DateTime)
    refused_by: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # origin / office / equivocation
    site_id: Mapped[str] = mapped_column(String(36), index=True)
    office_unit_code: Mapped[str] = mapped_column(String(64))  # as the manifest claims it
    sequence: Mapped[int] = mapped_column(Integer)
    package_id: Mapped[str] = mapped_column(String(36))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)  # the Vietnamese reason shown to the user


class ReceivedReturn(Base):
    """A signed return PDF received in a package (format 3), with what the office found checking it."""

    __tablename__ = "received_return"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(String(36), index=True)
    site_id: Mapped[str] = mapped_column(String(36))
    sender_unit: Mapped[str] = mapped_column(String(64))  # the sending office's unit code
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(20))  # return / summary
    unit_code: Mapped[str] = mapped_column(String(64))
    period_code: Mapped[str] = mapped_column(String(64))
    series: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    # The paper code's 12 characters (services.reporting.return_code); "" when the PDF carried no
    # statement. The full statement and signature are kept to check a typed code later.
    code: Mapped[str] = mapped_column(String(16), index=True)
    statement: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    signer: Mapped[str] = mapped_column(String(200))  # the PAdES signer's certificate name
    organization: Mapped[str] = mapped_column(String(200))
    flagged: Mapped[bool] = mapped_column(Boolean)  # any problem below: never silently accepted
    problems: Mapped[list[str]] = mapped_column(JSON)  # Vietnamese, one per problem found
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class RecordConflict(Base):
    """An incoming edit concurrent with a local one, waiting for a person's decision."""

    __tablename__ = "record_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), index=True)
    package_id: Mapped[str] = mapped_column(String(36))
    incoming: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole incoming record
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(String(20))  # local / incoming / fields
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class Installation(Base):
    """This installation's identity: one row."""

    __tablename__ = "installation"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(36), unique=True)
    office_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    role: Mapped[str] = mapped_column(String(20))  # reporting / aggregating
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by_version: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(100), default="", server_default="")  # base64 Ed25519
    export_sequence: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0"
    )  # last package number
    exported_change: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # local_change then

    office_unit: Mapped[OrgUnit] = relationship()


class Setting(Base):
    """Key/value settings: signer names and titles, last chosen period, catalog digest."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DocumentNumber(Base):
    """The document-number register: one row per number issued, never reused within its series."""

    __tablename__ = "document_number"
    __table_args__ = (UniqueConstraint("series", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile: Mapped[str] = mapped_column(String(100))  # nha_nuoc, dang or an office's own
    # "BC-UBND:2023", "BC-ĐU:2020-2025"; the unique (series, number) index serves the lookups
    series: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    title: Mapped[str] = mapped_column(String(500))  # the summary line (trích yếu)
    unit: Mapped[str] = mapped_column(String(64))  # unit code
    period: Mapped[str] = mapped_column(String(32))  # period code
    file_name: Mapped[str] = mapped_column(String(300))


# The review and the reply package's tables live in review_models (one module per concern); they are
# re-exported here so that `from danvan_desktop.db.models import ...` reaches every table.
from danvan_desktop.db.review_models import (
    FormDefinition as FormDefinition,
)
from danvan_desktop.db.review_models import (
    InboxItem as InboxItem,
)
from danvan_desktop.db.review_models import (
    PushedProfile as PushedProfile,
)
from danvan_desktop.db.review_models import (
    ReplySent as ReplySent,
)
from danvan_desktop.db.review_models import (
    ReviewComment as ReviewComment,
)
from danvan_desktop.db.review_models import (
    ReviewReturn as ReviewReturn,
)
from danvan_desktop.db.review_models import (
    UnitTarget as UnitTarget,
)
