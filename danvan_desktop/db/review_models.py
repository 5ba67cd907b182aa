"""Models of the exchange downward: review states, comments, replies, inbox, pushed forms, targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from danvan_desktop.db.models import Base


class FormDefinition(Base):
    """A form definition not shipped with the program: pushed from the office above, or this office's own."""

    __tablename__ = "form_definition"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    origin: Mapped[str] = mapped_column(String(20))  # cap_tren (from the office above) / tai_cho (own)
    origin_unit_code: Mapped[str] = mapped_column(String(64))  # the office that defined it
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)  # the YAML document as data
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of its canonical JSON: same version, same text
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime)
    stored_by: Mapped[str] = mapped_column(String(100))
    package_id: Mapped[str | None] = mapped_column(String(36))  # the reply package that brought it


class UnitTarget(Base):
    """A Project 05 indicator target assigned to a unit for a year by the office above."""

    __tablename__ = "unit_target"
    __table_args__ = (UniqueConstraint("org_unit_id", "year", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[int] = mapped_column(Integer)  # the indicator's number in the project (so_thu_tu)
    name: Mapped[str] = mapped_column(String(500))  # ten_chi_tieu
    measure: Mapped[str] = mapped_column(String(50))  # don_vi_tinh: %, mô hình, cuộc
    kind: Mapped[str] = mapped_column(String(20))  # loai_chi_tieu: phan_dau / khong_che
    value: Mapped[Decimal] = mapped_column(Numeric(20, 2))  # the plan figure (chi_tieu), exact
    assigned_by: Mapped[str] = mapped_column(String(64))  # code of the office that assigned it
    origin: Mapped[str] = mapped_column(String(20))  # tai_cho (set here) / cap_tren (received)
    set_at: Mapped[dt.datetime] = mapped_column(DateTime)
    set_by: Mapped[str] = mapped_column(String(100))


class ReviewReturn(Base):
    """One unit's return (unit × period × form) in the review workflow, as this office knows it."""

    __tablename__ = "review_return"
    __table_args__ = (UniqueConstraint("org_unit_id", "period_id", "form_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    form_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))  # dang_nhap / da_nop / da_nhan / da_duyet / tra_lai
    # Grows with every change at either end; a statement from the other end applies when newer.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_by_name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)  # the decision's words, or the grant's
    reopen_reason: Mapped[str | None] = mapped_column(Text)  # the unit asks to reopen an approved return
    reopen_requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reopen_requested_by_name: Mapped[str | None] = mapped_column(String(200))


class ReviewComment(Base):
    """A reviewer's comment on a return, one of its records, or one field of a record."""

    __tablename__ = "review_comment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, the same at both ends
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    form_id: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(36))
    field_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    author_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by_name: Mapped[str | None] = mapped_column(String(200))


class ReplySent(Base):
    """A reply package written for one unit: the office's numbering of its replies to that unit."""

    __tablename__ = "reply_sent"

    package_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(64), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    written_at: Mapped[dt.datetime] = mapped_column(DateTime)
    written_by: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(300))
    item_count: Mapped[int] = mapped_column(Integer)


class InboxItem(Base):
    """What a reply from the office above brought, as the unit's inbox shows it."""

    __tablename__ = "inbox_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(String(36), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(40))  # decision / comment / a payload kind
    title: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")
    unit_code: Mapped[str | None] = mapped_column(String(64))
    period_code: Mapped[str | None] = mapped_column(String(32))
    form_id: Mapped[str | None] = mapped_column(String(64))


class PushedProfile(Base):
    """A report layout profile (resources/profiles schema) sent by the office above in a reply package.

    Kept here, never written to the profiles folder: the office's own files of the same name win.
    """

    __tablename__ = "pushed_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # the key a return is printed with
    content: Mapped[str] = mapped_column(Text)  # the whole profile as JSON, checked when stored
    origin_unit_code: Mapped[str] = mapped_column(String(64))  # the office above that sent it
    package_id: Mapped[str] = mapped_column(String(36))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
