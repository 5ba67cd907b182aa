"""Tests of the form-definition layer (schema loader, values, validation, JSON Schema)."""
