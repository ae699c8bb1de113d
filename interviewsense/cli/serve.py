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
