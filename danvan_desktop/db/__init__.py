"""Persistence: typed SQLAlchemy models, engine setup and the Alembic migrations that build them."""
