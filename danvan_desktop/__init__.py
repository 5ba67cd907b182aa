"""Dân Vận Desktop: offline data entry, package exchange and signed returns (công tác dân vận)."""

__version__ = "0.1.0"
APP_NAME = "DanVanDesktop"
APP_TITLE = "Dân Vận Desktop"
