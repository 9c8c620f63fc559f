"""Touches on the generated OpenAPI document (a drf-spectacular post-processing hook).

- Every operation may answer with a problem (RFC 9457) for 400, 401 (a wrong key), 403, 404
  and 429 (rate limit), with the media type application/problem+json; writes also 409 (the
  lifecycle refused the step in this state) and 422.
- The public reads need no key: their security lists `{}` (anonymous) besides the key.
"""

from __future__ import annotations

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details, in the language of Accept-Language",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}
DESCRIPTIONS = {
    "400": "Invalid input",
    "401": "Missing, unknown or revoked key",
    "403": "The key or user may not do this",
    "404": "Not found, or not visible to the caller",
    "409": "The step is not possible in the message's current state",
    "422": "Idempotency-Key reused for a different request",
    "429": "Rate limit reached (see Retry-After)",
}
# Reads anyone may make (staff lists need a key).
PRIVATE_READS = ("/api/v1/assignments/", "/api/v1/moderation/")


def add_problem_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = ["400", "401", "403", "404", "429"]
            if method != "get":
                codes += ["409", "422"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses[code] = {"description": DESCRIPTIONS[code], "content": problem}
            if method == "get" and not path.startswith(PRIVATE_READS):
                security = operation.setdefault("security", [])
                if {} not in security:
                    security.append({})
    return result
