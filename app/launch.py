"""The `shopify-events-mock` console script: app.cli imported with the cyclic GC off.

Importing FastAPI, pydantic, SQLAlchemy and the app makes ~190,000 objects that live as long
as the process, and the collections that allocating them triggers cost ~0.1 s of start-up
(about 280 of them). Off for the imports, then `gc.freeze()` moves what they made out of the
collector's sight. What they left unreachable (~850 objects) is kept; collecting it would
mean walking all of them once (~50 ms).
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    try:
        from app.cli import main as cli_main
    finally:
        gc.freeze()
        gc.enable()
    cli_main()
