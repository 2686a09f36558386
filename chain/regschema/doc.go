// Package regschema is the record-schema profile of citychain's generic
// agency registry: a deterministic subset of JSON Schema 2020-12 that the
// chain checks when a registry is registered and validates every record
// against, identically on every validator (no floating point, no map
// iteration for output, no backtracking regular expressions, no goroutines,
// no clock).
//
// # Documents
//
// Schemas and records are profile JSON: RFC 8259 JSON whose numbers are
// integers that fit in int64 (1.5, 1.0 and 1e3 are refused), whose strings
// are valid Unicode, whose objects have no duplicate keys, nested at most
// MaxDepth deep. Canonical returns the RFC 8785 (JCS) form of such a
// document and ID its lowercase hex SHA-256: a schema's content address.
//
// # The profile
//
// Compile refuses, with an *Error naming the JSON pointer of the first
// offence, anything outside the profile:
//
//   - The root is {"type":"object", ...}. Every schema (every nested one)
//     has "type": exactly one of object, string, integer, boolean, array
//     ("number" is refused: use integer; "null" and arrays of types are
//     refused).
//   - Keywords: $schema (only "https://json-schema.org/draft/2020-12/schema")
//     and $id (an absolute URI without fragment), both only at the root;
//     title, description, $comment, examples (an array), default; type;
//     for objects properties, required, additionalProperties; for strings
//     minLength, maxLength, pattern, format; for integers minimum, maximum,
//     exclusiveMinimum, exclusiveMaximum, multipleOf (positive); enum
//     (strings and integers) and const (strings, integers, booleans) of the
//     schema's type; for arrays items, minItems, maxItems, uniqueItems.
//     Anything else ($ref, allOf, anyOf, oneOf, not, if, patternProperties,
//     dependentSchemas, unevaluatedProperties, contentEncoding, unknown
//     words...) is refused, as is a keyword on a type it does not apply to
//     (maxLength on an integer).
//   - Objects are closed: every object schema has "properties" (at most
//     MaxProperties, names 1 to MaxNameLength bytes) and an explicit
//     "additionalProperties": false, so the document means the same in any
//     2020-12 validator. required names declared properties, once each.
//   - Bounds: a string schema has maxLength <= MaxStringLength unless it
//     has enum, const or a fixed-length format (date, email, uuid, address,
//     hash; date-time and uri need maxLength); an array schema has items
//     and maxItems <= MaxArrayItems; an enum has 1 to MaxEnum distinct
//     entries; ranges are not empty (minLength <= maxLength, minimum <=
//     maximum, ...); schemas nest at most MaxSchemaDepth deep (the root is
//     1); the canonical schema is at most MaxSchemaSize bytes.
//   - pattern: at most MaxPatternLen bytes, in the subset of regular
//     expression syntax that means the same in ECMA-262 (what JSON Schema
//     specifies) and in RE2 (Go's regexp, linear time), which matches it;
//     matching is unanchored (a search), as in JSON Schema. Lookaround,
//     backreferences, ".", \s, \B and RE2-only syntax are refused
//     (README.md lists the subset).
//   - format is asserted (a mismatch fails validation, it is not just an
//     annotation) and is one of date, date-time, email, uuid, uri, address
//     and hash (see the Format constants). Each accepts a subset of its RFC.
//
// String lengths count Unicode code points, as JSON Schema does.
//
// # Validation
//
// Schema.Validate checks a record and returns the first error in a fixed,
// documented order (see Validate). For every schema Compile accepts, a
// record is valid exactly when a JSON Schema 2020-12 validator asserting
// formats says it is, except that the profile's formats may refuse exotic
// strings their RFCs allow (a quoted email local part, an IP literal,
// IPvFuture): the tests cross-check against
// github.com/santhosh-tekuri/jsonschema/v6 on generated records.
//
// # Versions
//
// CheckMinor accepts next as a minor version of prev when it only adds
// optional properties; Schema.OpenAPI gives the OpenAPI 3.1 form.
package regschema
