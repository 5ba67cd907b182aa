"""Report profiles sent by the office above (table pushed_profile): resolved and listed beside the files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import PushedProfile
from danvan_desktop.reports.profile import DocumentProfile, load_profile

PUSHED_MARK = "cấp trên gửi"  # how a profile sent from above shows where profiles are chosen


def pushed_profile_texts(session: Session) -> dict[str, str]:
    """Name -> the profile's JSON text, for every profile the office above sent."""
    return {p.name: p.content for p in session.scalars(select(PushedProfile).order_by(PushedProfile.name))}


def office_profile(session: Session, key: str, profiles_dir: Path | None) -> DocumentProfile:
    """The profile a return is printed with: the office's own file, else one sent from above, else shipped."""
    return load_profile(key, profiles_dir, pushed_profile_texts(session))
