"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 08:22:52.431418
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=16), nullable=False),
    sa.Column('reporter_telegram_id', sa.BigInteger(), nullable=False),
    sa.Column('reporter_chat_id', sa.BigInteger(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('consent_version', sa.String(length=32), nullable=False),
    sa.Column('share_with_authorities', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_update_id', sa.BigInteger(), nullable=False),
    sa.Column('reporter_relationship', sa.String(length=32), nullable=False),
    sa.Column('person_full_name', sa.String(length=100), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('last_contact_date', sa.Date(), nullable=False),
    sa.Column('last_contact_precision', sa.String(length=16), nullable=False),
    sa.Column('last_contact_text', sa.Text(), nullable=False),
    sa.Column('last_location', sa.Text(), nullable=False),
    sa.Column('last_location_lat', sa.Float(), nullable=True),
    sa.Column('last_location_lon', sa.Float(), nullable=True),
    sa.Column('reporter_contact_method', sa.String(length=16), nullable=False),
    sa.Column('reporter_phone', sa.String(length=32), nullable=True),
    sa.Column('person_name_ru', sa.String(length=100), nullable=True),
    sa.Column('person_father_name', sa.String(length=100), nullable=True),
    sa.Column('home_district', sa.Text(), nullable=True),
    sa.Column('circumstances', sa.String(length=32), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('person_situation', sa.String(length=32), nullable=True),
    sa.Column('last_phone', sa.String(length=32), nullable=True),
    sa.Column('already_contacted', sa.JSON(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submitted_update_id')
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_ref'), ['ref'], unique=True)
        batch_op.create_index(batch_op.f('ix_case_reporter_telegram_id'), ['reporter_telegram_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_status'), ['status'], unique=False)

    op.create_table('conversation',
    sa.Column('telegram_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('phase', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=True),
    sa.Column('editing', sa.Boolean(), nullable=False),
    sa.Column('confirming_cancel', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('consent_version', sa.String(length=32), nullable=True),
    sa.Column('last_update_id', sa.BigInteger(), nullable=False),
    sa.Column('last_outputs', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('telegram_id')
    )
    op.create_table('guidance_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('situations', sa.JSON(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('section', 'language', 'version')
    )
    with op.batch_alter_table('guidance_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guidance_text_is_current'), ['is_current'], unique=False)
        batch_op.create_index(batch_op.f('ix_guidance_text_section'), ['section'], unique=False)

    op.create_table('inbox_update',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('chat_key', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('update_id')
    )
    with op.batch_alter_table('inbox_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_update_chat_key'), ['chat_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_update_done_at'), ['done_at'], unique=False)

    op.create_table('user_profile',
    sa.Column('telegram_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('language_chosen', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('telegram_id')
    )
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_id', sa.String(length=256), nullable=False),
    sa.Column('file_unique_id', sa.String(length=128), nullable=False),
    sa.Column('mime_type', sa.String(length=128), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'file_unique_id')
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_case_id'))

    op.drop_table('attachment')
    op.drop_table('user_profile')
    with op.batch_alter_table('inbox_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_update_done_at'))
        batch_op.drop_index(batch_op.f('ix_inbox_update_chat_key'))

    op.drop_table('inbox_update')
    with op.batch_alter_table('guidance_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guidance_text_section'))
        batch_op.drop_index(batch_op.f('ix_guidance_text_is_current'))

    op.drop_table('guidance_text')
    op.drop_table('conversation')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_status'))
        batch_op.drop_index(batch_op.f('ix_case_reporter_telegram_id'))
        batch_op.drop_index(batch_op.f('ix_case_ref'))
        batch_op.drop_index(batch_op.f('ix_case_created_at'))

    op.drop_table('case')
