"""``python -m grokbench`` is the ``grokbench`` command."""

import sys

from grokbench.cli import main

sys.exit(main())
