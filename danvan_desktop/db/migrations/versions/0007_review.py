"""review: returns' states, reviewers' comments, replies written and the unit's inbox

Revision ID: 0007_review
Revises: 0006_accounts
Create Date: 2026-12-03 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_review"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_by_name", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=True),
        sa.Column("reopen_requested_at", sa.DateTime(), nullable=True),
        sa.Column("reopen_requested_by_name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_review_return_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name=op.f("fk_review_return_period_id_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_return")),
        sa.UniqueConstraint("org_unit_id", "period_id", "form_id", name=op.f("uq_review_return_org_unit_id")),
    )
    op.create_index(op.f("ix_review_return_org_unit_id"), "review_return", ["org_unit_id"])
    op.create_index(op.f("ix_review_return_period_id"), "review_return", ["period_id"])
    op.create_table(
        "review_comment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=True),
        sa.Column("field_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_review_comment_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["period.id"], name=op.f("fk_review_comment_period_id_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_comment")),
    )
    op.create_index(op.f("ix_review_comment_org_unit_id"), "review_comment", ["org_unit_id"])
    op.create_index(op.f("ix_review_comment_period_id"), "review_comment", ["period_id"])
    op.create_table(
        "reply_sent",
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("written_by", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("package_id", name=op.f("pk_reply_sent")),
    )
    op.create_index(op.f("ix_reply_sent_unit_code"), "reply_sent", ["unit_code"])
    op.create_table(
        "inbox_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("period_code", sa.String(length=32), nullable=True),
        sa.Column("form_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_item")),
    )
    op.create_index(op.f("ix_inbox_item_package_id"), "inbox_item", ["package_id"])


def downgrade() -> None:
    op.drop_table("inbox_item")
    op.drop_table("reply_sent")
    op.drop_table("review_comment")
    op.drop_table("review_return")
