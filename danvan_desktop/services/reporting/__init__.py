"""Reporting: reading the database into the types the printed returns render (reports.model)."""

from danvan_desktop.services.reporting.common import (
    REPORT_SETTING_KEYS,
    all_setting_keys,
    load_letterhead,
    resolve_scope,
)
from danvan_desktop.services.reporting.commune import commune_return_data
from danvan_desktop.services.reporting.register import register_data
from danvan_desktop.services.reporting.summary import summary_data

__all__ = [
    "REPORT_SETTING_KEYS",
    "all_setting_keys",
    "commune_return_data",
    "load_letterhead",
    "register_data",
    "resolve_scope",
    "summary_data",
]
