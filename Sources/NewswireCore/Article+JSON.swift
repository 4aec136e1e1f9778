extension Article {
    /// Writes the article as one JSON object, fields in DESIGN.md's order.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", self.id)
        json.field("url", self.url)
        json.field("fetched_url", self.fetchedURL)
        json.field("feed", self.feed)
        json.field("feed_title", self.feedTitle)
        json.field("feed_tags", self.feedTags)
        json.field("title", self.title)
        json.field("authors", self.authors)
        json.field("published", self.published.map(RFC3339.string(from:)))
        json.field("updated", self.updated.map(RFC3339.string(from:)))
        json.field("language", self.language)
        json.field("site_name", self.siteName)
        json.field("description", self.description)
        json.field("image", self.image)
        json.field("categories", self.categories)
        json.field("summary", self.summary)
        json.field("text", self.text)
        json.field("word_count", self.wordCount)
        json.field("page_status", self.pageStatus.rawValue)
        if let entities = self.entities {
            json.key("entities")
            json.beginArray()
            for entity in entities { entity.write(to: &json) }
            json.endArray()
        }
        json.field("fingerprint", self.fingerprint)
        json.field("duplicate_of", self.duplicateOf)
        json.field("revision", self.revision)
        json.field("fetched_at", self.fetchedAt.map(RFC3339.string(from:)))
        json.endObject()
    }

    /// The article as one line of NDJSON, without the newline.
    public var jsonLine: String {
        var json = JSONWriter()
        self.write(to: &json)
        return json.string
    }
}

extension Entity {
    /// Writes the entity as one JSON object.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("text", self.text)
        json.field("type", self.type)
        json.field("count", self.count)
        json.field("aliases", self.aliases, keepEmpty: true)
        for (name, spans) in [("spans", self.spans), ("title_spans", self.titleSpans)] {
            json.key(name)
            json.beginArray()
            for span in spans {
                json.beginArray()
                for offset in span { json.value(offset) }
                json.endArray()
            }
            json.endArray()
        }
        json.endObject()
    }
}
