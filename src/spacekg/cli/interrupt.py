"""Ctrl-C ends any command within a second, with exit 130.

Python runs its SIGINT handler (KeyboardInterrupt) only between bytecodes of the main thread; a
long call into a native library (a parser, a store) would hold it off. So a watchdog thread waits
on the signal wake-up file descriptor: on SIGINT it gives the main thread half a second to unwind
through the normal path (``spacekg: interrupted``, exit 130), then ends the process itself with
the same line and code. Files are written through temporary files and renames, and stores in
transactions, so an interrupted command leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

GRACE_SECONDS = 0.5
_installed: list[bool] = []


def _watch(read_fd: int) -> None:
    while True:
        try:
            data = os.read(read_fd, 64)
        except OSError:
            return
        if not data:
            return
        if signal.SIGINT in data:
            time.sleep(GRACE_SECONDS)
            with contextlib.suppress(OSError):
                os.write(2, b"spacekg: interrupted\n")
            os._exit(130)


def install_watchdog() -> None:
    """Start the watchdog (once per process; only from the main thread)."""
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except (ValueError, OSError):
        os.close(read_fd)
        os.close(write_fd)
        return
    _installed.append(True)
    threading.Thread(target=_watch, args=(read_fd,), name="spacekg-sigint", daemon=True).start()
