"""The one inbound decoder: everything that comes in is parsed here, never trusted (ADR 0010)."""
