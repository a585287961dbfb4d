"""Process-wide memory setting for loading big exports (opt-in by the process owner).

A base module, not part of :mod:`icpc.io`: the ``icpc`` command calls it first thing, before
the kernel of ``icpc run`` is started, and importing ``icpc.io`` would import pandas first.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["keep_freed_memory"]

_MEMORY_TUNED = False


def keep_freed_memory() -> None:
    """Keep freed memory in the process for reuse instead of handing it back at once.

    Loading millions of lines allocates and frees many arrays of tens of MB. By default
    glibc returns each one to the kernel (``munmap`` / trim) and Arrow's mimalloc pool
    purges its pages, so the next array faults every page in again: on this kind of
    virtual machine that is seconds of system time for 8 million lines (3.9 s of 8.5 s).
    Here glibc keeps arrays under 1 GB in its heap and trims only above 1 GB free, and
    Arrow allocates through the same glibc heap (``system_memory_pool``). Peak memory is
    unchanged (the same arrays are alive at the peak); idle memory is kept until exit.
    Every thread allocates from that one heap (one arena): glibc's per-thread arenas are
    capped at 64 MB per heap, so the large arrays of the loading's worker threads
    (:func:`icpc.cleaning.load_dataset`) would otherwise be ``mmap``-ed and faulted in
    afresh (~1 s of system time for 8 million lines).

    A process-wide setting, so the library never calls it by itself: the owner of the
    process opts in — the ``icpc`` command and the batch's worker processes do. Idempotent;
    does nothing off glibc.
    """
    global _MEMORY_TUNED
    if _MEMORY_TUNED:
        return
    _MEMORY_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold, m_arena_max = -1, -3, -8  # <malloc.h>
        libc.mallopt(m_trim_threshold, 1 << 30)
        libc.mallopt(m_mmap_threshold, 1 << 30)
        libc.mallopt(m_arena_max, 1)
        pa.set_memory_pool(pa.system_memory_pool())
    except (OSError, AttributeError):  # not glibc (macOS, musl...): keep the defaults
        pass
