"""The image store: uploads in an S3-compatible object store (moto's server, started here on loopback)
hold only our ciphertext, are read back by the job and support, copied for re-runs, deleted with their
rows and by the retention purge, and moved between stores with ``flask verifications migrate-images``."""

from __future__ import annotations

import datetime as dt
import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import select

from models.base import db, utcnow
from models.verifications import VerificationAttempt, VerificationImage
from service.platform import crypto
from service.verification import storage
from service.verification.imagestore import ImageStoreUnavailable
from tests.console.support_data import failed_attempt, jpeg
from tests.factories import make_account

CREDENTIALS = {"S3_ACCESS_KEY_ID": "test-key", "S3_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture(scope="session")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(app, s3_endpoint, monkeypatch):
    """A fresh bucket, and the app storing new uploads in it."""
    name = f"images-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=name)
    settings = {"IMAGE_STORE": "s3", "S3_ENDPOINT_URL": s3_endpoint, "S3_BUCKET": name, **CREDENTIALS}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    return client, name


def objects(bucket) -> dict[str, bytes]:
    client, name = bucket
    listed = client.list_objects_v2(Bucket=name).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=name, Key=o["Key"])["Body"].read() for o in listed}


def _images(attempt_id: int) -> list[VerificationImage]:
    query = select(VerificationImage).where(VerificationImage.attempt_id == attempt_id)
    return list(db.session.scalars(query.order_by(VerificationImage.id)))


def test_uploads_leave_the_process_sealed(ctx, bucket):
    attempt = failed_attempt(make_account())
    stored = objects(bucket)
    rows = _images(attempt.id)
    assert sorted(stored) == sorted(i.object_key for i in rows) and len(stored) == 4
    assert all(i.sealed is None and i.object_key.startswith("verification/") for i in rows)
    front = next(i for i in rows if i.kind == "front")
    blob = stored[front.object_key]
    assert blob[0] == 1 and jpeg(10) not in blob  # the store holds ciphertext under key version 1
    assert crypto.unseal(blob, storage.IMAGE_PURPOSE) == jpeg(10)


def test_the_job_and_support_read_images_from_the_store(ctx, bucket):
    attempt = failed_attempt(make_account())
    uploads = storage.load_uploads(attempt.id)
    assert uploads["front"] == [jpeg(10)] and uploads["frame"] == [jpeg(120), jpeg(130)]
    back = next(i for i in _images(attempt.id) if i.kind == "back")
    assert storage.open_image(back) == jpeg(60)


def test_the_purge_deletes_the_objects(ctx, bucket):
    attempt = failed_attempt(make_account())
    attempt.finished_at = utcnow() - dt.timedelta(days=31)
    db.session.commit()
    assert storage.purge_images(30) == 1
    assert objects(bucket) == {} and _images(attempt.id) == []


def test_a_store_that_is_away_stops_the_purge_and_keeps_the_rows(ctx, bucket, monkeypatch):
    attempt = failed_attempt(make_account())
    attempt.finished_at = utcnow() - dt.timedelta(days=31)
    db.session.commit()
    monkeypatch.setitem(ctx.config, "S3_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setitem(ctx.config, "S3_TIMEOUT_SECONDS", 1)
    with pytest.raises(ImageStoreUnavailable):
        storage.purge_images(30)
    db.session.rollback()
    assert len(_images(attempt.id)) == 4 and len(objects(bucket)) == 4  # the next run tries again


def test_replaced_photos_lose_their_objects_after_the_commit(ctx, bucket):
    attempt = failed_attempt(make_account())
    old_front = next(i for i in attempt.images if i.kind == "front").object_key
    attempt.images = [i for i in attempt.images if i.kind != "front"]
    db.session.flush()
    assert old_front in objects(bucket)  # nothing is deleted before the rows are
    db.session.commit()
    assert old_front not in objects(bucket) and len(objects(bucket)) == 3


def test_a_rerun_has_its_own_copies(ctx, bucket):
    original = failed_attempt(make_account())
    rerun = VerificationAttempt(
        account_id=original.account_id, status=original.status, challenge=original.challenge,
        challenge_expires_at=original.challenge_expires_at, consent_at=original.consent_at,
        consent_version="v1", images=storage.copies(original.images), finished_at=utcnow(),
    )  # fmt: skip
    db.session.add(rerun)
    original.finished_at = utcnow() - dt.timedelta(days=31)
    db.session.commit()
    assert len(objects(bucket)) == 8
    storage.purge_images(30)
    assert sorted(objects(bucket)) == sorted(i.object_key for i in _images(rerun.id))
    assert storage.load_uploads(rerun.id)["back"] == [jpeg(60)]


def _migrate(app, to: str):
    return app.test_cli_runner().invoke(args=["verifications", "migrate-images", "--to", to, "--batch", "3"])


def test_migrate_images_moves_them_there_and_back(app, bucket, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_STORE", "db")
    with app.app_context():
        attempt_id = failed_attempt(make_account()).id
        before = [(i.id, i.sealed) for i in _images(attempt_id)]
    to_s3 = _migrate(app, "s3")
    assert to_s3.exit_code == 0, to_s3.output
    assert "已移动 4 张图片到 s3" in to_s3.stdout
    assert "verification_images -> s3: 4/4 (100%)" in to_s3.stderr.splitlines()
    assert "已移动 0 张图片" in _migrate(app, "s3").stdout  # idempotent
    with app.app_context():
        rows = _images(attempt_id)
        stored = objects(bucket)
        assert all(i.sealed is None for i in rows)
        assert [(i.id, stored[i.object_key]) for i in rows] == before  # the same ciphertext, moved
    back = _migrate(app, "db")
    assert back.exit_code == 0 and "已移动 4 张图片到 db" in back.stdout
    with app.app_context():
        assert [(i.id, i.sealed) for i in _images(attempt_id)] == before
        assert objects(bucket) == {}  # nothing left behind in the store
        assert storage.load_uploads(attempt_id)["front"] == [jpeg(10)]


def test_reencrypt_reseals_objects_in_the_store(app, bucket, monkeypatch):
    import base64

    with app.app_context():
        attempt_id = failed_attempt(make_account()).id
    monkeypatch.setitem(app.config, "DATA_KEYS", "2:sm4-gcm:" + base64.b64encode(bytes(16)).decode())
    monkeypatch.setitem(app.config, "DATA_KEY_VERSION", 2)
    result = app.test_cli_runner().invoke(args=["crypto", "reencrypt"])
    assert result.exit_code == 0 and "verification_images: 重新加密 4 行" in result.stdout
    with app.app_context():
        rows = _images(attempt_id)
        stored = objects(bucket)
        assert sorted(stored) == sorted(i.object_key for i in rows)  # resealed in place
        assert {stored[i.object_key][0] for i in rows} == {2} and {i.key_version for i in rows} == {2}
        assert storage.load_uploads(attempt_id)["front"] == [jpeg(10)]
