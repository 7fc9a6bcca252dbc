"""Render the outcome document in a child process with limits: its memory, its time, and nothing of the web process.

Children fork from a server that has WeasyPrint imported already; each is limited to `memory_mb` of address
space and killed past `timeout` seconds, and a render that fails says why (RenderFailed).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import resource
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consult.documents.render import EXPORTS, pdf_and_pages


class RenderFailed(Exception):
    """The document could not be rendered within its limits; the message says why."""


@dataclass(frozen=True)
class RenderResult:
    """A PDF rendered in a child process, with what the render cost there."""

    pdf: bytes
    pages: int
    render_s: float
    peak_rss_mb: float
    #: The peak address space, which is what `memory_mb` limits (None where /proc is not there to read it).
    peak_vm_mb: float | None = None


def _child(connection, document_json: str, exports_dir: str, memory_mb: int) -> None:
    # "started" first: a child that dies before saying so could not start at all (see _died).
    connection.send(("started", None))
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        began = time.perf_counter()
        pdf, pages = pdf_and_pages(json.loads(document_json), Path(exports_dir), None)
        seconds = time.perf_counter() - began
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        connection.send(("ok", RenderResult(pdf, pages, seconds, peak_mb, _peak_address_space_mb())))
    except MemoryError:
        connection.send(("error", f"the render needed more than {memory_mb} MB of memory"))
    except SystemError as error:  # a native library that could not allocate under the limit, with no MemoryError
        connection.send(("error", f"the render stopped under its memory limit of {memory_mb} MB ({error})"))
    except Exception as error:  # reported to the parent, which raises RenderFailed
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def _peak_address_space_mb() -> float | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmPeak:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


_STARTING = threading.Lock()


def _forkserver():
    # Children fork from a server that has WeasyPrint imported already: no import cost per render, and no
    # copy of the web process (its sockets, threads or gevent hub).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["weasyprint", "consult.documents.sandbox"])
    _start_forkserver()
    return context


def _start_forkserver() -> None:
    """Start the fork server (if it is not running) with Python's safe path, whatever the working directory.

    The server starts as `python -c ...`, which puts the working directory first on its sys.path: started
    from the folder that holds the checkout, the checkout folder itself would be imported as `consult`
    instead of the installed package, and no render could start. PYTHONSAFEPATH leaves that entry out.
    """
    from multiprocessing import forkserver

    with _STARTING:
        previous = os.environ.get("PYTHONSAFEPATH")
        os.environ["PYTHONSAFEPATH"] = "1"
        try:
            forkserver.ensure_running()
        finally:
            if previous is None:
                os.environ.pop("PYTHONSAFEPATH", None)
            else:
                os.environ["PYTHONSAFEPATH"] = previous


def _why_no_start() -> str:
    """What keeps a render child from starting, where it can be told from here (its traceback is on stderr)."""
    shadow, package = Path.cwd() / "consult", Path(__file__).resolve().parent.parent
    if shadow.exists() and shadow.resolve() != package:
        return (f"the working directory holds a folder named 'consult' ({shadow}), which the renderer's process "
                f"imports instead of the installed package ({package}); start consult from another folder")
    return "its error is in the server's error output"


def _died(child, started: bool, memory_mb: int) -> str:
    """Why a child ended without an answer, as far as can be known."""
    child.join(5)
    code = child.exitcode
    if not started:
        return f"the renderer process could not start (exit status {code}): {_why_no_start()}"
    if code is not None and code < 0:
        causes = {-signal.SIGKILL: " (the system stops processes that run out of memory this way)",
                  # GLib's allocator, under Pango and HarfBuzz, aborts when the address-space limit refuses memory.
                  -signal.SIGABRT: " (a native library stops its process this way when it is refused memory)",
                  # A native library that uses an allocation the limit refused, without checking it, crashes.
                  -signal.SIGSEGV: " (a native library that is refused memory and goes on crashes this way)"}
        cause = causes.get(code, "")
        return f"the renderer was killed by {_signal_name(-code)} while rendering{cause}; its limit is {memory_mb} MB"
    # A native library that cannot allocate under the address-space limit exits without a MemoryError.
    return (f"the renderer exited (status {code}) while rendering, without an answer; it may have reached its "
            f"memory limit of {memory_mb} MB (its error is in the server's error output)")


def render_in_child(document: dict[str, Any], *, timeout: float = 120, memory_mb: int = 1024,
                    exports_dir: Path | None = None) -> RenderResult:
    """Render in a child process limited to `memory_mb` of address space, killed past `timeout` seconds."""
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    # The document goes as JSON text, so that anything wrong with it is the child's reported error.
    child = context.Process(target=_child, args=(sender, json.dumps(document), str(exports_dir or EXPORTS),
                                                 memory_mb), daemon=True)
    child.start()
    sender.close()
    deadline = time.monotonic() + timeout
    started = False
    try:
        while True:
            if not receiver.poll(max(0.0, deadline - time.monotonic())):
                raise RenderFailed(f"the render took longer than {timeout:g} s and was stopped")
            try:
                status, payload = receiver.recv()
            except (EOFError, OSError) as error:
                raise RenderFailed(_died(child, started, memory_mb)) from error
            if status == "started":
                started = True
                continue
            if status != "ok":
                raise RenderFailed(payload)
            return payload
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()


def render_outcome_pdf(document: dict[str, Any], *, timeout: float = 120, memory_mb: int = 1024,
                       exports_dir: Path | None = None) -> bytes:
    """The PDF of an outcome document, rendered in a child process killed past `timeout` or `memory_mb`."""
    return render_in_child(document, timeout=timeout, memory_mb=memory_mb, exports_dir=exports_dir).pdf
