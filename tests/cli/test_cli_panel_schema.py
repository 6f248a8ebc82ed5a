"""`presence panel-schema` prints (or writes) the JSON Schema of generated panels."""

from __future__ import annotations

import json
import subprocess
import sys

from presence.cli import main
from presence.core.panels import panel_json_schema


def test_panel_schema_prints_the_panel_json_schema():
    """The printed document is the schema panel_json_schema() builds, as JSON."""
    r = subprocess.run([sys.executable, "-m", "presence.cli", "panel-schema"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    schema = json.loads(r.stdout)
    assert schema == json.loads(json.dumps(panel_json_schema()))
    assert schema["title"] == "Presence panel" and "root" in schema["properties"]


def test_panel_schema_out_writes_the_file(tmp_path, capsys):
    """--out FILE writes the schema there and says so."""
    out = tmp_path / "panel.schema.json"
    assert main(["panel-schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["$schema"].endswith("2020-12/schema")
    assert str(out) in capsys.readouterr().out


def test_panel_schema_out_in_a_missing_folder_is_one_clear_line(tmp_path, capsys):
    """A folder that does not exist: exit 1 and one line naming it, no traceback."""
    assert main(["panel-schema", "--out", str(tmp_path / "nope" / "s.json")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("presence: ") and "nope" in err[0]
