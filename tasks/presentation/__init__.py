"""From a run to sound: the trial buffer, its level and safety guard, and the headphone
equalization of a station."""
