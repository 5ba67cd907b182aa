"""Packages between offices: export, import and merge, conflicts, trust, the ledger."""
