"""Demo records of a district for a year: every commune, every shipped form, through the entry rules.

The district totals match the figures of the Định Hóa inspection (domain.md): 16/22 xã meeting the
new-rural standard, 169/228 cultural houses built or enlarged, 231 "dân vận khéo" models and
1.950.000.000 đồng mobilized. Everything else is drawn from seeded random generators (one for the
district's shares, one per commune and per village), so two builds store the same values.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.models import Period
from danvan_desktop.demo import texts as t
from danvan_desktop.demo.activities import add_activities
from danvan_desktop.demo.commune import MILLION, Allocation, Commune, CommunePlan, Row, Village
from danvan_desktop.demo.narrative import narrative
from danvan_desktop.demo.results import (
    Facts,
    commune_facts,
    commune_indicators,
    district_indicators,
    district_inspections,
    ntm_row,
)
from danvan_desktop.services.entry.entry import FormContext, Writer, form_context, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import dated_subtree
from danvan_desktop.services.office.periods import get_period

DEMO_PERIOD = "2023"
SEED = 2023
WRITER = "Dữ liệu minh họa"
MONEY_STEP = MILLION // 10  # amounts are whole multiples of 100.000 đồng
MIN_MODELS = 3
# Stored in this order, so that a register lists its records as a clerk would have typed them.
FORM_ORDER = (
    "ho_so_xa",
    "tien_do_ntm",
    "nha_van_hoa",
    "dong_gop_nhan_dan",
    "mo_hinh_dan_van_kheo",
    "to_chuc_doan_the",
    "doi_thoai_tiep_dan",
    "phong_trao_thi_dua",
    "dan_chu_co_so",
    "kiem_tra_giam_sat",
    "chi_tieu_de_an_05",
    "bao_cao_tong_hop",
)


@dataclass(frozen=True)
class DistrictTargets:
    """What the filled communes add up to."""

    ntm_met: int = 16  # xã meeting the new-rural standard
    ntm_advanced: int = t.NTM_ADVANCED  # how many of them at the advanced level
    houses_built: int = 169  # cultural houses built or enlarged
    models: int = 231  # "dân vận khéo" models and exemplars, not counting withdrawn ones
    # People's cash and in-kind in the contributions register, đồng (None: as drawn, not scaled).
    money: int | None = 1_950_000_000
    withdrawn: int = 3  # models withdrawn, in as many communes


@dataclass
class FilledRecords:
    """How many records were stored per form, and any warning the form rules raised."""

    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def fill_district(
    session: Session,
    period_code: str = DEMO_PERIOD,
    *,
    targets: DistrictTargets = DistrictTargets(),
    skip: Sequence[str] = (),
    seed: int = SEED,
) -> FilledRecords:
    """Every commune of the office (but `skip`) with every form filled for the period, and the office's
    own Project 05 indicators and inspections; each record validated and saved by the entry service."""
    installation = load_installation(session)
    office_id = installation.office_unit_id
    period = get_period(session, period_code)
    tree = dated_subtree(session, office_id, period.start, period.end)
    nodes = [n for n in (tree.children if tree else []) if n.code not in skip]
    return fill_communes(session, period, nodes, targets=targets, seed=seed, office_rows=True)


def fill_communes(
    session: Session,
    period: Period,
    nodes: Sequence[UnitNode],
    *,
    targets: DistrictTargets,
    seed: int | str = SEED,
    office_rows: bool = False,
) -> FilledRecords:
    """Every form of the commune-level `nodes` (dated subtrees, with their villages) filled for the
    period, sharing out `targets` among them; with `office_rows`, also the office's own indicators and
    inspections. A commune's own installation passes its own node and office_rows False."""
    installation = load_installation(session)
    office_id = installation.office_unit_id
    communes = _communes(nodes, seed)
    if not communes:
        raise ValueError(f"no commune with villages under the office in {period.code}")
    rng = random.Random(f"{seed}:district")
    allocations = _allocate(rng, communes, targets)
    plans = [
        CommunePlan(
            c, a, random.Random(f"{seed}:{c.code}"), year=period.start.year, first_month=period.start.month
        )
        for c, a in zip(communes, allocations, strict=True)
    ]
    for plan in plans:
        plan.build()
        add_activities(plan)
    if targets.money is not None:
        _scale_money(plans, targets.money)
    criteria = _criteria(session, office_id, period)
    facts: list[Facts] = []
    for plan in plans:
        # No criteria set in force (2021, before Decision 318/QĐ-TTg): no NTM progress record.
        ntm = ntm_row(plan, criteria) if plan.commune.is_xa and criteria else None
        if ntm is not None:
            plan.rows["tien_do_ntm"] = [ntm]
        plan.rows["bao_cao_tong_hop"] = [narrative(plan, ntm)]
        facts.append(commune_facts(plan))
        plan.rows["chi_tieu_de_an_05"] = commune_indicators(plan, facts[-1])
    writer = Writer(installation.site_id, WRITER)
    filled = FilledRecords()
    for plan in plans:
        _store(session, writer, period, plan.commune.id, plan.rows, filled)
    if office_rows:
        met = sum(1 for a in allocations if a.ntm_level in ("dat_chuan", "nang_cao"))
        own = {
            "chi_tieu_de_an_05": district_indicators(facts, (met, targets.ntm_met)),
            "kiem_tra_giam_sat": district_inspections(rng, communes, period.start.year),
        }
        _store(session, writer, period, office_id, own, filled)
    return filled


