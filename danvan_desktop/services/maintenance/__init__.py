"""Keeping a database well: backups, restore, health checks."""
