"""Revocation of USB-key certificates: CRLs from a folder, and optionally an OCSP responder.

CRLs (PEM or DER, any file name) are read from ``CRL_DIR``; each counts only when a CA of the bundle
signed it (SM2-with-SM3, RSA or ECDSA), and for each CA the newest one is used. The folder is re-read
when a file in it changes, so every web process sees a new CRL at its next login. The scheduler's
``refresh`` fetches ``CRL_URLS`` (the CAs' distribution points) into the folder, replacing a file only
with a CRL that verifies and is newer.

A certificate on a CRL cannot register or log in (``certificate_revoked``). A CRL past its nextUpdate
by more than ``CRL_GRACE_SECONDS`` no longer vouches for anyone (``certificate_revocation_unknown``):
a stale list must not let a revoked certificate in. A CA without a CRL in the folder is not checked
against one. With ``OCSP_URL`` set, the responder is asked as well (RFC 6960, with a nonce); its
"revoked" refuses, and when it cannot answer, ``OCSP_REQUIRED`` decides between refusing and
relying on the CRLs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from flask import current_app

from service.auth.certificates import CertificateError, CertificateInfo, public_key_bits, signed_by

log = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # a province CA's CRL can be several MB; an OCSP answer is small
OCSP_CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class RevocationList:
    """One verified CRL: who issued it, what it revokes, until when it is current."""

    issuer: x509.Name
    revoked: frozenset[int]
    this_update: dt.datetime
    next_update: dt.datetime | None
    source: str


# --- CRLs ----------------------------------------------------------------------------------------


def parse_crl(data: bytes) -> x509.CertificateRevocationList:
    """A CRL in PEM or DER. Raises ValueError for anything else."""
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def verified_list(data: bytes, cas: list[x509.Certificate], source: str) -> RevocationList | None:
    """The CRL in ``data`` if a CA of ``cas`` signed it, else None (logged: a misplaced or forged file)."""
    try:
        crl = parse_crl(data)
        revoked = frozenset(entry.serial_number for entry in crl)
    except ValueError:
        log.warning("CRL %s: not a CRL", source)
        return None
    algorithm = crl.signature_algorithm_oid.dotted_string
    if not any(
        ca.subject == crl.issuer and signed_by(ca, crl.tbs_certlist_bytes, crl.signature, algorithm)
        for ca in cas
    ):
        log.warning("CRL %s: not signed by a CA of the bundle", source)
        return None
    return RevocationList(crl.issuer, revoked, crl.last_update_utc, crl.next_update_utc, source)


def load_folder(folder: Path, cas: list[x509.Certificate]) -> dict[bytes, RevocationList]:
    """The newest verified CRL of each issuer in ``folder``, keyed by the issuer's DER name."""
    newest: dict[bytes, RevocationList] = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        found = verified_list(path.read_bytes(), cas, path.name)
        if found is None:
            continue
        key = found.issuer.public_bytes()
        if key not in newest or found.this_update > newest[key].this_update:
            newest[key] = found
    return newest


def _cas(bundle: list[bytes]) -> list[x509.Certificate]:
    return [ca for pem in bundle for ca in x509.load_pem_x509_certificates(pem)]


def current_lists(bundle: list[bytes]) -> dict[bytes, RevocationList]:
    """The CRLs of ``CRL_DIR`` (empty when unset) signed by a CA of ``bundle`` (PEMs), re-read when
    a file or the bundle changes."""
    folder = current_app.config.get("CRL_DIR")
    if not folder or not Path(folder).is_dir():
        if folder:
            log.warning("CRL_DIR %s is not a folder", folder)
        return {}
    cas = _cas(bundle)
    listing = tuple((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in os.scandir(folder))
    stamp = (folder, listing, tuple(ca.fingerprint(hashes.SHA256()) for ca in cas))
    cached = current_app.extensions.get("xjy_crls")
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_folder(Path(folder), cas))
        current_app.extensions["xjy_crls"] = cached
    lists: dict[bytes, RevocationList] = cached[1]
    return lists


