"""The JSON Schema of a flow document (served at ``GET /api/schema/flow``)."""

FLOW_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://shopwire.example/schema/flow.json",
    "title": "Shopwire flow",
    "type": "object",
    "additionalProperties": False,
    "required": ["schema_version", "nodes", "edges"],
    "properties": {
        "schema_version": {"const": 1},
        "nodes": {
            "type": "array",
            "minItems": 1,
            "maxItems": 500,
            "items": {"$ref": "#/$defs/node"},
        },
        "edges": {"type": "array", "maxItems": 2000, "items": {"$ref": "#/$defs/edge"}},
    },
    "$defs": {
        "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
        "node": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "type", "version"],
            "properties": {
                "id": {"$ref": "#/$defs/id"},
                "type": {"type": "string", "pattern": "^[a-z0-9_]+\\.[a-z0-9_]+$"},
                "version": {"type": "integer", "minimum": 1},
                "name": {"type": "string", "maxLength": 200},
                "notes": {"type": "string", "maxLength": 5000},
                "params": {"type": "object"},
                "sample": {
                    "description": "A trigger's test data: the event test runs start with and "
                    "the data tree shows, instead of the trigger's example."
                },
                "mapping": {
                    "type": "object",
                    "propertyNames": {"pattern": "^[^.]+(\\.[^.]+)*$"},
                    "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 5000},
                },
                "credential": {"type": ["string", "null"]},
                "position": {
                    "type": "object",
                    "required": ["x", "y"],
                    "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                },
                "on_error": {"enum": ["fail", "continue", "branch"], "default": "fail"},
                "retry": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "attempts": {"type": "integer", "minimum": 1, "maximum": 10},
                        "backoff_seconds": {"type": "number", "minimum": 0, "maximum": 300},
                    },
                },
            },
        },
        "edge": {
            "type": "object",
            "additionalProperties": False,
            "required": ["source", "target"],
            "properties": {
                "source": {"$ref": "#/$defs/id"},
                "target": {"$ref": "#/$defs/id"},
                "port": {"type": "string", "default": "main"},
            },
        },
    },
}
