"""Bulk uploads from spreadsheets: read CSV/XLSX into rows, parse cell values, write reports.

Pure Python (+ openpyxl): no Flask, no SQLAlchemy. The worker and the vacancy uploads both build on
it; each service names its columns and turns rows into its own records.
"""
