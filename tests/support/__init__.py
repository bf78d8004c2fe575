"""Test tools shared by the test modules: the bots under test and the way relatives talk to them."""
