"""SQLAlchemy 2.0 models, one module per aggregate. Importing the package registers them all."""

from models import (
    accounts,
    audit,
    certificates,
    city_admins,
    counter,
    matters,
    organisations,
    regions,
    requests,
    sms,
    verifications,
)
from models.base import Base, db

__all__ = [
    "Base",
    "db",
    "accounts",
    "audit",
    "certificates",
    "city_admins",
    "counter",
    "matters",
    "organisations",
    "regions",
    "requests",
    "sms",
    "verifications",
]
