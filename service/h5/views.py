"""The H5 pages and the two requests of the token handover; everything else the page does goes
through the same JSON API the app calls (/api/v1/verifications, /api/v1/events/stream)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from service.h5 import handover
from service.platform.errors import InvalidInput, Unauthorized
from service.verification.attempts import CONSENT_VERSION, MAX_FRAMES, MIN_FRAMES

bp = Blueprint("h5", __name__, url_prefix="/h5", template_folder="templates", static_folder="static")
# No inline script or style; the camera for this page only; frames go out only to this origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


@bp.after_request
def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


@bp.get("/verify")
def verify_page() -> str:
    """The capture flow. The page carries no token: its script trades the fragment's code for one."""
    return render_template(
        "h5/verify.html",
        consent_version=CONSENT_VERSION,
        min_frames=MIN_FRAMES,
        max_frames=MAX_FRAMES,
        return_url=current_app.config["H5_RETURN_URL"] or "",
    )


@bp.post("/handover")
def issue_handover() -> tuple[Response, int]:
    """The app (or the demo entry) trades its bearer token for a one-time code and the page's URL."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    code, seconds = handover.issue(token.strip())
    body = {"code": code, "expires_in": seconds, "url": f"/h5/verify#code={code}"}
    return jsonify(body), 201


@bp.post("/session")
def redeem_handover() -> Response:
    """The page trades the one-time code for the token it keeps in memory (JSON only, same origin)."""
    data: Any = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        raise InvalidInput("handover_code_missing", "缺少页面令牌", errors={"code": ["必填"]})
    return jsonify({"token": handover.redeem(data["code"])})


@bp.get("/")
def demo_entry() -> str:
    """The demo's stand-in for the app: log in, hand over, open the page (``H5_DEMO_LOGIN`` only)."""
    if not current_app.config["H5_DEMO_LOGIN"]:
        abort(404)
    return render_template("h5/demo.html")
