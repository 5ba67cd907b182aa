"""The office itself: its installation, units, periods, forms and settings."""
