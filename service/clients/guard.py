"""Who is calling with a client token: ``client_required(scope)`` resolves the bearer token to its
client and scopes (``g.client``, ``g.client_scopes``), or answers 401/403 in the envelope."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import g, request
from sqlalchemy import select

from models.base import as_utc, db, utcnow
from models.clients import ClientToken, ServiceClient
from service.platform.crypto import token_digest
from service.platform.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class ClientPrincipal:
    """A resolved client token: the client and what this token may do, where."""

    client: ServiceClient
    scopes: frozenset[str]

    @property
    def regions(self) -> Sequence[str]:
        return self.client.regions


def resolve(token: str) -> ClientPrincipal | None:
    """The client behind a live token, or None (not a client token, expired, revoked)."""
    row = db.session.scalar(select(ClientToken).where(ClientToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
        return None
    if row.client.revoked_at is not None:
        return None
    return ClientPrincipal(row.client, frozenset(row.scopes))


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def client_required(*scopes: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let a view through only for a client token holding every one of ``scopes``."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = bearer_token()
            principal = resolve(token) if token else None
            if principal is None:
                raise Unauthorized("client_token_invalid", "服务客户端令牌无效或已过期,请重新获取")
            missing = [s for s in scopes if s not in principal.scopes]
            if missing:
                raise Forbidden("scope_missing", f"令牌缺少权限范围: {', '.join(missing)}")
            g.client = principal
            return view(*args, **kwargs)

        return wrapped

    return decorator