def check_crl(
    serial: int, issuer: x509.Certificate, lists: dict[bytes, RevocationList], at: dt.datetime
) -> None:
    """Raises ``certificate_revoked``, or ``certificate_revocation_unknown`` for a CRL long out of date."""
    found = lists.get(issuer.subject.public_bytes())
    if found is None:
        return
    grace = dt.timedelta(seconds=current_app.config["CRL_GRACE_SECONDS"])
    if found.next_update is not None and at > found.next_update + grace:
        log.warning("CRL %s of %s is out of date since %s", found.source, issuer.subject, found.next_update)
        raise CertificateError("certificate_revocation_unknown")
    if serial in found.revoked:
        raise CertificateError("certificate_revoked")


# --- OCSP ----------------------------------------------------------------------------------------


class OcspUnavailable(Exception):
    """The responder could not give a trustworthy answer (down, refused, unsigned, stale)."""


def ocsp_request(cert: x509.Certificate, issuer: x509.Certificate, nonce: bytes) -> bytes:
    """A DER OCSPRequest for ``cert``. The CertID is built from hashes (SHA-1, as responders expect),
    because ``cryptography`` cannot load an SM2 issuer's key to compute them itself."""
    name_hash = hashlib.sha1(issuer.subject.public_bytes(), usedforsecurity=False).digest()
    key_hash = hashlib.sha1(public_key_bits(issuer), usedforsecurity=False).digest()
    builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        name_hash,
        key_hash,
        cert.serial_number,
        hashes.SHA1(),  # noqa: S303 (CertID, not security)
    )
    builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(Encoding.DER)


def _signer(response: ocsp.OCSPResponse, issuer: x509.Certificate, at: dt.datetime) -> x509.Certificate:
    """The issuer itself, or a responder certificate it issued for OCSP signing (RFC 6960 4.2.2.2)."""
    key_hash = hashlib.sha1(public_key_bits(issuer), usedforsecurity=False).digest()
    if response.responder_key_hash == key_hash or response.responder_name == issuer.subject:
        return issuer
    for delegate in response.certificates:
        if delegate.issuer != issuer.subject or not (
            delegate.not_valid_before_utc <= at <= delegate.not_valid_after_utc
        ):
            continue
        algorithm = delegate.signature_algorithm_oid.dotted_string
        if not signed_by(issuer, delegate.tbs_certificate_bytes, delegate.signature, algorithm):
            continue
        try:
            usages = delegate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            continue
        if ExtendedKeyUsageOID.OCSP_SIGNING in usages:
            return delegate
    raise OcspUnavailable("response not signed by the issuer or its responder")


def read_ocsp_response(
    der: bytes, cert: x509.Certificate, issuer: x509.Certificate, nonce: bytes, at: dt.datetime
) -> ocsp.OCSPCertStatus:
    """The verified status of ``cert`` in a DER OCSPResponse. Raises ``OcspUnavailable``."""
    try:
        response = ocsp.load_der_ocsp_response(der)
    except ValueError as exc:
        raise OcspUnavailable("not an OCSP response") from exc
    if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise OcspUnavailable(f"responder says {response.response_status.name}")
    signer = _signer(response, issuer, at)
    algorithm = response.signature_algorithm_oid.dotted_string
    if not signed_by(signer, response.tbs_response_bytes, response.signature, algorithm):
        raise OcspUnavailable("bad signature")
    try:
        echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        echoed = None
    if echoed is not None and echoed != nonce:
        raise OcspUnavailable("nonce mismatch (a replayed answer)")
    for single in response.responses:
        if single.serial_number != cert.serial_number:
            continue
        if single.this_update_utc > at + OCSP_CLOCK_SKEW or (
            single.next_update_utc is not None and single.next_update_utc < at - OCSP_CLOCK_SKEW
        ):
            raise OcspUnavailable("answer out of date")
        return single.certificate_status
    raise OcspUnavailable("no answer for this certificate")


