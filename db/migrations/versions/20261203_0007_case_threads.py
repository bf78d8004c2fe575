"""case threads: a conversation per case, and who works it

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('author_role', sa.String(length=16), nullable=False),
    sa.Column('staff_id', sa.BigInteger(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('attachment_kind', sa.String(length=16), nullable=True),
    sa.Column('file_id', sa.String(length=256), nullable=True),
    sa.Column('source_receipt', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_receipt')
    )
    with op.batch_alter_table('case_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_message_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_message_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('awaiting_reply_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_awaiting_reply_since'), ['awaiting_reply_since'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_awaiting_reply_since'))
        batch_op.drop_index(batch_op.f('ix_case_assignee_id'))
        batch_op.drop_column('awaiting_reply_since')
        batch_op.drop_column('assignee_id')
    with op.batch_alter_table('case_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_message_created_at'))
        batch_op.drop_index(batch_op.f('ix_case_message_case_id'))
    op.drop_table('case_message')
