"""thread files: a conversation file's type, its name made safe to show, and whether staff get it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:00:00

Files sent in the conversation before this keep no verdict (NULL): without their type and name
only Telegram's own kinds (photo, voice, video message) reach staff, as before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_message') as batch:
        batch.add_column(sa.Column('mime_type', sa.String(length=128), nullable=True))
        batch.add_column(sa.Column('file_name', sa.String(length=128), nullable=True))
        batch.add_column(sa.Column('forwardable', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_message') as batch:
        batch.drop_column('forwardable')
        batch.drop_column('file_name')
        batch.drop_column('mime_type')
