"""pushed profiles: report layout profiles the office above sends in a reply package

Revision ID: 0008_pushed_profiles
Revises: 0007_received_returns
Create Date: 2026-12-03 17:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_pushed_profiles"
down_revision = "0007_received_returns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pushed_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("origin_unit_code", sa.String(length=64), nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pushed_profile")),
        sa.UniqueConstraint("name", name=op.f("uq_pushed_profile_name")),
    )


def downgrade() -> None:
    op.drop_table("pushed_profile")
