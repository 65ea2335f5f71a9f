"""Allow ``python -m streetwatch``."""

import sys

from streetwatch.cli import main

sys.exit(main())
