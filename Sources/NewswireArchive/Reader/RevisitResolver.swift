/// Finds the original capture of `revisit` records among the records read before them, and
/// reads it again from its file.
///
/// Feed it every `response` and `resource` record as it is read (``note(_:)``): it remembers
/// where each is, by record ID, payload digest, and target URI with date. A revisit is then
/// resolved by `WARC-Refers-To`, else its payload digest, else `WARC-Refers-To-Target-URI`
/// and `WARC-Refers-To-Date`, and the original is read from its file offset. Memory: about
/// 200 bytes per remembered record, up to `maxRemembered`; past that it starts afresh (older
/// originals then go unresolved). Used from one thread.
public final class RevisitResolver {
    private var byRecordID: [String: WARCLocation] = [:]
    private var byDigest: [String: (location: WARCLocation, recordID: String)] = [:]
    private var byCapture: [String: (location: WARCLocation, recordID: String)] = [:]
    private let maxRemembered: Int

    public init(maxRemembered: Int = 1_000_000) {
        self.maxRemembered = maxRemembered
    }

    /// Remembers where a `response` or `resource` record is; other records are ignored.
    public func note(_ record: WARCRecord) {
        guard record.type == .response || record.type == .resource, let id = record.recordID else { return }
        if self.byRecordID.count >= self.maxRemembered {
            self.byRecordID.removeAll(keepingCapacity: true)
            self.byDigest.removeAll(keepingCapacity: true)
            self.byCapture.removeAll(keepingCapacity: true)
        }
        self.byRecordID[id] = record.location
        if let digest = record.payloadDigest, self.byDigest[digest] == nil {
            self.byDigest[digest] = (record.location, id)
        }
        if let uri = record.targetURI, let date = record.headers["WARC-Date"] {
            self.byCapture[Self.captureKey(uri, date)] = (record.location, id)
        }
    }

    /// The capture a revisit stands for: the original record (type, payload, digests) with the
    /// revisit's record ID, URI, date and address, `WARC-Refers-To` naming the original, and
    /// the revisit's own HTTP head unless it is a 304 (then the original's stands).
    ///
    /// - Returns: the resolved record, or an error (`unresolved_revisit`, or the reader's own
    ///   error when the original cannot be read again).
    public func resolve(
        _ revisit: WARCRecord,
        options: WARCReader.Options = WARCReader.Options()
    ) -> Result<WARCRecord, WARCError> {
        guard let target = revisit.revisit else {
            return .failure(self.unresolved(revisit, "not a revisit record"))
        }
        var found: (location: WARCLocation, recordID: String)?
        if let id = target.refersToRecordID, let location = self.byRecordID[id] {
            found = (location, id)
        } else if let digest = target.payloadDigest, let hit = self.byDigest[digest] {
            found = hit
        } else if let uri = target.refersToTargetURI, let date = revisit.headers["WARC-Refers-To-Date"] {
            found = self.byCapture[Self.captureKey(uri, date)]
        }
        guard let found else {
            return .failure(self.unresolved(revisit, "the original capture is not in the records read"))
        }
        let original: WARCRecord
        switch Self.read(found.location, recordID: found.recordID, options: options) {
        case .success(let record): original = record
        case .failure(let error): return .failure(error)
        }
        // The original record as of the revisit's capture: its type, payload and digests, with
        // the revisit's identity, URI, date and address.
        var resolved = original
        for name in ["WARC-Record-ID", "WARC-Target-URI", "WARC-Date", "WARC-IP-Address"] {
            if let value = revisit.headers[name] { resolved.headers.set(name: name, value: value) }
        }
        resolved.headers.set(name: "WARC-Refers-To", value: found.recordID)
        resolved.location = revisit.location
        if let head = revisit.http, head.status != 304, !target.isServerNotModified {
            resolved.http = head
        }
        return .success(resolved)
    }

    /// Reads the record `recordID` from the reader opened at `location` (the first record for a
    /// file of one gzip member per record; further on for a whole-file gzip).
    private static func read(
        _ location: WARCLocation,
        recordID: String,
        options: WARCReader.Options
    ) -> Result<WARCRecord, WARCError> {
        let reader: WARCReader
        do {
            reader = try WARCReader(path: location.path, offset: location.offset, options: options)
        } catch {
            return .failure(error)
        }
        while let item = reader.next() {
            if case .success(let record) = item, record.recordID == recordID { return .success(record) }
        }
        return .failure(
            WARCError(
                code: .unresolvedRevisit,
                path: location.path,
                offset: location.offset,
                message: "the original \(recordID) could not be read again",
                recordID: recordID
            )
        )
    }

    private func unresolved(_ revisit: WARCRecord, _ message: String) -> WARCError {
        WARCError(
            code: .unresolvedRevisit,
            path: revisit.location.path,
            offset: revisit.location.offset,
            message: message,
            targetURI: revisit.targetURI,
            recordID: revisit.recordID
        )
    }

    private static func captureKey(_ uri: String, _ date: String) -> String { uri + " " + date }
}

@available(*, unavailable)
extension RevisitResolver: Sendable {}
