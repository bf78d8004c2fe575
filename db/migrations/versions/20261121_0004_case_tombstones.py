"""case tombstones

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 09:39:18.219051
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_tombstone',
    sa.Column('ref', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('ref')
    )


def downgrade() -> None:
    op.drop_table('case_tombstone')
