"""drafts and unknowns: the mid-report reminder, "I don't know" answers, and when a family's
/update changed the phone or the location

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:30:00

`draft_reminder` records, per person, the one reminder given for the draft begun at
`draft_started_at`: written before it is sent, so it is never sent twice. A last contact the
family does not know has no date. Optional questions answered "I don't know" are listed apart
from skipped ones. The reporter's phone and the last location hold the latest value given; the
`*_changed_at` columns say when a family's /update changed them (the earlier value stays in
the case's additions).
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'  # assigned '0006'; chained after main's 0008 when main was merged
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('draft_reminder',
    sa.Column('telegram_id', sa.BigInteger(), nullable=False),
    sa.Column('draft_started_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['telegram_id'], ['conversation.telegram_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('telegram_id')
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.alter_column('last_contact_date', existing_type=sa.Date(), nullable=True)
        batch_op.add_column(sa.Column('unknown_answers', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('reporter_phone_changed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_location_changed_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.execute(sa.text("UPDATE \"case\" SET last_contact_date = created_at WHERE last_contact_date IS NULL"))
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('last_location_changed_at')
        batch_op.drop_column('reporter_phone_changed_at')
        batch_op.drop_column('unknown_answers')
        batch_op.alter_column('last_contact_date', existing_type=sa.Date(), nullable=False)
    op.drop_table('draft_reminder')
