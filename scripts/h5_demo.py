"""A demo account to verify with a webcam on the embedded service (`make run`), through /h5/.

A newcomer has no ID card the demo could check, so this makes one up: a fictional identity
(scripts/gen_idcards.py: a county code abolished before 18-digit numbers existed) printed on both
sides of a generated card whose portrait is cropped from a photo of the newcomer's own face. It
creates an unverified account declaring that identity in the embedded database and prints its
user name and password; the card photos are written to --out for the page's "choose a photo".

Usage (with `make run` running, from the repository root):
    scripts/run python -m scripts.h5_demo --photo me.jpg
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from scripts.gen_idcards import crop_portrait, degrade, make_identity, render_back, render_front, to_jpeg

DEMO_ORGANISATION = "430102-housing"  # a fictional department of the demo province (芙蓉区)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--photo", type=Path, required=True, help="a photo of your face (JPEG or PNG)")
    parser.add_argument("--out", type=Path, default=Path("instance") / "h5-demo")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    photo = np.asarray(ImageOps.exif_transpose(Image.open(args.photo)).convert("RGB"))
    portrait = crop_portrait(photo)
    if portrait is None:
        print("照片中未找到人脸: 请用正面、光线充足的照片", file=sys.stderr)
        return 1
    rng = np.random.default_rng(secrets.randbits(32))
    person = make_identity(rng, today=dt.date.today())
    args.out.mkdir(parents=True, exist_ok=True)
    front, back = args.out / "front.jpg", args.out / "back.jpg"
    front.write_bytes(to_jpeg(degrade(render_front(person, portrait, rng), "clean", rng), 90))
    back.write_bytes(to_jpeg(degrade(render_back(person, rng), "clean", rng), 90))
    username, password = f"h5demo_{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    _create_account(username, password, person.name, person.number)
    print(f"演示账号(未实名): 用户名 {username}  密码 {password}  ({person.name}, 虚构身份)")
    print(f"身份证照片: {front}  {back}")
    print(f"用浏览器打开 http://127.0.0.1:{args.port}/h5/ 登录, 按页面提示完成认证")
    return 0


def _create_account(username: str, password: str, name: str, number: str) -> None:
    from sqlalchemy import select

    from models.accounts import AccountStatus
    from models.base import db
    from models.organisations import Organisation
    from service import create_app
    from service.accounts.registration import build_account

    app = create_app()
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.code == DEMO_ORGANISATION))
        build_account(
            username=username, password=password, phone=None, real_name=name, id_number=number,
            status=AccountStatus.PENDING, organisation=organisation,
        )  # fmt: skip
        db.session.commit()


if __name__ == "__main__":
    sys.exit(main())
