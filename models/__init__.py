"""SQLAlchemy 2.0 models, one module per aggregate. Importing the package registers them all."""

from models import (
    accounts,
    audit,
    certificates,
    city_admins,
    clients,
    counter,
    events,
    matters,
    organisations,
    regions,
    requests,
    sms,
    verifications,
    webhooks,
)
from models.base import Base, db

__all__ = [
    "Base",
    "db",
    "accounts",
    "audit",
    "certificates",
    "city_admins",
    "clients",
    "events",
    "counter",
    "matters",
    "organisations",
    "regions",
    "requests",
    "sms",
    "verifications",
    "webhooks",
]
