"""privacy edges: a daily report counter that names nobody; files' names and whether staff get them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:00:00

Counts of reports already sent today are not carried over: the limit starts afresh once, at
the upgrade.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('daily_salt',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('daily_report_count',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'tag')
    )
    with op.batch_alter_table('attachment') as batch:
        batch.add_column(sa.Column('file_name', sa.String(length=128), nullable=True))
        batch.add_column(sa.Column('forwardable', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('attachment') as batch:
        batch.drop_column('forwardable')
        batch.drop_column('file_name')
    op.drop_table('daily_report_count')
    op.drop_table('daily_salt')
