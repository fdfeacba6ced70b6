"""hetao: a command-line fact explorer for the Hetao Shenzhen-Hong Kong Science and Technology
Innovation Cooperation Zone."""

__version__ = "0.1.0"
