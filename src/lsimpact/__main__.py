"""``python -m lsimpact`` = the ``lsimpact`` command."""

import sys

from .cli import main

sys.exit(main())
