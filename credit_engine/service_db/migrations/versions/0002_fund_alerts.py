"""Fund alerts: each fund's status as last seen, and the outbox of status changes to deliver to the webhook.

Revision ID: s0002
Revises: s0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_fund_status",
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("fund_id", name="pk_alert_fund_status"),
    )
    op.create_table(
        "alert_change",
        sa.Column("change_id", sa.String(64), nullable=False),
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("previous_status", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("failed_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("change_id", name="pk_alert_change"),
    )
    op.create_index("ix_alert_change_fund_id", "alert_change", ["fund_id"])
    op.create_index("ix_alert_change_next_attempt_at", "alert_change", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_change_next_attempt_at", table_name="alert_change")
    op.drop_index("ix_alert_change_fund_id", table_name="alert_change")
    op.drop_table("alert_change")
    op.drop_table("alert_fund_status")
