"""Second-opinion requests from outside patients."""
