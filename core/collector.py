"""The cyclic garbage collector, held off around work that makes many objects that stay alive.

An import of a 100,000-row file or a flag scan with tens of thousands of findings makes hundreds
of thousands of small objects (parsed rows, findings, their dicts and tuples) that all stay
alive until it ends. The collector walks them, and every object the process had before, again
and again and frees nothing: a full collection of a Django process with pandas loaded takes
about 0.07 s here, and a re-scan of 34,597 findings ran two of them (docs/performance.md).
Reference counting still frees everything as usual; only cycles wait for the end of the block.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Hold off the cyclic collector for the block; it runs again afterwards if it ran before.

    Blocks nest, and a thread that enters while another holds it off leaves the collector as it
    found it: only the outermost block that found it running turns it back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
