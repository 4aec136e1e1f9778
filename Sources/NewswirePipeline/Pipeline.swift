// Pipeline wiring lives here.
