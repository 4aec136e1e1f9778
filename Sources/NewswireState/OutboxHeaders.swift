package import NewswireCore

import struct Foundation.Data
import class Foundation.JSONDecoder
import class Foundation.JSONEncoder

/// Outbox headers as the state stores keep them: a JSON array of `[name, value]` pairs, in order.
package enum OutboxHeaders {
    /// `headers` as JSON text.
    package static func encode(_ headers: [OutboxHeader]) -> String {
        let pairs = headers.map { [$0.name, $0.value] }
        guard let data = try? JSONEncoder().encode(pairs) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The headers of `text` (none when it is not such an array).
    package static func decode(_ text: String) -> [OutboxHeader] {
        let pairs = (try? JSONDecoder().decode([[String]].self, from: Data(text.utf8))) ?? []
        return pairs.compactMap { $0.count == 2 ? OutboxHeader(name: $0[0], value: $0[1]) : nil }
    }
}
