import Foundation
import Logging
import NewswireCore

/// Log lines as JSON objects on standard error (`--log-format json`): `ts`, `level`,
/// `label`, `message`, then the metadata as string fields.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    let label: String

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = self.metadata
        if let provided = self.metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("ts")
        writer.value(RFC3339.string(from: Date()))
        writer.key("level")
        writer.value(event.level.rawValue)
        writer.key("label")
        writer.value(self.label)
        writer.key("message")
        writer.value(event.message.description)
        for key in fields.keys.sorted() where !["ts", "level", "label", "message"].contains(key) {
            writer.key(key)
            writer.value(fields[key].map { "\($0)" } ?? "")
        }
        writer.endObject()
        let line = writer.string + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
