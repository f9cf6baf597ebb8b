"""Certificates drawn as PDF (ReportLab) with the MJ character set."""
