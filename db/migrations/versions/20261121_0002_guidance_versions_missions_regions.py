"""guidance versions, missions and contact fields, pending inputs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 08:46:13.366202
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_input',
    sa.Column('telegram_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('target', sa.String(length=128), nullable=False),
    sa.Column('pending_text', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('telegram_id')
    )
    op.create_table('mission',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('contact_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_key', sa.String(length=32), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_by', sa.BigInteger(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mission_key'], ['mission.key'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mission_key', 'field')
    )
    with op.batch_alter_table('contact_field', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_field_mission_key'), ['mission_key'], unique=False)

    with op.batch_alter_table('guidance_text', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outdated', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('reviewed_by', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('guidance_text', schema=None) as batch_op:
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by')
        batch_op.drop_column('outdated')

    with op.batch_alter_table('contact_field', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_field_mission_key'))

    op.drop_table('contact_field')
    op.drop_table('mission')
    op.drop_table('pending_input')
