"""case blocks: duplicate candidates by an indexed query

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 02:30:00

Cases already stored are filed under their blocks here, so that a case submitted after the
upgrade still meets its duplicates among them. The keys come from `flows.duplicates`; a change
to how keys are made needs a migration that files every case again (`file_every_case`).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def file_every_case(connection) -> None:
    from flows.duplicates import stored_keys

    cases = sa.table('case', sa.column('id'), sa.column('person_full_name'), sa.column('person_name_ru'),
                     sa.column('birth_year'))
    blocks = sa.table('case_block', sa.column('key'), sa.column('birth_year'), sa.column('case_id'))
    connection.execute(blocks.delete())
    rows = connection.execute(sa.select(cases.c.id, cases.c.person_full_name, cases.c.person_name_ru, cases.c.birth_year)).all()
    batch = []
    for case_id, name, name_ru, year in rows:
        batch.extend({'key': key, 'birth_year': year, 'case_id': case_id} for key in stored_keys((name, name_ru)))
        if len(batch) >= 10_000:
            connection.execute(blocks.insert(), batch)
            batch = []
    if batch:
        connection.execute(blocks.insert(), batch)


def upgrade() -> None:
    op.create_table('case_block',
    sa.Column('key', sa.String(length=96), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', 'birth_year', 'case_id')
    )
    with op.batch_alter_table('case_block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_block_case_id'), ['case_id'], unique=False)
    file_every_case(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('case_block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_block_case_id'))
    op.drop_table('case_block')
