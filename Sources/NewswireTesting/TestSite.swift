// Local HTTP sites for tests.
