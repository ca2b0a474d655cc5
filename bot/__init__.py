"""CanIPost: social-media policy guidance for officers, in Slack."""

__version__ = "0.1.0"
