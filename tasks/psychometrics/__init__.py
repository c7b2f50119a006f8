"""The psychometric model in one place: the functions (:mod:`tasks.psychometrics.functions`),
the perception dimensions with their units (:mod:`tasks.psychometrics.dimensions`) and the
bank's difference grids per dimension (:mod:`tasks.psychometrics.grids`). The adaptive
procedures, the report's fits and the simulated observers all use these."""
