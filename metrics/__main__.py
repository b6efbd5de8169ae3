"""``python -m metrics summary …``: see metrics.cli."""

from data_layer.commands import run
from metrics.cli import main

run(main)
