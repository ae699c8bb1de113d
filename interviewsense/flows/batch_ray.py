"""batch on a Ray cluster: a pool of actors, each loading Whisper and the scoring models once,
fed item references (paths, URLs, ``az://`` blobs) by the driver, which writes the results.

Ray is an optional extra and imported only here. A task lost with its actor (a node died)
is sent to another live actor, at most ``retries`` times; Ray restarts the actor in the
background and the driver takes it back once it answers again. Every item is written once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from interviewsense.config import Settings
from interviewsense.errors import MissingDependencyError, ServiceError
from interviewsense.flows.batch_input import Item
from interviewsense.flows.batch_work import init_worker, score_item, worker_threads

ALL_GONE_S = 120.0  # how long the driver waits for a worker when every actor is gone


def connect(address: str) -> Any:
    """``ray`` connected to ``address`` (auto, host:port, ray://host:10001, or local)."""
    try:
        import ray
    except ImportError as exc:
        raise MissingDependencyError(
            "--ray needs Ray, which is not installed",
            hint="pip install 'interviewsense[cluster]'",
        ) from exc
    if not ray.is_initialized():
        _probe(address)
        try:
            ray.init(
                address=None if address == "local" else address,
                logging_level=logging.ERROR,
                log_to_driver=False,
                include_dashboard=False if address == "local" else None,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ServiceError(
                f"could not connect to the Ray cluster at {address}: {str(exc)[:200]}",
                hint="check the address ('ray status' on the head node), or use --ray local "
                "for a one-machine cluster",
            ) from exc
    return ray


def _probe(address: str, timeout_s: float = 5.0) -> None:
    """Refuse a HOST:PORT (or ray://HOST:PORT) where nothing listens within ``timeout_s``:
    Ray itself keeps retrying a dead address for minutes."""
    import socket

    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        return  # auto, local: Ray finds (or starts) the cluster itself
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            return
    except OSError as exc:
        raise ServiceError(
            f"could not connect to the Ray cluster at {address}: nothing answers there "
            f"({exc.strerror or type(exc).__name__})",
            hint="check the address ('ray status' on the head node), or use --ray local "
            "for a one-machine cluster",
        ) from exc


def run_on_ray(
    items: list[Item],
    settings: Settings,
    *,
    address: str,
    workers: int,
    retries: int,
    notice: Callable[[str], None],
) -> Iterator[dict[str, Any]]:
    """Score ``items`` on the cluster, yielding each result row once, as it arrives."""
    ray = connect(address)
    threads = worker_threads(settings)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    size = max(1, min(workers or cpus // threads, len(items)))

    @ray.remote(num_cpus=threads, max_restarts=retries, max_task_retries=0)
    class Scorer:
        def __init__(self, settings: Settings) -> None:
            init_worker(settings)

        def ready(self) -> bool:
            return True

        def score(self, item: Item) -> dict[str, Any]:
            return score_item(item)

    actors = [Scorer.remote(settings) for _ in range(size)]  # type: ignore[attr-defined]
    nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
    notice(f"Ray: {size} workers on {nodes} node(s), {threads} thread(s) each")
    try:
        yield from _drive(ray, actors, items, retries, notice)
    finally:
        for actor in actors:
            ray.kill(actor, no_restart=True)


def _drive(
    ray: Any, actors: list[Any], items: list[Item], retries: int, notice: Callable[[str], None]
) -> Iterator[dict[str, Any]]:
    from ray.exceptions import RayActorError

    queue = list(reversed(items))
    attempts: dict[str, int] = {}
    running: dict[Any, tuple[Any, Item]] = {}  # result ref -> (actor, item)
    waking: dict[Any, Any] = {}  # ready() ref -> an actor being restarted by Ray
    idle = list(actors)
    done: set[str] = set()
    gone_since: float | None = None
    while queue or running:
        while idle and queue:
            actor, item = idle.pop(), queue.pop()
            running[actor.score.remote(item)] = (actor, item)
        if running or idle:
            gone_since = None
        elif gone_since is None:
            gone_since = time.monotonic()
        refs = [*running, *waking]
        if not refs:  # every actor is gone and none has come back yet
            raise ServiceError(
                "every Ray worker died", hint="run again with --resume when the cluster is back"
            )
        ready, _ = ray.wait(refs, num_returns=1, timeout=5.0)
        if not ready:
            if gone_since is not None and time.monotonic() - gone_since > ALL_GONE_S:
                raise ServiceError(
                    f"no Ray worker has come back in {ALL_GONE_S:.0f} s",
                    hint="check the cluster ('ray status'); then run again with --resume",
                )
            continue
        ref = ready[0]
        if ref in waking:
            actor = waking.pop(ref)
            try:
                ray.get(ref)
                idle.append(actor)
                notice(
                    f"Ray: a restarted worker is back; {len(actors) - len(waking)} of "
                    f"{len(actors)} live"
                )
            except RayActorError:
                pass  # out of restarts: it stays gone
            continue
        actor, item = running.pop(ref)
        try:
            row = ray.get(ref)
        except RayActorError as exc:
            waking[actor.ready.remote()] = actor  # back once Ray has restarted it
            attempts[item.id] = attempts.get(item.id, 0) + 1
            live = f"{len(actors) - len(waking)} of {len(actors)} workers live"
            if attempts[item.id] <= retries:
                notice(
                    f"Ray: the worker scoring {item.id} died ({type(exc).__name__}); {live}; "
                    "retrying it"
                )
                queue.append(item)
                continue
            row = {
                "id": item.id,
                "status": "error",
                "error": f"the worker scoring it died {attempts[item.id]} times",
                "answer": None,
            }
        else:
            idle.append(actor)
        if item.id not in done:  # never write an item twice
            done.add(item.id)
            yield row
