"""Where the pattern data lives, and the month names periods are written with.

Kept apart from the modules that import spaCy, so that events, actors and the review page
read them without it.
"""

from importlib import resources
from pathlib import Path

PATTERNS_DIR = Path(str(resources.files("pipeline") / "patterns"))

# A record's period names its month in English ("August 2020"), whatever the locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
