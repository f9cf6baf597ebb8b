"""Notices (通知書) the register sends residents and other municipalities, printed as PDF."""
