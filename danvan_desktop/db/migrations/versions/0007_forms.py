"""forms: form definitions pushed from the office above (or the office's own), Project 05 targets per unit

Revision ID: 0007_forms
Revises: 0007_review
Create Date: 2026-12-03 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_forms"
down_revision = "0007_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_definition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("origin_unit_code", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.Column("stored_by", sa.String(length=100), nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_definition")),
        sa.UniqueConstraint("form_id", "version", name=op.f("uq_form_definition_form_id")),
    )
    with op.batch_alter_table("form_definition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_definition_form_id"), ["form_id"], unique=False)
    op.create_table(
        "unit_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("measure", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_unit_target_org_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_target")),
        sa.UniqueConstraint("org_unit_id", "year", "indicator", name=op.f("uq_unit_target_org_unit_id")),
    )
    with op.batch_alter_table("unit_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_target_org_unit_id"), ["org_unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_target_org_unit_id"))
    op.drop_table("unit_target")
    with op.batch_alter_table("form_definition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_definition_form_id"))
    op.drop_table("form_definition")
