"""guidance: sections some situations never receive

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03 07:00:00

A family told he was killed gets no legal warnings: `not_for` lists the situations a section
is withheld from (seeded from `seeds/guidance/*.toml`).
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('guidance_text', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_for', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('guidance_text', schema=None) as batch_op:
        batch_op.drop_column('not_for')
