/// HTTP response headers in the order they arrived, looked up case-insensitively.
public struct HTTPHeaders: Sendable, Hashable, Codable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Hashable, Codable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    public mutating func add(name: String, value: String) {
        self.fields.append(Field(name: name, value: value))
    }

    /// The last value of the header `name` (case-insensitive), if any.
    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        return self.fields.last { $0.name.lowercased() == lowered }?.value
    }

    public func makeIterator() -> IndexingIterator<[Field]> { self.fields.makeIterator() }
}
