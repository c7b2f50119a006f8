"""Simulated participants and whole simulated studies (no audio, no window)."""
