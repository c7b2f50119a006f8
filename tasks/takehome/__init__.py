"""Take-home sessions: packages, results bundles, their files, schema and limits, the lab's
import and its plausibility checks."""
