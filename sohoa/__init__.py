"""sohoa: digitise, catalogue and search Vietnamese administrative-procedure records."""

__version__ = "0.1.0"
