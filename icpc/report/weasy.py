"""WeasyPrint's import without its slow search for the system libraries.

At import, WeasyPrint looks each of its libraries (GObject, Pango, HarfBuzz, fontconfig…)
up under several names, one per platform, until one loads. On Linux every name that is not
the right one costs ``ctypes.util.find_library`` a miss: ``ldconfig -p``, then a ``gcc``
and an ``ld`` run in subprocesses, ~17 ms each. About fifteen misses made ~0.25 s of each
report's first import (the half of it), while the notebook's kernel needed the other core.

:func:`import_weasyprint` imports it with ``find_library`` limited to the first of those
three searches, the system's library cache (``ldconfig``): the names WeasyPrint loads on a
usual Linux install are found there. Anywhere that import fails (libraries known only to
``gcc`` or ``ld``, say in ``LIBRARY_PATH``), it imports again with the whole search, so
the libraries loaded are never other than WeasyPrint would load by itself. Elsewhere than
Linux, or once WeasyPrint is imported, it only imports.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import io
import sys
from collections.abc import Iterator

__all__ = ["import_weasyprint"]


@contextlib.contextmanager
def _cache_only_lookup() -> Iterator[None]:
    """``ctypes.util.find_library`` limited to the ``ldconfig`` cache, then restored."""
    cache_lookup = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or cache_lookup is None:
        yield
        return
    whole = ctypes.util.find_library
    ctypes.util.find_library = cache_lookup
    try:
        yield
    finally:
        ctypes.util.find_library = whole


def import_weasyprint() -> None:
    """Import WeasyPrint, its libraries looked up in the system's cache first.

    Raises
    ------
    OSError
        A library WeasyPrint needs cannot be loaded, even with the whole search
        (:mod:`icpc.syscheck` says what to install).
    """
    if "weasyprint" in sys.modules:
        return
    try:
        # a failure here prints WeasyPrint's installation advice: not for this first try
        with _cache_only_lookup(), contextlib.redirect_stdout(io.StringIO()):
            import weasyprint  # noqa: F401
    except OSError:
        for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
            del sys.modules[name]
        import weasyprint  # noqa: F401,F811  (the whole search: the usual error, if any)
