"""``python -m metrics summary …``: see metrics.cli."""

import sys

from metrics.cli import main

sys.exit(main())
