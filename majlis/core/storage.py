"""Static files: hashed names and compressed copies (WhiteNoise), but for the
API reference's Swagger UI."""

from collections.abc import Iterable, Iterator

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, leaving django-ninja's Swagger UI (1.5 MB of
    script, 2 MB of source maps) uncompressed: compressing it twice, under its
    name and its hashed name, added 7 s of CPU to the collectstatic that
    `majlis serve` runs before it answers (10 s without it), for a page only
    integrators open, once, and then keep in their cache."""

    def compress_files(self, paths: Iterable[str]) -> Iterator[tuple[str, str]]:
        return super().compress_files(
            [path for path in paths if not path.startswith("ninja/")]
        )
