"""A real two-node Ray cluster on this machine, for the tests (run as a script).

``python tests/ray_cluster.py`` starts a head node and a second node (one CPU each, with
``ray.cluster_utils.Cluster``: separate raylet processes, as on two machines), prints the
address on stdout, and keeps them running. SIGUSR1 kills the second node at once (as a
machine dies); SIGTERM shuts the cluster down.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType


def main() -> None:
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "include_dashboard": False},
    )
    worker = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes(180)  # the tests start it while other work takes the cores
    stop = threading.Event()
    kill = threading.Event()

    def on_usr1(signum: int, frame: FrameType | None) -> None:
        kill.set()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGTERM, on_term)
    print(cluster.address, flush=True)
    while not stop.wait(0.1):
        if kill.is_set():
            kill.clear()
            cluster.remove_node(worker, allow_graceful=False)
            print("killed", flush=True)
    cluster.shutdown()
    sys.exit(0)


if __name__ == "__main__":
    main()
