"""inbox receipts: Telegram's update ids may restart lower, so they are no longer keys

The inbox gets its own number (`receipt`) and a content digest; a delivery is known by
update_id + digest. Everything an update caused now refers to its receipt. Existing rows keep
their update_id as receipt, so existing references stay valid unchanged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

RENAMED = (
    ('conversation', 'last_update_id', 'last_receipt'),
    ('case', 'submitted_update_id', 'submitted_receipt'),
    ('case_addition', 'source_update_id', 'source_receipt'),
    ('case_note', 'source_update_id', 'source_receipt'),
    ('case_status_change', 'source_update_id', 'source_receipt'),
)


def _digest(payload: str) -> str:
    # Frozen copy of bot.inbox's canonical form at the time of this migration.
    canonical = json.dumps(json.loads(payload), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()


def _rename_columns(pairs) -> None:
    for table, old, new in pairs:
        op.execute(f'ALTER TABLE "{table}" RENAME COLUMN {old} TO {new}')


def upgrade() -> None:
    _rename_columns(RENAMED)
    op.create_table('inbox_update_new',
    sa.Column('receipt', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('digest', sa.String(length=32), nullable=False),
    sa.Column('chat_key', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('receipt'),
    sa.UniqueConstraint('update_id', 'digest', name='uq_inbox_update_delivery'),
    )
    bind = op.get_bind()
    old = sa.table('inbox_update', *(sa.column(c) for c in ('update_id', 'chat_key', 'payload', 'received_at', 'attempts', 'done_at')))
    new = sa.table('inbox_update_new', *(sa.column(c) for c in ('receipt', 'update_id', 'digest', 'chat_key', 'payload', 'received_at', 'attempts', 'done_at')))
    last = None
    while True:  # in id order, a thousand at a time: a week of a busy bot fits in little memory
        query = sa.select(old).order_by(old.c.update_id).limit(1000)
        rows = bind.execute(query if last is None else query.where(old.c.update_id > last)).mappings().all()
        if not rows:
            break
        bind.execute(sa.insert(new), [{**row, 'receipt': row['update_id'], 'digest': _digest(row['payload'])} for row in rows])
        last = rows[-1]['update_id']
    op.drop_table('inbox_update')
    op.rename_table('inbox_update_new', 'inbox_update')
    with op.batch_alter_table('inbox_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_update_chat_key'), ['chat_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_update_done_at'), ['done_at'], unique=False)


def downgrade() -> None:
    # Receipts become update ids again; a delivery whose id repeats an older one is dropped.
    op.create_table('inbox_update_old',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('chat_key', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('update_id'),
    )
    op.execute('INSERT INTO inbox_update_old (update_id, chat_key, payload, received_at, attempts, done_at) '
               'SELECT receipt, chat_key, payload, received_at, attempts, done_at FROM inbox_update')
    op.drop_table('inbox_update')
    op.rename_table('inbox_update_old', 'inbox_update')
    with op.batch_alter_table('inbox_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_update_chat_key'), ['chat_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_update_done_at'), ['done_at'], unique=False)
    _rename_columns((table, new, old) for table, old, new in RENAMED)
