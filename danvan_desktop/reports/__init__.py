"""Printed returns: document profiles, reportlab layouts, charts (no Qt, no ORM session)."""
