"""The tests live in folders that mirror the package (see README.md here);
their shared helpers, support.py and lecture_cells.py, sit in this folder and
are imported as top-level modules (``from support import ...``), so this
folder goes on ``sys.path``.

pytest's default import mode puts each test file's own folder on ``sys.path``
and imports it by its base name, so test files have names unique across the
folders (tests/docs/test_readme.py checks it). No folder here has an
``__init__.py``: tests/nn/ is then no package, and ``import nn`` finds the
library's own ``nn`` package, whatever the order of ``sys.path``.
"""

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
