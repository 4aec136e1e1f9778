// The NDJSON sink lives here.
