"""Use cases over the database: setup, catalog sync, org-unit queries, periods, records, demo."""
