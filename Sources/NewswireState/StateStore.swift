// The durable state store (seen URLs, fingerprints, feed validators) comes with the
// deduplication issue; this module holds it.
