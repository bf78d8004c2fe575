"""staff desk

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:05:13.316273
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('export_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('profile', sa.String(length=16), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('staff_role',
    sa.Column('telegram_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('granted_by', sa.BigInteger(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('telegram_id')
    )
    op.create_table('case_addition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('source_update_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_update_id')
    )
    with op.batch_alter_table('case_addition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_addition_case_id'), ['case_id'], unique=False)

    op.create_table('case_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source_update_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_update_id')
    )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_case_id'), ['case_id'], unique=False)

    op.create_table('case_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('old_status', sa.String(length=32), nullable=False),
    sa.Column('new_status', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('author_id', sa.BigInteger(), nullable=False),
    sa.Column('source_update_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_update_id')
    )
    with op.batch_alter_table('case_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_status_change_case_id'), ['case_id'], unique=False)

    op.create_table('duplicate_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('other_case_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_case_id'], ['case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'other_case_id')
    )
    with op.batch_alter_table('duplicate_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_link_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_link_other_case_id'), ['other_case_id'], unique=False)

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporter_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('consular_mission', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('region_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('home_district_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_region_key'), ['region_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_region_key'))
        batch_op.drop_column('home_district_key')
        batch_op.drop_column('region_key')
        batch_op.drop_column('consular_mission')
        batch_op.drop_column('reporter_name')

    with op.batch_alter_table('duplicate_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_link_other_case_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_link_case_id'))

    op.drop_table('duplicate_link')
    with op.batch_alter_table('case_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_status_change_case_id'))

    op.drop_table('case_status_change')
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_case_id'))

    op.drop_table('case_note')
    with op.batch_alter_table('case_addition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_addition_case_id'))

    op.drop_table('case_addition')
    op.drop_table('staff_role')
    op.drop_table('export_audit')
