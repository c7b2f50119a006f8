"""Scoring exactly as the model evaluation kit scores (STARBENCH.md section 4): AA, ACR, per
category and Final MA, from counts or on arrays."""
