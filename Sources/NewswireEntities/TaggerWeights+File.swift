import Foundation

/// An entity model that cannot be read.
public struct EntityModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file concerned.
    public var path: String
    /// What is wrong with it.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "entity model \(self.path): \(self.message)" }
}

// The model file, little-endian:
//   "NWENTMDL"                      8 bytes of magic
//   UInt32 feature version, bucket bits, tag count, row count
//   Float32 transitions[tags × tags], start[tags], end[tags]
//   UInt32 bucket[row count]        ascending
//   Float16 rows[row count × tags]
private let magic = Array("NWENTMDL".utf8)

extension TaggerWeights {
    /// The model file's bytes; rows are stored as half-precision floats.
    package func serialized() -> [UInt8] {
        let tags = TagSet.count
        var bytes = magic
        func append32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        append32(Self.featureVersion)
        append32(UInt32(self.bucketBits))
        append32(UInt32(tags))
        append32(UInt32(self.rowCount))
        for value in self.transitions + self.start + self.end { append32(value.bitPattern) }
        for bucket in self.buckets { append32(bucket) }
        bytes.reserveCapacity(bytes.count + 2 * self.rows.count)
        for value in self.rows {
            let half = Float16(value).bitPattern.littleEndian
            bytes.append(UInt8(truncatingIfNeeded: half))
            bytes.append(UInt8(truncatingIfNeeded: half >> 8))
        }
        return bytes
    }

    /// Reads weights written by ``serialized()``.
    ///
    /// - Throws: ``EntityModelError`` when the bytes are not a model of this version.
    package init(serialized bytes: [UInt8], path: String) throws {
        let tags = TagSet.count
        var offset = 0
        func read32() throws -> UInt32 {
            guard offset + 4 <= bytes.count else { throw EntityModelError(path: path, message: "truncated") }
            let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
            offset += 4
            return UInt32(littleEndian: value)
        }
        guard bytes.count >= 8, Array(bytes[0..<8]) == magic else {
            throw EntityModelError(path: path, message: "not an entity model file")
        }
        offset = 8
        let version = try read32()
        guard version == Self.featureVersion else {
            throw EntityModelError(
                path: path,
                message: "feature version \(version), this build reads \(Self.featureVersion): retrain"
            )
        }
        let bucketBits = Int(try read32())
        guard try read32() == UInt32(tags), bucketBits >= 8 && bucketBits <= 26 else {
            throw EntityModelError(path: path, message: "unexpected tag count or bucket size")
        }
        let rowCount = Int(try read32())
        guard bytes.count == offset + 4 * (tags * tags + 2 * tags) + 4 * rowCount + 2 * rowCount * tags else {
            throw EntityModelError(path: path, message: "size does not match its header")
        }
        func readFloats(_ count: Int) throws -> [Float] { try (0..<count).map { _ in Float(bitPattern: try read32()) } }
        let transitions = try readFloats(tags * tags)
        let start = try readFloats(tags)
        let end = try readFloats(tags)
        var buckets: [UInt32] = []
        buckets.reserveCapacity(rowCount)
        for _ in 0..<rowCount {
            let bucket = try read32()
            guard bucket < 1 << bucketBits, bucket > buckets.last ?? 0 || buckets.isEmpty else {
                throw EntityModelError(path: path, message: "buckets out of range or order")
            }
            buckets.append(bucket)
        }
        let base = offset
        let rows = [Float](unsafeUninitializedCapacity: rowCount * tags) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                for index in 0..<(rowCount * tags) {
                    let bits = UInt16(
                        littleEndian: raw.loadUnaligned(fromByteOffset: base + 2 * index, as: UInt16.self)
                    )
                    buffer[index] = Float(Float16(bitPattern: bits))
                }
            }
            initialized = rowCount * tags
        }
        self.init(
            bucketBits: bucketBits,
            buckets: buckets,
            rows: rows,
            transitions: transitions,
            start: start,
            end: end
        )
    }

    /// Reads a model file in one go.
    package init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EntityModelError(path: path, message: "cannot be read")
        }
        try self.init(serialized: [UInt8](data), path: path)
    }

    /// Writes the model file.
    package func write(toFile path: String) throws {
        let data = Data(self.serialized())
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw EntityModelError(path: path, message: "cannot be written: \(error)")
        }
    }
}
