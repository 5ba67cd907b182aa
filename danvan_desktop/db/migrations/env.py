"""Alembic environment: runs on the connection handed over by danvan_desktop.db.migrate."""

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from danvan_desktop.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    # Developer use (autogenerate): a URL in the config instead of a live connection.
    engine = create_engine(config.get_main_option("sqlalchemy.url", "sqlite://"))
    with engine.begin() as conn:
        _run_on(conn)


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
