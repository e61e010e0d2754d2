"""Code the tests share: paths, helpers, the harnesses (act, GitHub in a box, Mermaid, the API
contract) and the pytest plugins in fixtures/."""
