"""console: in-person (counter) verification records

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 11:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counter_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('office', sa.String(length=64), nullable=False),
    sa.Column('document', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_counter_verifications_account_id_accounts')),
    sa.ForeignKeyConstraint(['staff_id'], ['accounts.id'], name=op.f('fk_counter_verifications_staff_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_verifications'))
    )
    with op.batch_alter_table('counter_verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_verifications_account_id'), ['account_id'], unique=False)


def downgrade():
    with op.batch_alter_table('counter_verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_verifications_account_id'))
    op.drop_table('counter_verifications')
