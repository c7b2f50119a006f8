"""The cover design: the cohort answers every run of the benchmark K times, each participant a
share that fits the lab's session length (docs/cover-design.md)."""
