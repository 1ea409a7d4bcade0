"""Column types shared by the LMS's tables."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Integer
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as an integer of ``places`` decimals (750 for 7.50 at 2 places).

    SQLite has no exact decimal type (SQLAlchemy would go through floats and warn);
    integers are exact on every backend.
    """

    impl = Integer
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places

    def process_bind_param(self, value, dialect):
        """Store ``value`` × 10^places, rounded half up."""
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.places)
        return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def process_result_value(self, value, dialect):
        """Read the integer back as a Decimal with ``places`` decimals."""
        return None if value is None else Decimal(value).scaleb(-self.places)
