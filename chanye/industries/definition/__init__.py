"""System definition files: parse with line numbers, validate, normalise and diff. No Django import."""

from chanye.industries.definition.diff import diff_definitions
from chanye.industries.definition.parse import DefinitionError, Problem, parse_definition

__all__ = ["DefinitionError", "Problem", "diff_definitions", "parse_definition"]
