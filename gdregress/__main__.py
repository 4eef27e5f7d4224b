"""``python -m gdregress``: the same as the ``gdregress`` command."""

import sys

from .cli import main

sys.exit(main())
