"""Collected static files are compressed, but for django-ninja's."""

from majlis.core.storage import StaticFilesStorage


def test_swagger_ui_is_left_uncompressed_and_the_rest_is_compressed(tmp_path):
    script = "function f() { return 'majlis'; }\n" * 200
    for name in ("ninja/swagger-ui-bundle.js", "majlis/majlis.js"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(script)
    storage = StaticFilesStorage(location=str(tmp_path), base_url="/static/")

    compressed = {
        name
        for name, _compressed in storage.compress_files(
            ["ninja/swagger-ui-bundle.js", "majlis/majlis.js"]
        )
    }

    assert compressed == {"majlis/majlis.js"}
    assert (tmp_path / "majlis/majlis.js.gz").exists()
    assert not (tmp_path / "ninja/swagger-ui-bundle.js.gz").exists()
