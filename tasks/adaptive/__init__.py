"""Adaptive threshold blocks: QUEST+ and transformed up-down staircases over the six
perception dimensions, their stimuli, storage and the thresholds export (docs/adaptive.md)."""
