"""Check the system libraries the kit needs (``python -m icpc.syscheck``).

WeasyPrint renders the PDF report through Pango and needs fonts; when they are missing it
fails at import time with a long OSError. This check turns that into one line saying what
to install. HarfBuzz's subsetting library is optional: without it WeasyPrint subsets the
fonts with fontTools (~0.5 s more per report), so its absence is only a note.
"""

from __future__ import annotations

import ctypes.util
import sys

HINT = (
    "WeasyPrint cannot load Pango, which the PDF report needs. Install the system libraries: "
    "Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; "
    "macOS: brew install pango; conda: conda install -c conda-forge pango"
)
SUBSET_HINT = (
    "note: libharfbuzz-subset is missing; each PDF takes ~0.5 s more (fonts subset by fontTools). "
    "Debian/Ubuntu: sudo apt-get install libharfbuzz-subset0"
)


def main() -> int:
    """Return 0 when WeasyPrint and its libraries load, else print a hint and return 1."""
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:  # missing shared library
        print(
            f"icpc: {HINT} ({exc.__class__.__name__}: {str(exc).splitlines()[0]})", file=sys.stderr
        )
        return 1
    if ctypes.util.find_library("harfbuzz-subset") is None:
        print(f"icpc: {SUBSET_HINT}", file=sys.stderr)
    if not any(ctypes.util.find_library(name) for name in ("fontconfig",)):
        print(
            "icpc: note: fontconfig not found; install fonts-dejavu-core for the report's font",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
