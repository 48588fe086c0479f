"""translations of modules and levels, and each person's language

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 20:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('module_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('translated_titles', sa.JSON(), nullable=True))
    with op.batch_alter_table('level', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('translated_sources', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('translated_titles', sa.JSON(), nullable=True))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locale')
    with op.batch_alter_table('level', schema=None) as batch_op:
        batch_op.drop_column('translated_titles')
        batch_op.drop_column('translated_sources')
        batch_op.drop_column('translations')
    with op.batch_alter_table('module_version', schema=None) as batch_op:
        batch_op.drop_column('translated_titles')
        batch_op.drop_column('translations')