def _communes(nodes: Sequence[UnitNode], seed: int | str) -> list[Commune]:
    communes = []
    for node in nodes:
        if not UnitKind(node.kind).is_commune_level:
            continue
        villages = tuple(_village(v, seed) for v in node.children if UnitKind(v.kind).is_village_level)
        if villages:
            communes.append(Commune(node.id, node.code, node.name, node.kind, villages))
    return communes


def _village(node: UnitNode, seed: int | str) -> Village:
    rng = random.Random(f"{seed}:{node.code}")
    town = node.kind == UnitKind.TO_DAN_PHO.value
    households = rng.randint(160, 260) if town else rng.randint(70, 150)
    return Village(node.code, node.name, node.kind, households, round(households * rng.uniform(3.6, 4.0)))


def _allocate(rng: random.Random, communes: list[Commune], targets: DistrictTargets) -> list[Allocation]:
    """The district's headline figures shared out among the communes."""
    xa = [c.code for c in communes if c.is_xa]
    order = [code for code in t.NTM_ORDER if code in xa] + sorted(set(xa) - set(t.NTM_ORDER))
    met = order[: targets.ntm_met]
    villages = [v.code for c in communes for v in c.villages]
    if targets.houses_built > len(villages):
        raise ValueError(f"{targets.houses_built} cultural houses for {len(villages)} villages")
    rng.shuffle(villages)
    built = frozenset(villages[: targets.houses_built])
    weights = [rng.uniform(0.7, 1.3) * (1.15 if c.code in met else 1.0) for c in communes]
    models = _apportion(targets.models, weights)
    if max(models) >= sum(len(m) for m in t.MODELS.values()):
        raise ValueError(f"{max(models)} models in one commune: not enough distinct names")
    withdrawn = set(rng.sample(range(len(communes)), min(targets.withdrawn, len(communes))))

    def level(c: Commune) -> str | None:
        if not c.is_xa:
            return None
        if c.code in met:
            return "nang_cao" if met.index(c.code) < targets.ntm_advanced else "dat_chuan"
        return "chua_dat"

    return [
        Allocation(models[i], int(i in withdrawn), built & {v.code for v in c.villages}, level(c))
        for i, c in enumerate(communes)
    ]


def _apportion(amount: int, weights: list[float]) -> list[int]:
    """`amount` split in proportion to `weights`, at least MIN_MODELS each (largest remainders)."""
    spare = amount - MIN_MODELS * len(weights)
    if spare < 0:
        raise ValueError(f"{amount} is less than {MIN_MODELS} per commune")
    shares = [spare * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: spare - sum(counts)]:
        counts[i] += 1
    return [MIN_MODELS + n for n in counts]


def _scale_money(plans: list[CommunePlan], amount: int) -> None:
    """Scale the people's cash of the projects so that cash and in-kind add up to `amount`."""
    fixed, scalable = 0, []
    for plan in plans:
        for i, row in enumerate(plan.rows["dong_gop_nhan_dan"]):
            fixed += _money(row, "hien_vat_quy_doi")
            if i in plan.mirrored:  # copies a cultural house's figures: keep them equal
                fixed += _money(row, "dong_gop_tien")
            else:
                scalable.append(row)
    raw = sum(_money(r, "dong_gop_tien") for r in scalable)
    budget = amount - fixed
    if budget <= 0 or not raw or budget % MONEY_STEP:
        raise ValueError(f"cannot make the contributions add up to {amount} đồng")
    for row in scalable:
        row["dong_gop_tien"] = round(_money(row, "dong_gop_tien") * budget / raw / MONEY_STEP) * MONEY_STEP
    largest = max(scalable, key=lambda r: _money(r, "dong_gop_tien"))
    largest["dong_gop_tien"] = (
        _money(largest, "dong_gop_tien") + budget - sum(_money(r, "dong_gop_tien") for r in scalable)
    )


def _money(row: Row, key: str) -> int:
    value = row.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _criteria(session: Session, office_id: int, period: Period) -> dict[str, str]:
    """The NTM criteria of the set in force: number -> "6. Cơ sở vật chất văn hóa"."""
    context = form_context(session, get_form("tien_do_ntm"), office_id, period)
    return {c.value: c.label for c in context.choices.get("tieu_chi_dat", [])}


def _store(
    session: Session,
    writer: Writer,
    period: Period,
    unit_id: int,
    rows_by_form: dict[str, list[Row]],
    filled: FilledRecords,
) -> None:
    shared: FormContext | None = None
    for form_id in FORM_ORDER:
        rows = rows_by_form.get(form_id)
        if not rows:
            continue
        form = get_form(form_id)
        if any(f.choices_from for f in form.fields()):
            context = form_context(session, form, unit_id, period)
        else:
            # Without catalog-driven choices a form's context is the unit's (its units and organizations):
            # built once per unit, with the per-form label cache left empty.
            shared = shared or form_context(session, form, unit_id, period)
            context = dataclasses.replace(shared, _labels={})
        for values in rows:
            saved = save_entry(
                session, form, unit_id, period.id, values, writer=writer, context=context, audit=False
            )
            filled.warnings += [f"{form_id} ({unit_id}): {w.message}" for w in saved.warnings]
        filled.counts[form_id] = filled.counts.get(form_id, 0) + len(rows)
