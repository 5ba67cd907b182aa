"""Catalog: the dated org-unit hierarchy, organizations, criteria sets, programmes and periods."""
