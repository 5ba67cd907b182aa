"""What else a reply package carries down: a registry of payload kinds, each with its export and apply."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

# Modules that register payload kinds when imported; loaded the first time the registry is used,
# so that a kind is known wherever replies are written or read (the command line, the window, tests).
PAYLOAD_MODULES: tuple[str, ...] = (
    "danvan_desktop.services.exchange.formpush_kinds",
    "danvan_desktop.services.exchange.profile_kinds",
)

_KIND = re.compile(r"^[a-z0-9_.]{1,64}$")


@dataclass
class ApplyContext:
    """What an apply function knows about the reply it is applied from."""

    sender_office: str  # code of the office above that signed the reply
    unit_code: str  # this office's unit: the reply's recipient
    package_id: str
    file_name: str
    user: str  # login of the person importing
    inbox_lines: list[tuple[str, str]] = field(default_factory=list)

    def inbox(self, title: str, detail: str = "") -> None:
        """A line for the unit's inbox («Ý kiến và văn bản của cấp trên»), stored with the reply."""
        self.inbox_lines.append((title, detail))


ExportFn = Callable[[Session, str], bytes | None]
ApplyFn = Callable[[Session, bytes, ApplyContext], None]


@dataclass(frozen=True)
class PayloadKind:
    kind: str
    label: str  # Vietnamese, for the inbox and messages: "Biểu mẫu", "Chỉ tiêu Đề án 05"
    export: ExportFn
    apply: ApplyFn
    order: int


_registry: dict[str, PayloadKind] = {}
_loaded = False


def register(kind: str, export_fn: ExportFn, apply_fn: ApplyFn, *, label: str, order: int = 100) -> None:
    """Make `kind` travel in replies: `export_fn(session, unit_code)` gives the bytes for that unit (None:
    nothing to send it), `apply_fn(session, data, context)` stores them at the unit.

    Kinds apply in ascending `order` (then by name): forms (10) before what refers to them.
    Registering the same kind twice replaces it (a module reloaded in tests).
    """
    if not _KIND.match(kind):
        raise ValueError(f"payload kind {kind!r}: lower-case letters, digits, '_' and '.' only, ≤ 64")
    _registry[kind] = PayloadKind(kind, label, export_fn, apply_fn, order)


def unregister(kind: str) -> None:
    """Forget a kind (tests that register their own)."""
    _registry.pop(kind, None)


def registered() -> list[PayloadKind]:
    """Every kind, in the order they are applied."""
    global _loaded
    if not _loaded:
        for module in PAYLOAD_MODULES:
            importlib.import_module(module)
        _loaded = True
    return sorted(_registry.values(), key=lambda p: (p.order, p.kind))


def find(kind: str) -> PayloadKind | None:
    return next((p for p in registered() if p.kind == kind), None)


def payloads_for(session: Session, unit_code: str) -> list[tuple[str, bytes]]:
    """(kind, bytes) of every registered kind that has something for `unit_code`, in apply order."""
    found = []
    for payload in registered():
        data = payload.export(session, unit_code)
        if data is not None:
            found.append((payload.kind, data))
    return found
