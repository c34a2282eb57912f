"""Organisations made by a test (imported ones have no seed ``code``) are removed after it: the
seeded reference data stays as every other test expects it."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from models.base import db
from models.organisations import Organisation
from tests.conftest import _CLEAN_ORDER


@pytest.fixture(autouse=True)
def _drop_imported_organisations(app):
    yield
    with app.app_context():
        for model in _CLEAN_ORDER:  # accounts a test placed in an imported organisation go first
            db.session.execute(delete(model))
        db.session.execute(update(Organisation).values(parent_id=None))
        db.session.execute(delete(Organisation).where(Organisation.code.is_(None)))
        db.session.commit()
