"""Bounds on what a merchant's template or expression may cost: time, and the size of values.

Templates and expressions are data, but data that runs: a nested loop or a doubling expression
of a few dozen characters can pin a worker for minutes or build gigabytes. Every render and
every evaluation runs under :func:`time_limit`, and every value they build is checked with
:func:`check_size` (templates) or :func:`within_size` (expression results), so a step that
asks too much fails with a sentence instead of stalling or killing the process.

The time limit interrupts the Python code of the block from a watchdog thread (CPython's
``PyThreadState_SetAsyncExc``), so it works in any thread: the worker's and the web server's
(mapping previews). Work done in one C call (a huge string repeat) is not interrupted, which
is why sizes are checked before such calls, not after.
"""

from __future__ import annotations

import ctypes
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

SECONDS = 2.0  # one render or one evaluation
MAX_TEXT = 1_000_000  # characters of one string a template builds, and of its output
MAX_ITEMS = 100_000  # items of one list a template builds
MAX_INT_BITS = 4_096  # about 1,200 digits
MAX_RESULT = 8_000_000  # about the JSON size of an expression's result, in bytes

POLL_SECONDS = 0.05


class LimitExceeded(ValueError):
    """A template or expression asked for more time or a bigger value than a step may use."""


class Stopped(Exception):
    """A :func:`stoppable` block was stopped from another thread."""


class _Interrupt(BaseException):
    """Raised inside a block by the watchdog; a BaseException so no ``except Exception`` in
    the libraries that run the block swallows it."""


@dataclass
class _Block:
    deadline: float
    fired: bool = False


_lock = threading.Lock()
_wake = threading.Condition(_lock)
_blocks: dict[int, list[_Block]] = {}  # by thread id, innermost last
_watchdog_pid: int | None = None
_sleeping = False  # the watchdog waits to be woken: no block for a while
# How long the watchdog goes on looking after the last block was left. Waking it costs the
# thread that does a context switch, and a busy worker enters a block for every run.
SLEEP_AFTER_SECONDS = 2.0


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Run the block for at most ``seconds``; past that, raise :class:`LimitExceeded` naming
    ``what`` ("the text", "the expression")."""
    ident = threading.get_ident()
    block = _Block(time.monotonic() + seconds)
    _enter(ident, block)
    try:
        yield
    except _Interrupt:
        if not block.fired:
            raise  # meant for a block around this one
        raise LimitExceeded(
            f"{what} took longer than {seconds:g} seconds to compute and was stopped; "
            "simplify it (fewer or smaller loops)."
        ) from None
    finally:
        _leave(ident, block)


@contextmanager
def stoppable() -> Iterator[Callable[[], None]]:
    """Run the block; the function it gets stops it from another thread (its Python code
    raises :class:`Stopped` at once), e.g. when the work it does was taken away from it."""
    ident = threading.get_ident()
    block = _Block(math.inf)
    _enter(ident, block)
    try:
        yield lambda: _stop(ident, block)
    except _Interrupt:
        if not block.fired:
            raise
        raise Stopped() from None
    finally:
        _leave(ident, block)


def _stop(ident: int, block: _Block) -> None:
    with _lock:
        if block in _blocks.get(ident, ()) and not block.fired:
            block.fired = True
            _send(ident, _Interrupt)


def _enter(ident: int, block: _Block) -> None:
    global _watchdog_pid, _sleeping
    with _lock:
        if _watchdog_pid != os.getpid():  # first use, or a forked child: no watchdog yet
            threading.Thread(target=_watch, name="shopwire-time-limit", daemon=True).start()
            _watchdog_pid, _sleeping = os.getpid(), False
        _blocks.setdefault(ident, []).append(block)
        if _sleeping:  # otherwise it looks at the next poll
            _wake.notify()


def _leave(ident: int, block: _Block) -> None:
    """Forget the block; an interrupt sent for it that has not arrived yet is cancelled. One
    arriving while this runs is either the block's own (leaving is simply repeated) or one for
    a block around it (passed on once this one is left)."""
    for_outer = False
    while True:
        try:
            with _lock:
                stack = _blocks.get(ident, [])
                if block in stack:
                    stack.remove(block)
                    if not stack:
                        del _blocks[ident]
                if block.fired:
                    block.fired = False
                    _send(ident, None)
            break
        except _Interrupt:
            for_outer = for_outer or not block.fired
    if for_outer:
        raise _Interrupt()


def _watch() -> None:
    global _sleeping
    with _lock:
        last_seen = time.monotonic()
        while True:
            now = time.monotonic()
            if _blocks:
                last_seen = now
            elif now - last_seen > SLEEP_AFTER_SECONDS:
                _sleeping = True
                _wake.wait()
                _sleeping = False
                continue
            for ident, stack in _blocks.items():
                expired = [b for b in stack if b.deadline <= now]
                if expired and not any(b.fired for b in stack):
                    expired[-1].fired = True
                    _send(ident, _Interrupt)
            _wake.wait(POLL_SECONDS)


def _send(ident: int, exception: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(ident), ctypes.py_object(exception) if exception else None
    )


def check_size(value: Any) -> Any:
    """``value`` if a template may hold it; :class:`LimitExceeded` otherwise."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise LimitExceeded(f"a placeholder builds text longer than {MAX_TEXT:,} characters")
    if isinstance(value, list | tuple | dict) and len(value) > MAX_ITEMS:
        raise LimitExceeded(f"a placeholder builds a list of more than {MAX_ITEMS:,} items")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded("a placeholder builds a number with more than 1,200 digits")
    return value


def within_size(value: Any, limit: int = MAX_RESULT) -> bool:
    """Whether ``value`` as JSON is about ``limit`` bytes or less. Counts every path, so a
    result that repeats one part many times is as big as its JSON, and stops early."""
    budget = limit
    pending = [value]
    while pending:
        item = pending.pop()
        budget -= len(item) + 2 if isinstance(item, str) else 8
        if budget < 0:
            return False
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return True
