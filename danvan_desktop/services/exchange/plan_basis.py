"""Whether a merge plan made before the write lock still holds inside it (several importers at once).

A package is planned outside the writers' lock (planning is most of an import's time) and applied
inside it. On a shared server another PC may have imported a package meanwhile: the plan is made
again only when what it read has changed since: a record it judged (same id, written since), or
the catalog it checked units, periods, locks and organizations against. Two communes' packages
touch different records: the second importer's plan stands, and the two plan in parallel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Mapper, Session

from danvan_desktop.db.dialect import POSTGRESQL, dialect_of
from danvan_desktop.db.models import (
    CriteriaSet,
    Criterion,
    Organization,
    OrgUnit,
    Period,
    PeriodLock,
    Record,
    UnitLineage,
)

# Everything plan_merge reads besides the records themselves (merge_plan._Planner, form_context).
_CATALOG = (OrgUnit, UnitLineage, Organization, CriteriaSet, Criterion, Period, PeriodLock)


@dataclass(frozen=True)
class PlanBasis:
    """What a plan was made against: the last record change, and the catalog's rows (hashed)."""

    last_change: int
    catalog: str | None  # None: not taken (one writer, the plan written right after it is made)


def last_change(session: Session) -> int:
    return session.scalar(select(func.max(Record.local_change))) or 0


def _catalog_stamp(session: Session) -> str:
    """A digest of every row of the catalog tables (a few thousand small rows: milliseconds).

    The same in every process (an import run's worker makes the plan): not Python's salted hash().
    """
    digest = hashlib.blake2b(digest_size=16)
    for model in _CATALOG:
        mapper: Mapper[Any] = inspect(model)
        query = select(*mapper.columns).order_by(*mapper.primary_key)
        digest.update(repr([tuple(row) for row in session.execute(query)]).encode())
    return digest.hexdigest()


def _shared(session: Session) -> bool:
    """A server: other PCs write between plan and apply. A SQLite file has one writer, this one."""
    return dialect_of(session) == POSTGRESQL


def plan_basis(session: Session, *, concurrent: bool = False) -> PlanBasis:
    """Taken just before the plan is made: a change committed while it is made counts as later.

    `concurrent`: a SQLite file's own importer writes other packages between this plan and its
    write (a run plans the next package while one is written): judged as on a server.
    """
    stamp = _catalog_stamp(session) if concurrent or _shared(session) else None
    return PlanBasis(last_change(session), stamp)


def plan_still_holds(session: Session, basis: PlanBasis, record_ids: Collection[str]) -> bool:
    """Inside the write lock: True when no record of the package was written since the plan and the
    catalog is as it was (writes are serialized, so local_change grows in commit order)."""
    if basis.catalog is None:
        return last_change(session) == basis.last_change
    if last_change(session) != basis.last_change:
        # Core rather than ORM rows: a package written meanwhile is thousands of ids.
        record = Record.__table__
        since = select(record.c.id).where(record.c.local_change > basis.last_change)
        if not set(session.connection().execute(since).scalars()).isdisjoint(record_ids):
            return False
    return _catalog_stamp(session) == basis.catalog
