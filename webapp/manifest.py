"""Lookup of the files that Vite built for the browser app.

`make frontend` writes the bundle to static/build/ together with
manifest.json, which maps the entry module to its hashed file names.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.conf import settings
from django.contrib.staticfiles import finders

MANIFEST_PATH: Final = "build/manifest.json"
ENTRY_MODULE: Final = "src/main.jsx"
# Vite's manifest names files relative to its output directory.
BUILD_PREFIX: Final = "build/"


class FrontendNotBuiltError(Exception):
    """The manifest is missing or does not name the entry module."""


@dataclass(frozen=True)
class FrontendAssets:
    """Static paths of the entry script and its style sheets."""

    script: str
    styles: tuple[str, ...]


_cache: dict[tuple[str, float], FrontendAssets] = {}


def find_manifest() -> Path | None:
    """Return the path of the manifest that matches the served files.

    With DEBUG on, static files are served from the static directories, so
    their manifest comes first. Otherwise whitenoise serves STATIC_ROOT, and
    a build newer than the last collectstatic must not name files that
    STATIC_ROOT lacks.
    """
    found = finders.find(MANIFEST_PATH)
    source = Path(found) if isinstance(found, str) else None
    collected = Path(settings.STATIC_ROOT) / MANIFEST_PATH
    candidates = [source, collected] if settings.DEBUG else [collected, source]
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def load_assets() -> FrontendAssets:
    """Return the entry files that the manifest names, cached per file change.

    Raises:
        FrontendNotBuiltError: when there is no manifest, it is not JSON or
            it has no entry for ENTRY_MODULE.
    """
    path = find_manifest()
    if path is None:
        raise FrontendNotBuiltError(
            f"{MANIFEST_PATH} was not found in the static directories; run "
            "`make frontend` to build the app."
        )
    key = (str(path), path.stat().st_mtime)
    cached = _cache.get(key)
    if cached is not None:
        return cached

    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FrontendNotBuiltError(
            f"{path} could not be read ({error}); run `make frontend` again."
        ) from error
    entry = manifest.get(ENTRY_MODULE) if isinstance(manifest, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
        raise FrontendNotBuiltError(
            f"{path} has no entry for {ENTRY_MODULE}; run `make frontend` again."
        )

    assets = FrontendAssets(
        script=BUILD_PREFIX + entry["file"],
        styles=tuple(BUILD_PREFIX + name for name in entry.get("css", [])),
    )
    _cache.clear()
    _cache[key] = assets
    return assets
