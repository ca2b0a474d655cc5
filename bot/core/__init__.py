"""Pure-Python guidance engine: policy loading, retrieval, checks and verdicts.

Nothing in this package imports Slack, the network, the store or the model path.
"""
