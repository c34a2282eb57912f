"""How fast ``flask orgs import`` goes on this machine: a first import of N fictional organisations
(a department in every county under its city's, so half the rows name a parent), then the re-run of
the same file (every row ``unchanged``).

    uv run python -m scripts.bench_orgs_import [--rows 5000] [--database-url postgresql://...]

Without ``--database-url`` it uses a fresh SQLite file in a temporary folder; a PostgreSQL database
given here is migrated and written to (use a scratch one).
"""

from __future__ import annotations

import argparse
import base64
import secrets
import sys
import tempfile
import time
from pathlib import Path


def _rows(count: int) -> list[dict[str, str]]:
    from sqlalchemy import select

    from models.base import db
    from models.reference_data import make_credit_code
    from models.regions import Region

    counties = db.session.scalars(select(Region).where(Region.level == "county").order_by(Region.code)).all()
    rows: list[dict[str, str]] = []
    seq = 5000
    while len(rows) < count:
        for county in counties:
            city_code = county.code[:4] + "00"
            city = make_credit_code(seq, city_code)
            rows.append(
                {
                    "name": f"测试市局{seq}",
                    "short_name": "",
                    "credit_code": city,
                    "region_code": city_code,
                    "parent_credit_code": "",
                }
            )
            rows.append(
                {
                    "name": f"测试县局{seq}",
                    "short_name": "",
                    "credit_code": make_credit_code(seq, county.code),
                    "region_code": county.code,
                    "parent_credit_code": city,
                }
            )
            seq += 1
            if len(rows) >= count:
                break
    return rows[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    if not 1 <= args.rows <= 100_000:
        parser.error("--rows must be 1..100000")
    with tempfile.TemporaryDirectory() as tmp:
        import flask_migrate

        from models.base import db
        from service import create_app
        from service.reference import seed
        from service.reference.organisations import import_rows

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                "SECRET_KEY": secrets.token_urlsafe(16),
                "ID_NUMBER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
                "LOOKUP_KEY": secrets.token_urlsafe(16),
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
            seed.seed_reference()
            db.session.commit()
            rows = _rows(args.rows)
            for label in ("first import", "re-run"):
                started = time.perf_counter()
                results = import_rows(rows)
                seconds = time.perf_counter() - started
                outcomes = {o: sum(r.outcome == o for r in results) for o in {r.outcome for r in results}}
                rate = len(rows) / seconds
                print(f"{label:<12} {len(rows)} rows in {seconds:.1f} s = {rate:.0f} rows/s  {outcomes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
