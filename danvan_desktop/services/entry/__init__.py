"""Data entry: saving records and their history, locks, registers, spreadsheets."""
