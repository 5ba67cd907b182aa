"""received returns: signed return PDFs received in packages (format 3) and what checking them found

Revision ID: 0007_received_returns
Revises: 0006_accounts
Create Date: 2026-12-03 16:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_received_returns"
down_revision = "0007_forms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "received_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("sender_unit", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("period_code", sa.String(length=64), nullable=False),
        sa.Column("series", sa.String(length=100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("statement", sa.JSON(), nullable=True),
        sa.Column("signer", sa.String(length=200), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_return")),
    )
    with op.batch_alter_table("received_return", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_received_return_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_received_return_package_id"), ["package_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("received_return", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_return_package_id"))
        batch_op.drop_index(batch_op.f("ix_received_return_code"))
    op.drop_table("received_return")
