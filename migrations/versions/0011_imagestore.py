"""image store: an upload's sealed bytes in the row or, under object_key, in an S3-compatible store

Revision ID: 0011_imagestore
Revises: 0010_keyversions
Create Date: 2026-11-29 14:19:03.173180

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_imagestore'
down_revision = '0010_keyversions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('verification_images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('object_key', sa.String(length=255), nullable=True))
        batch_op.alter_column('sealed',
               existing_type=sa.LargeBinary(),
               nullable=True)


def downgrade():
    with op.batch_alter_table('verification_images', schema=None) as batch_op:
        batch_op.alter_column('sealed',
               existing_type=sa.LargeBinary(),
               nullable=False)
        batch_op.drop_column('object_key')
