"""`python -m hetao_cli` and the `hetao` console script."""

import sys


def main() -> None:
    """Start hetao; a Ctrl-C while its modules are still importing exits 130, quietly."""
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
