"""package ledger: manifest digest of received packages, and the refused-package ledger

Revision ID: 0005_package_ledger
Revises: 0004_document_numbers
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_package_ledger"
down_revision = "0004_document_numbers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("received_package", schema=None) as batch_op:
        batch_op.add_column(sa.Column("manifest_sha256", sa.String(length=64), nullable=True))
    op.create_table(
        "refused_package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refused_at", sa.DateTime(), nullable=False),
        sa.Column("refused_by", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("office_unit_code", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refused_package")),
    )
    with op.batch_alter_table("refused_package", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refused_package_site_id"), ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refused_package", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refused_package_site_id"))
    op.drop_table("refused_package")
    with op.batch_alter_table("received_package", schema=None) as batch_op:
        batch_op.drop_column("manifest_sha256")
