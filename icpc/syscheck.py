"""Check the system libraries the kit needs (``python -m icpc.syscheck``).

WeasyPrint renders the PDF report through Pango and needs fonts; when they are missing it
fails at import time with a long OSError. This check turns that into one line saying what
to install.
"""

from __future__ import annotations

import sys

HINT = (
    "WeasyPrint cannot load Pango, which the PDF report needs. Install the system libraries: "
    "Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; "
    "macOS: brew install pango; conda: conda install -c conda-forge pango"
)


def main() -> int:
    """Return 0 when WeasyPrint and its libraries load, else print a hint and return 1."""
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:  # missing shared library
        print(f"icpc: {HINT} ({exc.__class__.__name__}: {str(exc).splitlines()[0]})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
