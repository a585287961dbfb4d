"""The Diagnostic's machinery: analyses computed once, on a worker if asked, handed to the kernel.

- :class:`analysis`, the cached property every analysis of
  :class:`~icpc.diagnostic.Diagnostic` is;
- :func:`background`, behind :meth:`Diagnostic.background`: analyses computed on one
  worker thread while the caller goes on; :func:`import_in_background` for the modules
  those analyses import late;
- :func:`save_analyses` and :func:`load_analyses`: ``icpc run`` computes the analyses once,
  in its own process, and hands them to the notebook's kernel, which only renders them.
  The file is signed with a key only that run's kernel knows (:data:`KEY_VARIABLE` in its
  environment): outside a run, or with another run's file, nothing is read and the kernel
  computes the analyses itself, with the same code and the same numbers.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib
import os
import pickle
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Generic, TypeVar, cast, overload

__all__ = [
    "ANALYSES_FILE",
    "KEY_VARIABLE",
    "analysis",
    "analysis_names",
    "background",
    "import_in_background",
    "load_analyses",
    "save_analyses",
]

T = TypeVar("T")


class analysis(Generic[T]):  # noqa: N801  (a decorator, used like cached_property)
    """A cached property of the Diagnostic: computed on first use, then kept.

    Unlike ``functools.cached_property`` (which on Python 3.11 holds one lock for every
    instance of the class, and none from 3.12), it knows :func:`background`: reading an
    analysis that the worker is computing waits for the worker's value instead of
    computing it a second time. The value is kept in the instance's ``__dict__`` under the
    analysis's name (``"early_warning" in diag.__dict__`` tells whether it is computed).
    """

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attrname = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> analysis[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | analysis[T]:
        if instance is None:
            return self
        cache = instance.__dict__
        if self.attrname in cache:
            return cast(T, cache[self.attrname])
        pending = cache.get("_pending")
        if pending and not getattr(_WORKER, "active", False):
            future = pending.get(self.attrname)
            if future is not None:
                return cast(T, future.result())  # the worker keeps it in the cache too
        value = self.func(instance)
        cache[self.attrname] = value
        return value


#: set on the thread of :func:`background`: it computes, it never waits
_WORKER = threading.local()


def analysis_names(cls: type) -> tuple[str, ...]:
    """The names of the :class:`analysis` properties of ``cls``, in definition order."""
    names: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        names.update({k: None for k, v in vars(klass).items() if isinstance(v, analysis)})
    return tuple(names)


@contextlib.contextmanager
def background(obj: Any, names: tuple[str, ...], inputs: tuple[str, ...] = ()) -> Iterator[None]:
    """Compute the analyses ``names`` of ``obj`` on one worker thread while the caller goes on.

    See :meth:`icpc.diagnostic.Diagnostic.background`.
    """
    for name in inputs:
        getattr(obj, name)
    todo = [n for n in names if n not in obj.__dict__]
    if not todo:
        yield
        return
    pending: dict[str, Future[Any]] = obj.__dict__.setdefault("_pending", {})
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-analysis") as worker:

        def compute(name: str) -> Any:
            _WORKER.active = True
            return getattr(obj, name)

        for name in todo:
            pending[name] = worker.submit(compute, name)
        try:
            yield
        finally:
            try:
                for name in todo:
                    pending[name].result()
            finally:
                for name in todo:
                    pending.pop(name, None)


def import_in_background(*modules: str) -> threading.Thread:
    """Import ``modules`` on a daemon thread while the caller goes on (loads the data).

    For the modules an analysis imports when it first runs and that take long to import:
    ``scipy.optimize`` takes about 0.5 s, on the worker that fits the early warning's
    model, at the end of ``icpc kpis``, when both cores are busy, while the loading
    leaves one core idle at times. Importing is thread-safe (a thread that imports the
    same module meanwhile waits for it); a module that fails to import is left to fail
    again, with its error, where the analysis imports it. Returns the started thread.
    """

    def load() -> None:
        for name in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(name)

    thread = threading.Thread(target=load, name="icpc-imports", daemon=True)
    thread.start()
    return thread


# ----------------------------------------------------------------------------------------
# handing the analyses to the notebook's kernel
# ----------------------------------------------------------------------------------------
#: the file, in the saved dataset's folder, that holds the analyses of one run; removed
#: before the run folder is published
ANALYSES_FILE = "analyses.pickle"

#: environment variable holding the run's key (hex), set in the kernel's environment only
KEY_VARIABLE = "ICPC_ANALYSES_KEY"

#: line-sized analyses, not handed over: the kernel never needs them once the others are
_LINE_SIZED = ("prepared", "documents", "warning_rules")


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def save_analyses(obj: Any, path: Path, key: bytes) -> tuple[str, ...]:
    """Write the analyses ``obj`` has computed to ``path``, signed with ``key``.

    Returns the names written (every computed analysis but the line-sized ones).
    """
    cache = obj.__dict__
    names = tuple(n for n in analysis_names(type(obj)) if n in cache and n not in _LINE_SIZED)
    payload = pickle.dumps({n: cache[n] for n in names}, protocol=pickle.HIGHEST_PROTOCOL)
    path.write_bytes(_signature(key, payload) + payload)
    return names


def load_analyses(folder: str | Path, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The analyses that ``icpc run`` handed over in ``folder``, or ``{}``.

    Read only in the kernel of the run that wrote them: the file must carry the signature
    of the key in :data:`KEY_VARIABLE`. Any other case (no key, no file, another run's
    file, a file that does not unpickle in this Python) gives ``{}``: the caller computes
    the analyses itself.
    """
    key_hex = environ.get(KEY_VARIABLE)
    path = Path(folder) / ANALYSES_FILE
    if not key_hex or not path.is_file():
        return {}
    try:
        data = path.read_bytes()
        signature, payload = data[:32], data[32:]
        if not hmac.compare_digest(signature, _signature(bytes.fromhex(key_hex), payload)):
            return {}
        values = pickle.loads(payload)  # noqa: S301  (signed by this run, see above)
    except Exception:
        return {}
    return dict(values) if isinstance(values, dict) else {}
