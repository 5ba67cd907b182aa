"""The review of returns: states at both ends, comments, and what travels up and down about them."""
