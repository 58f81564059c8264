"""Set-up of each worker process of ``--engine dask``'s local cluster (a Dask preload, run as the worker starts).

Ctrl-C reaches the whole process group, the cluster's worker processes with the command: each printed a
``KeyboardInterrupt`` traceback under the command's one ``interrupted`` line. As in the process pool's workers
(:func:`serve.batch.engines._worker_init`), Ctrl-C is left to the command, which stops the run and ends the
workers (:func:`serve.batch.engines.stop_local_workers`). Workers of a cluster of one's own (``--scheduler``)
are not touched.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


def dask_setup(worker: Any) -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
