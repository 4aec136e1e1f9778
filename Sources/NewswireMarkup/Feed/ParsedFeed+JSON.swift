import NewswireCore

extension ParsedFeed {
    /// The feed as one JSON document in the neutral shape of the feeds-conformance corpus
    /// (`format`, `encoding`, `well_formed`, `error`, `feed`, `entries`): snake_case keys,
    /// RFC 3339 UTC dates with whole seconds, absent values left out.
    public func neutralJSON() -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("format", self.format)
        writer.field("encoding", self.encoding)
        writer.field("well_formed", self.wellFormed)
        writer.field("error", self.error)
        writer.key("feed")
        writer.beginObject()
        let metadata = self.metadata
        writer.field("title", metadata.title)
        writer.field("link", metadata.link)
        writer.field("subtitle", metadata.subtitle)
        writer.field("language", metadata.language)
        writer.field("id", metadata.id)
        writer.field("updated", metadata.updated.map(RFC3339.string(from:)))
        writer.field("published", metadata.published.map(RFC3339.string(from:)))
        writer.field("author", metadata.author)
        Self.writePeople(metadata.authors, to: &writer)
        writer.field("rights", metadata.rights)
        writer.field("generator", metadata.generator)
        writer.field("image", metadata.image)
        Self.writeCategories(metadata.categories, to: &writer)
        Self.writeLinks(metadata.links, to: &writer)
        writer.endObject()
        writer.key("entries")
        writer.beginArray()
        for entry in self.entries {
            writer.beginObject()
            writer.field("title", entry.title)
            writer.field("link", entry.link)
            writer.field("id", entry.id)
            writer.field("published", entry.published.map(RFC3339.string(from:)))
            writer.field("updated", entry.updated.map(RFC3339.string(from:)))
            writer.field("author", entry.author)
            Self.writePeople(entry.authors, to: &writer)
            writer.field("summary", entry.summary)
            writer.field("content", entry.content)
            Self.writeCategories(entry.categories, to: &writer)
            writer.field("enclosures", objects: entry.enclosures) { enclosure, writer in
                writer.field("url", enclosure.url)
                writer.field("type", enclosure.type)
                writer.field("length", enclosure.length)
            }
            Self.writeLinks(entry.links, to: &writer)
            writer.field("comments", entry.comments)
            writer.field("rights", entry.rights)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.string
    }

    private static func writePeople(_ people: [FeedPerson], to writer: inout JSONWriter) {
        writer.field("authors", objects: people) { person, writer in
            writer.field("name", person.name)
            writer.field("email", person.email)
            writer.field("uri", person.uri)
        }
    }

    private static func writeCategories(_ categories: [FeedCategory], to writer: inout JSONWriter) {
        writer.field("categories", objects: categories) { category, writer in
            writer.field("term", category.term)
            writer.field("scheme", category.scheme)
            writer.field("label", category.label)
        }
    }

    private static func writeLinks(_ links: [FeedLink], to writer: inout JSONWriter) {
        writer.field("links", objects: links) { link, writer in
            writer.field("href", link.href)
            writer.field("rel", link.rel)
            writer.field("type", link.type)
            writer.field("title", link.title)
        }
    }
}
