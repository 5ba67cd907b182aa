"""accounts: the office's users with roles, and audit rows attributed to an account

Revision ID: 0006_accounts
Revises: 0005_package_ledger
Create Date: 2026-12-03 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_accounts"
down_revision = "0005_package_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("roles", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("login", name=op.f("uq_account_login")),
    )
    # Full names of the writers (packages carry them); rows saved before stay NULL.
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_by_name", sa.String(length=200), nullable=True))
    with op.batch_alter_table("record_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_by_name", sa.String(length=200), nullable=True))
    # Rows written before accounts keep their writer's name in `user`; account_id stays NULL, which
    # the audit screen shows as "trước khi có tài khoản".
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("form_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("record_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("old_value", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("new_value", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_log_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_log_account_id_account"), "account", ["account_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audit_log_account_id_account"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_account_id"))
        for column in ("new_value", "old_value", "record_id", "form_id", "account_id"):
            batch_op.drop_column(column)
    op.drop_table("account")
    with op.batch_alter_table("record_history", schema=None) as batch_op:
        batch_op.drop_column("changed_by_name")
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_column("updated_by_name")
