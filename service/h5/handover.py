"""Handing a person's token from the app to the H5 page without putting it in a URL.

The app posts its bearer token (``POST /h5/handover``) and gets a one-time code: 256 bits, good for
``H5_HANDOVER_SECONDS`` (60), stored in Redis only as a keyed hash whose value is the token sealed
with AES-GCM. The app opens ``/h5/verify#code=...``: a fragment is never sent to the server, so no
access log, proxy or Referer holds it, and the page removes it from the address bar at once. The
page trades the code (``POST /h5/session``, JSON) for the token and keeps it in memory only: the
API is then called with ``Authorization: Bearer``, exactly as the app calls it, and as no cookie
carries it no other site can make the browser use it (nothing to protect against CSRF).
"""

from __future__ import annotations

import base64
import secrets
from typing import cast

from flask import current_app

from models.accounts import Session
from service.auth.sessions import resolve
from service.platform.crypto import hash_code, seal, unseal
from service.platform.errors import ServiceError
from service.platform.extensions import redis_store

_PURPOSE = b"h5-handover"
SCOPES = ("full", "verification")


class HandoverInvalid(ServiceError):
    status = 400
    reason = "handover_code_invalid"
    message = "页面链接已失效,请返回 App 重新进入认证"


def _key(code: str) -> str:
    return f"xjy:h5-handover:{hash_code(code, 'h5-handover')}"


def issue(token: str) -> tuple[str, int]:
    """A one-time code for the live session ``token`` and its lifetime in seconds.

    Raises Unauthorized when the token is not a live person's session.
    """
    session: Session = resolve(token)
    if session.scope not in SCOPES:
        raise HandoverInvalid("session_scope_invalid", "此登录不能用于实名实人认证")
    code = secrets.token_urlsafe(32)
    seconds = int(current_app.config["H5_HANDOVER_SECONDS"])
    sealed = base64.b64encode(seal(token.encode(), _PURPOSE))
    redis_store.client.set(_key(code), sealed, ex=seconds)
    return code, seconds


def redeem(code: str) -> str:
    """The token behind ``code``, once: the code is deleted as it is read (GETDEL).

    Raises HandoverInvalid for an unknown, used or expired code, and Unauthorized when the session
    ended in the meantime.
    """
    if not code or len(code) > 64:
        raise HandoverInvalid()
    sealed = cast("bytes | None", redis_store.client.getdel(_key(code)))
    if sealed is None:
        raise HandoverInvalid()
    token = unseal(base64.b64decode(sealed), _PURPOSE).decode()
    resolve(token)  # still live (not logged out, expired or revoked since the handover)
    return token
