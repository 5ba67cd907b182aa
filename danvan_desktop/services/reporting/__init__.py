"""Report data: what the printed returns show, read from the database into plain dataclasses."""

from danvan_desktop.services.reporting.common import (
    REPORT_SETTING_KEYS,
    Letterhead,
    ReportScope,
    all_setting_keys,
    load_letterhead,
    resolve_scope,
)
from danvan_desktop.services.reporting.commune import CommuneReturnData, commune_return_data
from danvan_desktop.services.reporting.register import RegisterData, register_data
from danvan_desktop.services.reporting.summary import CommuneFigures, SummaryData, summary_data

__all__ = [
    "REPORT_SETTING_KEYS",
    "CommuneFigures",
    "CommuneReturnData",
    "Letterhead",
    "RegisterData",
    "ReportScope",
    "SummaryData",
    "all_setting_keys",
    "commune_return_data",
    "load_letterhead",
    "register_data",
    "resolve_scope",
    "summary_data",
]
