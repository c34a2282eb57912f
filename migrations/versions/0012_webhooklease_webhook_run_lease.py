"""webhook run lease: a delivery run's number and lease, so the database says whether a run is alive

Revision ID: 0012_webhooklease
Revises: 0011_imagestore
Create Date: 2026-11-29 17:28:09.805879

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_webhooklease'
down_revision = '0011_imagestore'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('runs', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('runs')
