"""The directory of authorities and partnerships shared by the organisers."""
