"""``tracing-app init`` prepares the workspace's keys once, and never replaces them."""

from __future__ import annotations


def test_init_writes_the_data_keys_and_the_pseudonym_key_once(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "SECRET_KEY", app.config["SECRET_KEY"])
    monkeypatch.delenv("TRACING_DATA_KEYS", raising=False)
    monkeypatch.delenv("TRACING_PSEUDONYM_KEY", raising=False)
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    keys, pseudonym = tmp_path / "keys.json", tmp_path / "pseudonym.key"
    assert "keys.json" in result.output
    assert "pseudonym.key" in result.output
    for path in (keys, pseudonym):
        assert path.stat().st_mode & 0o777 == 0o600
    first = (keys.read_bytes(), pseudonym.read_bytes())

    again = runner.invoke(args=["init"])
    assert again.exit_code == 0
    assert "keys.json" not in again.output
    assert (keys.read_bytes(), pseudonym.read_bytes()) == first