def ask_responder(
    url: str, cert: x509.Certificate, issuer: x509.Certificate, at: dt.datetime
) -> ocsp.OCSPCertStatus:
    """POST an OCSP request to ``url`` (configured by the operator) and read the verified answer."""
    nonce = secrets.token_bytes(16)
    request = urllib.request.Request(  # noqa: S310 (the operator's http(s) responder)
        url, data=ocsp_request(cert, issuer, nonce), headers={"Content-Type": "application/ocsp-request"}
    )
    try:
        with urllib.request.urlopen(request, timeout=current_app.config["OCSP_TIMEOUT_SECONDS"]) as answer:  # noqa: S310
            body = answer.read(MAX_RESPONSE_BYTES)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise OcspUnavailable(f"responder unreachable: {type(exc).__name__}") from exc
    return read_ocsp_response(body, cert, issuer, nonce, at)


def check_ocsp(cert: x509.Certificate, issuer: x509.Certificate, at: dt.datetime) -> None:
    url = current_app.config.get("OCSP_URL")
    if not url:
        return
    try:
        status = ask_responder(url, cert, issuer, at)
    except OcspUnavailable as exc:
        log.warning("OCSP %s: %s", url, exc)
        if current_app.config["OCSP_REQUIRED"]:
            raise CertificateError("certificate_revocation_unknown") from None
        return
    if status is ocsp.OCSPCertStatus.REVOKED:
        raise CertificateError("certificate_revoked")
    if status is ocsp.OCSPCertStatus.UNKNOWN and current_app.config["OCSP_REQUIRED"]:
        raise CertificateError("certificate_revocation_unknown")


def check(info: CertificateInfo, issuer: x509.Certificate, bundle: list[bytes], at: dt.datetime) -> None:
    """Refuse a revoked certificate (CRLs of ``CRL_DIR``, then ``OCSP_URL``); nothing configured, no check.
    ``issuer`` is the CA of ``bundle`` (PEMs) that issued it.

    Raises:
        CertificateError: ``certificate_revoked`` or ``certificate_revocation_unknown``.
    """
    cert = x509.load_der_x509_certificate(info.der)
    check_crl(cert.serial_number, issuer, current_lists(bundle), at)
    check_ocsp(cert, issuer, at)


# --- the scheduler's refresh ---------------------------------------------------------------------


def _configured_urls() -> list[str]:
    urls = current_app.config.get("CRL_URLS") or []
    if isinstance(urls, str):
        urls = [u for u in (part.strip() for part in urls.split(",")) if u]
    return list(urls)


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=current_app.config["CRL_FETCH_TIMEOUT_SECONDS"]) as answer:  # noqa: S310
        return bytes(answer.read(MAX_RESPONSE_BYTES))


def refresh(bundle: list[bytes]) -> dict[str, str]:
    """Fetch each of ``CRL_URLS`` into ``CRL_DIR`` (a file per URL, replaced atomically and only by a
    CRL a CA of ``bundle`` signed that is newer), then re-read the folder. Returns the outcome of
    each URL, and each out-of-date CRL, for the log."""
    folder = current_app.config.get("CRL_DIR")
    if not folder:
        return {}
    outcomes: dict[str, str] = {}
    cas = _cas(bundle)
    for url in _configured_urls():
        target = Path(folder) / ("fetched-" + hashlib.sha256(url.encode()).hexdigest()[:16] + ".crl")
        try:
            fetched = verified_list(data := _download(url), cas, url)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            outcomes[url] = f"unreachable: {type(exc).__name__}"
            continue
        old = verified_list(target.read_bytes(), cas, target.name) if target.exists() else None
        if fetched is None:
            outcomes[url] = "refused: not a CRL of a configured CA"
        elif old is not None and fetched.this_update <= old.this_update:
            outcomes[url] = "unchanged"
        else:
            _write_atomically(target, data)
            outcomes[url] = f"updated: {len(fetched.revoked)} revoked"
    for found in current_lists(bundle).values():
        if found.next_update is not None and found.next_update < dt.datetime.now(dt.UTC):
            outcomes[found.source] = f"out of date since {found.next_update.isoformat()}"
    return outcomes


def _write_atomically(target: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".crl-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)
