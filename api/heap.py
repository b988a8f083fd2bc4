"""Short garbage-collector pauses in a serving worker: what start-up loaded is moved out of the collector's way.

A worker that has started holds about 450,000 objects that live as long as the process: the imported modules
(FastAPI, pydantic, SQLAlchemy, MLflow, LightGBM, pandas), the routes and schemas, the champion. CPython's full
(generation-2) collection walks every one of them, with the GIL held: under load a worker ran one every 10–20 s,
each 220 ms to over 1 s on the shared 2-core machine (``gc.callbacks``, bench/api_assessment.py with wrk) — a stall of
its event loop and of the audit writer, i.e. the latency tail. :func:`settle` collects once and moves every object
alive at that moment to the permanent generation (:func:`gc.freeze`), so later collections walk only what the
requests created since. It runs when the services have started and again after a model reload (the new champion's
objects join the frozen ones; the old model is freed by reference counting as before — freezing only exempts
objects from the cycle detector, it never keeps one alive). :func:`release` gives the objects back to the collector
when the app stops. Both act on the whole process (the collector is global).
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def settle() -> int:
    """Collect the garbage of start-up (or of a reload), then freeze what remains; the number of frozen objects."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("heap settled: %d objects exempt from the collector's full passes", frozen)
    return frozen


def release() -> None:
    """Let the collector walk the frozen objects again (they become generation 2 objects)."""
    gc.unfreeze()
