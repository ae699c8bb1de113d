"""``interviewsense serve``: the engine as a web API (FastAPI on uvicorn) over the same flows.

Nothing here is imported unless the server runs: fastapi, starlette and uvicorn stay out of
``interviewsense --help``.
"""
