"""staff profile: staff shown by name, told in their Telegram app's language

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00

Staff and admins appear by their Telegram first name and @username on the case card, the
hand-over list and notices, instead of a bare numeric id; their notices follow their Telegram
app's language when they never chose one with /language.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_profile',
    sa.Column('telegram_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('first_name', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=32), nullable=True),
    sa.Column('language_code', sa.String(length=8), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('telegram_id')
    )


def downgrade() -> None:
    op.drop_table('staff_profile')
