"""key versions of sealed images: what is left to re-encrypt is found without reading an image

Revision ID: 0010_keyversions
Revises: 0008_orgs
Create Date: 2026-11-29 13:56:52.989455

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_keyversions'
down_revision = '0008_orgs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('verification_images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_version', sa.SmallInteger(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('verification_images', schema=None) as batch_op:
        batch_op.drop_column('key_version')
