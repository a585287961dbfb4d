"""Python's cyclic garbage collector paused while WeasyPrint lays out and draws (the
report's PDF, the scorecards)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while WeasyPrint lays out and draws.

    WeasyPrint makes hundreds of thousands of short-lived objects; each automatic
    collection of the oldest generation walks the whole heap of the process (in ``icpc
    run``: the diagnostic's frames too), which cost the demo's PDF ~10-20 % of its time
    and its scorecards ~15-20 %.
    The garbage of one report (a few MB) is collected later, as usual. A collector already
    disabled by the caller stays disabled.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
