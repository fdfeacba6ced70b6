"""`python -m hetao_cli` and the `hetao` console script."""

import gc
import sys


def main() -> None:
    """Start hetao; a Ctrl-C while its modules are still importing exits 130, quietly."""
    # One command, then the process ends: the cyclic collector is off from the start (see
    # cli.main), so importing Typer and hetao's modules triggers none of its scans either.
    gc.disable()
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
