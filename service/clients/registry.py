"""Service clients: created by an operator with scopes and regions, the secret shown once and kept only
as an argon2id hash; rotated, revoked and listed; every act audited."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

from models.base import db, utcnow
from models.clients import ClientToken, ServiceClient
from models.regions import Region
from service import audit
from service.clients.guard import forget
from service.platform.crypto import hash_password
from service.platform.errors import Conflict, InvalidInput, NotFound

#: What a client may be allowed to do.
SCOPES = {
    "accounts:read": "读取账号记录(状态、审核、认证、权限)",
    "verifications:read": "读取实名实人认证状态",
    "events:read": "订阅事件(变更流、SSE)",
}


@dataclass(frozen=True)
class IssuedSecret:
    """A client and its secret, which is shown this once and never again."""

    client: ServiceClient
    secret: str


def create_client(
    name: str, scopes: Sequence[str], regions: Sequence[str] | None = None, *, actor: str = "cli"
) -> IssuedSecret:
    """Register a client; ``regions`` default to the whole province. Commits."""
    scopes = _checked_scopes(scopes)
    regions = _checked_regions(regions or [current_app.config["PROVINCE_CODE"]])
    secret = secrets.token_urlsafe(32)
    client = ServiceClient(
        client_id="xjy_" + secrets.token_hex(12),
        name=name,
        secret_hash=hash_password(secret),
        scopes=list(scopes),
        regions=list(regions),
    )
    db.session.add(client)
    db.session.flush()
    audit.record(
        "client.create",
        target_type="client",
        target_id=client.client_id,
        actor=actor,
        detail={"name": name, "scopes": list(scopes), "regions": list(regions)},
    )
    db.session.commit()
    return IssuedSecret(client, secret)


def list_clients() -> Sequence[ServiceClient]:
    """Every client, newest first."""
    return db.session.scalars(select(ServiceClient).order_by(ServiceClient.id.desc())).all()


def get_client(client_id: str) -> ServiceClient:
    client = db.session.scalar(select(ServiceClient).where(ServiceClient.client_id == client_id))
    if client is None:
        raise NotFound("client_not_found", f"服务客户端 {client_id} 不存在")
    return client


def rotate_secret(client_id: str, *, actor: str = "cli") -> IssuedSecret:
    """A new secret (the old one stops working at once, and so do the tokens it obtained). Commits."""
    client = _live(client_id)
    secret = secrets.token_urlsafe(32)
    client.secret_hash = hash_password(secret)
    client.secret_rotated_at = utcnow()
    _revoke_tokens(client)
    audit.record("client.rotate", target_type="client", target_id=client.client_id, actor=actor)
    db.session.commit()
    return IssuedSecret(client, secret)


def revoke_client(client_id: str, *, actor: str = "cli") -> ServiceClient:
    """Revoke a client and every token it holds. Commits."""
    client = _live(client_id)
    client.revoked_at = utcnow()
    _revoke_tokens(client)
    audit.record("client.revoke", target_type="client", target_id=client.client_id, actor=actor)
    db.session.commit()
    return client


def _live(client_id: str) -> ServiceClient:
    client = get_client(client_id)
    if client.revoked_at is not None:
        raise Conflict("client_revoked", "该服务客户端已吊销")
    return client


def _revoke_tokens(client: ServiceClient) -> None:
    live = ClientToken.client_pk == client.id, ClientToken.revoked_at.is_(None)
    forget(db.session.scalars(select(ClientToken.token_hash).where(*live)).all())
    db.session.execute(update(ClientToken).where(*live).values(revoked_at=utcnow()))


def _checked_scopes(scopes: Sequence[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise InvalidInput("scope_unknown", f"权限范围须为 {', '.join(SCOPES)} 中的一项或多项")
    return sorted(set(scopes))


def _checked_regions(regions: Sequence[str]) -> list[str]:
    province = current_app.config["PROVINCE_CODE"]
    for code in regions:
        if db.session.get(Region, code) is None or not code.startswith(province[:2]):
            raise InvalidInput("region_unknown", f"行政区划 {code} 不存在或不在本省")
    return sorted(set(regions))
