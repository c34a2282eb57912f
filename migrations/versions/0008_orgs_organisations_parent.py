"""organisations: parent (a county bureau under its city's bureau), for `flask orgs import`

Revision ID: 0008_orgs
Revises: 0008_faults9
Create Date: 2026-11-29 13:54:54.015804

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_orgs'
down_revision = '0008_faults9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisations_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_organisations_parent_id_organisations'), 'organisations', ['parent_id'], ['id'])


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisations_parent_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_organisations_parent_id'))
        batch_op.drop_column('parent_id')
