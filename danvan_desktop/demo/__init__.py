"""The demo offices and their data (never imported by services)."""
