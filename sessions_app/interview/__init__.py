"""The scoping interview: answers, deliverable builders, stage gates and the governance decision (pure logic),
plus the stage machinery that runs them."""
