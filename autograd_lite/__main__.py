"""``python -m autograd_lite``: print the op table as Markdown (the README's).

``--help`` says so, ``--version`` prints the version. A reader that closes
the pipe early (``python -m autograd_lite | head -1``) ends the output
quietly, as Unix tools do, not with a traceback.
"""

import argparse
import os
import sys
from typing import List, Optional

from . import __version__
from .ops import markdown_table


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograd_lite",
        description="Print autograd-lite's op table (every primitive, its "
                    "local derivatives and where they are checked) as Markdown.")
    parser.add_argument("--version", action="version",
                        version=f"autograd-lite {__version__}")
    try:
        parser.parse_args(argv)
        sys.stdout.write(markdown_table() + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would report the failed flush again at exit: point stdout at
        # /dev/null first (the recipe of the signal module's documentation).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
