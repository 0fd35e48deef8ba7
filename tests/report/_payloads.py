"""Injection payloads shared by the report tests."""

SCRIPT = "<script>document.title='pwned';window.__pwned=1</script>"
IMG = '"><img src=x onerror="window.__pwned=2">'
