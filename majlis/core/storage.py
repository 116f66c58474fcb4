"""Static files: hashed names and compressed copies (WhiteNoise), but for the
API reference's scripts."""

from collections.abc import Iterable, Iterator

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, leaving django-ninja's files uncompressed: its
    Swagger UI and ReDoc (8 MB with their source maps), compressed twice,
    under their names and their hashed names, added 40 s of CPU to the
    collectstatic that `majlis serve` runs before it answers (10 s without
    them), for a page only integrators open, once, and then keep in their
    cache."""

    def compress_files(self, paths: Iterable[str]) -> Iterator[tuple[str, str]]:
        return super().compress_files(
            [path for path in paths if not path.startswith("ninja/")]
        )
