"""Who is calling with a client token: ``client_required(scope)`` resolves the bearer token to its
client's id, regions and scopes (``g.client``), or answers 401/403 in the envelope.

Polled reads must be cheap, so a token is resolved from this process's memory (a few seconds, dropped
everywhere when its client is rotated or revoked: ``service.platform.invalidation``), else from Redis
(written when it is issued, with the token's own lifetime, and deleted when its client is rotated or
revoked); the database answers when Redis has no entry or is away.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from flask import g, request
from redis.exceptions import RedisError
from sqlalchemy import select

from models.base import as_utc, db, utcnow
from models.clients import ClientToken, ServiceClient
from service.platform import invalidation
from service.platform.crypto import token_digest
from service.platform.errors import Forbidden, Unauthorized
from service.platform.extensions import redis_store

#: How long a resolved token is held in this process (see ``service.platform.invalidation``).
TOKEN_MEMORY_SECONDS = 10.0


@dataclass(frozen=True)
class ClientPrincipal:
    """A resolved client token: which client, where it may read, and what this token may do."""

    client_id: str
    regions: tuple[str, ...]
    scopes: frozenset[str]


def _key(digest: str) -> str:
    return f"xjy:client-token:{digest}"


def remember(digest: str, client: ServiceClient, scopes: Sequence[str], seconds: int) -> None:
    """Cache a newly issued token for its lifetime (best effort: the database stays the judge)."""
    value = json.dumps(
        {"client_id": client.client_id, "regions": list(client.regions), "scopes": list(scopes)}
    )
    try:
        redis_store.client.set(_key(digest), value, ex=max(1, seconds))
    except RedisError:
        pass


def forget(digests: Sequence[str]) -> None:
    """Drop cached tokens (their client was rotated or revoked): from Redis now, and from every
    process's memory when the revocation commits. Raises if Redis is away: a revoked token must not
    stay usable from a cache."""
    if digests:
        keys = [_key(d) for d in digests]
        redis_store.client.delete(*keys)
        # Again after the commit: a reader may have copied a token back from the database meanwhile.
        then = functools.partial(redis_store.client.delete, *keys)
        invalidation.announce(db.session(), (f"token:{d}" for d in digests), then=then)


def resolve(token: str) -> ClientPrincipal | None:
    """The client behind a live token, or None (not a client token, expired, revoked)."""
    digest = token_digest(token)
    held = invalidation.cache("client-tokens", TOKEN_MEMORY_SECONDS)
    known = held.get(digest)
    if known is not None:
        return cast(ClientPrincipal, known)
    generation = held.generation()
    principal, seconds = _resolve(digest)
    if principal is not None:
        held.put(digest, principal, tag=f"token:{digest}", generation=generation, seconds=seconds)
    return principal


def _resolve(digest: str) -> tuple[ClientPrincipal | None, float]:
    """From Redis, else from the database: the principal and how long its token still lives."""
    try:
        pipe = redis_store.client.pipeline(transaction=False)
        pipe.get(_key(digest))
        pipe.pttl(_key(digest))
        cached, life_ms = pipe.execute()
    except RedisError:
        cached, life_ms = None, 0
    if cached is not None:
        data = json.loads(cached)
        principal = ClientPrincipal(data["client_id"], tuple(data["regions"]), frozenset(data["scopes"]))
        return principal, max(0.0, float(life_ms) / 1000)
    row = db.session.scalar(select(ClientToken).where(ClientToken.token_hash == digest))
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
        return None, 0.0
    if row.client.revoked_at is not None:
        return None, 0.0
    seconds = int((as_utc(row.expires_at) - utcnow()).total_seconds())
    remember(digest, row.client, row.scopes, seconds)
    principal = ClientPrincipal(row.client.client_id, tuple(row.client.regions), frozenset(row.scopes))
    return principal, float(seconds)


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

        wrapped.caller = "client"  # type: ignore[attr-defined]  # read by the OpenAPI document
        wrapped.client_scopes = scopes  # type: ignore[attr-defined]
        return wrapped

    return decorator
