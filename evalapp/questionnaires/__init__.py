"""Questionnaire definitions: the files in ``definitions/`` and the code that reads them.

The file format is described in ``FORMAT.md`` beside this file.
"""
from pathlib import Path

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
