"""dmaic: Six Sigma improvement projects as validated documents (built on sixsigma)."""

__all__: list[str] = []
