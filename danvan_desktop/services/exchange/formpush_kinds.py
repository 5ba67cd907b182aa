"""Registers the kinds of pushed_payloads (forms, targets, catalog, settings) with the reply registry."""

from danvan_desktop.services.exchange import reply_payloads
from danvan_desktop.services.exchange.pushed_payloads import register_payloads

register_payloads(reply_payloads.register)
