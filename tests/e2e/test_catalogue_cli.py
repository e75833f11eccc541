"""`lianban catalog validate|import|export` in real subprocesses on a fresh SQLite file."""
import json

from tests.conftest import ROOT
from tests.e2e import test_cli
from tests.e2e.test_cli import lianban

env = test_cli.env                # a fresh SQLite file for the subprocesses (a fixture)

CATALOGUE = ROOT / "catalogue" / "demo-catalogue.json"
FOOD = "11620100MB1234567E2001XK0010100"


def test_validate_import_and_export(env, tmp_path):
    assert lianban(env, "load-demo").returncode == 0
    good = lianban(env, "catalogue", "validate", str(CATALOGUE))
    assert good.returncode == 0 and "no problems" in good.stdout
    items = json.loads(CATALOGUE.read_text(encoding="utf-8"))["items"]
    items[0]["promise_limit"] = 25
    items[3]["body_uscc"] = items[3]["body_uscc"][:17] + ("0" if items[3]["body_uscc"][17] != "0" else "1")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    result = lianban(env, "catalogue", "validate", str(bad))
    assert result.returncode == 1 and result.stderr.startswith("error [catalogue_invalid]: ")
    assert "row 1, promise_limit:" in result.stdout and "[promise_exceeds_legal]" in result.stdout
    assert "row 4, body_uscc:" in result.stdout and "check character" in result.stdout
    rejected = lianban(env, "catalogue", "import", str(bad))
    assert rejected.returncode == result.returncode == 1 and "error [catalogue_invalid]: " in rejected.stderr

    out = tmp_path / "catalogue.csv"
    assert lianban(env, "catalogue", "export", "--format", "csv", "-o", str(out)).returncode == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "食品经营许可" in data.decode("utf-8-sig")
    text = data.decode("utf-8-sig").replace("周一至周五", "周一至周六", 1)      # one entry's guide changes
    changed = tmp_path / "changed.csv"
    changed.write_bytes(text.encode("utf-8-sig"))
    imported = lianban(env, "catalogue", "import", str(changed), "--publish")
    assert imported.returncode == 0, imported.stderr
    assert "27 rows: 1 new version(s), 26 unchanged, 1 published" in imported.stdout
    again = lianban(env, "catalogue", "import", str(changed))
    assert "0 new version(s), 27 unchanged" in again.stdout
