"""qbank: study material in, question bank corpus out. CLI and pipeline wiring only."""
__version__ = "0.1.0"
CONTRACT_VERSION = "v1"
