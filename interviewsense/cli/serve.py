"""``interviewsense serve``: the web API (FastAPI on uvicorn) over the same flows as the CLI."""

from __future__ import annotations

from typing import Annotated

import typer

from interviewsense.cli._app import command_app, console, guarded, load

app = command_app()


@app.command()
@guarded
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; beyond loopback needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=64, help="Worker processes.")
    ] = 1,
) -> None:
    """Serve the interview engine as a web API for apps, browsers and teams.

    \b
    Examples:
      interviewsense serve                                # http://127.0.0.1:8000/docs
      INTERVIEWSENSE_API_TOKEN=… interviewsense serve --host 0.0.0.0 --workers 4
    """
    from interviewsense.errors import MissingDependencyError
    from interviewsense.serve.security import check_bind

    settings = load()
    check_bind(host, settings.api_token)
    from interviewsense.serve.backends import engine_for

    engine_for(settings)  # a bad REDIS_URL or Azure setting: one line here, not a crash loop
    try:
        import uvicorn
    except ImportError as exc:
        raise MissingDependencyError(
            "the web API needs fastapi, uvicorn and python-multipart",
            hint="pip install 'interviewsense[serve]'",
        ) from exc
    _can_listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"serving on http://{shown}:{port} (API docs at /docs); Ctrl-C stops")
    uvicorn.run(
        "interviewsense.serve.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # ours logs the route, never the query string (serve/app.py)
        log_level="info",
    )
    # uvicorn returns only once a signal (Ctrl-C, SIGTERM) has stopped it, after the requests
    # in flight finished; it swallows the KeyboardInterrupt. Stopped is interrupted: 130, as
    # every command (a failed start exits 3 inside uvicorn.run, and is checked before).
    raise KeyboardInterrupt


def _can_listen(host: str, port: int) -> None:
    """Bind the address once, as uvicorn will (IPv6 when the host has a ':', else IPv4), so a
    port in use or a host that is not this machine's is one line (exit 1) before "serving
    on", not uvicorn's log and exit 3."""
    import errno
    import socket

    from interviewsense.errors import BadInputError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind((host, port))
    except socket.gaierror as exc:
        raise BadInputError(
            f"cannot listen on {host}: {exc.strerror}",
            hint="give an address of this machine, e.g. --host 127.0.0.1 or --host 0.0.0.0",
        ) from exc
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise BadInputError(
                f"port {port} on {host} is in use (another server, or an earlier serve)",
                hint="choose another with --port, or stop what is using it",
            ) from exc
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise BadInputError(
                f"no permission to listen on port {port}",
                hint="ports under 1024 need privileges: choose one above, e.g. --port 8000",
            ) from exc
        raise BadInputError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="give an address of this machine with --host",
        ) from exc
