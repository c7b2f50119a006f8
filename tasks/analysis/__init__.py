"""The human-vs-model report: statistics, item analysis, agreement, figures and tables.

Entry point: tasks.analysis.report.write_report. The modules that compute return plain data
(pandas DataFrames, matplotlib Figures built without pyplot) so that a GUI page can call them
from a worker thread or a child process. Importing this package imports nothing heavy.
"""
