"""``python -m graph_lineage.cli``: the same as the ``graph-lineage`` command."""

import sys

from graph_lineage.cli import main

sys.exit(main())
