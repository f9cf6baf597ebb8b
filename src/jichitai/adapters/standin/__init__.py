"""Stand-ins for the national counterparts (``jichitai standin serve``), for tests and demos."""
