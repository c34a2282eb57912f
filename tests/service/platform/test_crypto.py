"""Key versions: data sealed under one key opens after a switch to another (SM4-GCM, HMAC-SM3), lookups
find rows hashed under an earlier key, and ``flask crypto reencrypt`` moves everything to the current
keys, once."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select

from models.accounts import Account, Role
from models.base import db
from models.verifications import VerificationImage
from service import create_app
from service.accounts.identity import SealedIdNumber, id_number_taken
from service.hall import webhooks
from service.platform import crypto
from service.platform.ciphers import SM4GCM, hmac_sm3
from service.verification import storage
from tests.conftest import TEST_KEYS
from tests.console.support_data import failed_attempt, jpeg
from tests.factories import login, make_account

SM4_KEY = bytes(range(16))
GM_KEYS = {
    "DATA_KEYS": f"2:sm4-gcm:{base64.b64encode(SM4_KEY).decode()}",
    "DATA_KEY_VERSION": 2,
    "LOOKUP_KEYS": "2:hmac-sm3:sm3-lookup-key",
    "LOOKUP_KEY_VERSION": 2,
}


@pytest.fixture
def guomi(app, monkeypatch):
    """Switch the running app to SM4-GCM and HMAC-SM3 (version 2), keeping version 1 configured."""

    def switch() -> None:
        for key, value in GM_KEYS.items():
            monkeypatch.setitem(app.config, key, value)

    return switch


def test_the_default_is_aes_gcm_and_hmac_sha256_as_before(ctx):
    ring = crypto.keyring()
    assert (ring.data_version, ring.data[1][0], ring.lookup_version, ring.lookup[1][0]) == (
        1,
        "aes-256-gcm",
        1,
        "hmac-sha256",
    )
    assert crypto.seal(b"x", b"p")[0] == 1


def test_new_data_is_sealed_with_sm4_gcm_under_its_version(ctx, guomi):
    guomi()
    blob = crypto.seal(b"portrait bytes", b"purpose")
    assert blob[0] == 2
    # The layout is version, 12-byte nonce, SM4-GCM ciphertext and tag; version and purpose are bound in.
    assert SM4GCM(SM4_KEY).decrypt(blob[1:13], blob[13:], b"\x02purpose") == b"portrait bytes"
    assert crypto.unseal(blob, b"purpose") == b"portrait bytes"


def test_data_sealed_under_an_earlier_key_still_opens(ctx, guomi):
    old_blob, old_number = crypto.seal(b"old", b"p"), crypto.encrypt_id_number("430102198506150011")
    guomi()
    assert crypto.unseal(old_blob, b"p") == b"old"
    assert crypto.decrypt_id_number(old_number) == "430102198506150011"
    assert (crypto.key_version(old_number), crypto.key_version(crypto.encrypt_id_number("1"))) == (1, 2)


def test_a_changed_version_byte_is_refused(ctx, guomi):
    guomi()
    blob = crypto.seal(b"data", b"p")
    with pytest.raises(InvalidTag):
        crypto.unseal(b"\x01" + blob[1:], b"p")


def test_a_version_no_longer_configured_is_named(ctx, guomi):
    guomi()
    blob = crypto.seal(b"data", b"p")
    ctx.config["DATA_KEY_VERSION"], ctx.config["DATA_KEYS"] = 1, None
    with pytest.raises(RuntimeError, match="key version 2"):
        crypto.unseal(blob, b"p")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DATA_KEYS": "2:sm4-gcm:" + base64.b64encode(bytes(32)).decode()}, "16 bytes"),
        ({"DATA_KEYS": "2:des:" + base64.b64encode(bytes(8)).decode()}, "unknown cipher"),
        ({"DATA_KEYS": "1:sm4-gcm:" + base64.b64encode(bytes(16)).decode()}, "2-255"),
        ({"DATA_KEY_VERSION": 3}, "DATA_KEY_VERSION 3"),
        ({"LOOKUP_KEYS": "2:sm3:k"}, "unknown keyed hash"),
        ({"LOOKUP_KEY_VERSION": 2}, "LOOKUP_KEY_VERSION 2"),
    ],
)
def test_a_wrong_key_setting_stops_the_app_from_starting(overrides, message):
    with pytest.raises(RuntimeError, match=message):
        create_app({**TEST_KEYS, "TESTING": True, **overrides})


def test_lookups_find_numbers_hashed_under_an_earlier_key(ctx, guomi):
    account = make_account()
    number = crypto.decrypt_id_number(account.id_number_enc)
    guomi()
    sealed = SealedIdNumber.of(number)
    assert sealed.hash == hmac_sm3(b"sm3-lookup-key", number.encode()) != account.id_number_hash
    assert account.id_number_hash in sealed.lookups
    assert id_number_taken(sealed)


def test_search_by_id_number_finds_an_account_hashed_under_an_earlier_key(app, client, guomi):
    with app.app_context():
        make_account(role=Role.CITY_ADMIN, city="430100", username="csadmin")
        person = make_account(org_code="430102-housing")
        number, person_id = crypto.decrypt_id_number(person.id_number_enc), person.id
    guomi()
    headers = login(client, "csadmin")  # the captcha and the session work under the new keys too
    found = client.get("/api/v1/admin/accounts", query_string={"q": number}, headers=headers)
    assert [row["id"] for row in found.get_json()["items"]] == [person_id]


def _reencrypt(app):
    return app.test_cli_runner().invoke(args=["crypto", "reencrypt", "--batch", "2"])


def test_reencrypt_moves_everything_to_the_current_keys_once(app, guomi):
    with app.app_context():
        people = [make_account() for _ in range(3)]
        numbers = {p.id: crypto.decrypt_id_number(p.id_number_enc) for p in people}
        attempt = failed_attempt(people[0])
        attempt.card_sealed = storage.seal_card_read({"fields": {"name": "测试用户"}})
        issued = webhooks.create("hall", "http://127.0.0.1:9/hook")
        db.session.commit()
        attempt_id, subscription_id = attempt.id, issued.subscription.id
    guomi()

    first = _reencrypt(app)
    assert first.exit_code == 0, first.output
    assert "accounts.id_number: 重新加密 3 行" in first.stdout
    assert "verification_images: 重新加密 4 行" in first.stdout
    assert "accounts.id_number: 3/3 (100%)" in first.stderr.splitlines()  # progress: always the last
    with app.app_context():
        for account in db.session.scalars(select(Account).where(Account.id.in_(numbers))):
            assert crypto.key_version(account.id_number_enc) == 2
            assert crypto.decrypt_id_number(account.id_number_enc) == numbers[account.id]
            assert account.id_number_hash == hmac_sm3(b"sm3-lookup-key", numbers[account.id].encode())
        images = db.session.scalars(
            select(VerificationImage).where(VerificationImage.attempt_id == attempt_id)
        ).all()
        assert {(i.key_version, i.sealed[0]) for i in images} == {(2, 2)}
        assert storage.load_uploads(attempt_id)["front"] == [jpeg(10)]
        card = db.session.get(type(attempt), attempt_id).card_sealed
        assert card[0] == 2 and storage.unseal_card_read(card) == {"fields": {"name": "测试用户"}}
        secret = db.session.get(type(issued.subscription), subscription_id).secret_sealed
        assert secret[0] == 2 and crypto.unseal(secret, b"webhook-secret").decode() == issued.secret

    again = _reencrypt(app)
    assert again.exit_code == 0
    assert "重新加密 0 行" in again.stdout and "重新加密 3 行" not in again.stdout
