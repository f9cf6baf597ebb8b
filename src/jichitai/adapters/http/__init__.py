"""Outgoing HTTP (webhook deliveries)."""
