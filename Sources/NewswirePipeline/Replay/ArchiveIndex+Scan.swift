import Foundation
import NewswireArchive
import NewswireCore

extension ArchiveIndex {
    /// Reads every source once: WARC files (`.warc`, `.warc.gz`, or any file that starts as
    /// one), and folders, walked in name order, of WARC files and saved documents.
    ///
    /// - Throws: ``RunError`` when a source does not exist or a file cannot be opened;
    ///   damage inside a WARC file becomes a fault (``faults``) and reading goes on.
    static func scan(_ sources: [String], store: ArchiveStore) throws -> ArchiveIndex {
        var index = ArchiveIndex()
        for source in sources {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
                throw RunError("\(source): no such file or folder")
            }
            if isDirectory.boolValue {
                try index.scanFolder(source, store: store)
            } else {
                try index.scanWARC(source, store: store)
            }
        }
        return index
    }

    private mutating func scanFolder(_ folder: String, store: ArchiveStore) throws {
        let root = URL(fileURLWithPath: folder).standardizedFileURL
        guard
            let walker = FileManager.default.enumerator(
                at: root,
                includingPropertiesForKeys: [.isRegularFileKey, .contentModificationDateKey],
                options: [.skipsHiddenFiles]
            )
        else { throw RunError("\(folder): cannot be read") }
        var files: [URL] = []
        for case let file as URL in walker
        where (try? file.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            files.append(file)
        }
        files.sort { $0.path < $1.path }
        for file in files {
            let name = file.lastPathComponent.lowercased()
            if name.hasSuffix(".warc") || name.hasSuffix(".warc.gz") {
                try self.scanWARC(file.path, store: store)
                continue
            }
            let relative = String(file.path.dropFirst(root.path.count + 1))
            guard let url = SavedDocument.url(forRelativePath: relative),
                let document = try? SavedDocument.read(path: file.path, url: url)
            else { continue }
            self.add(
                Capture(
                    url: url,
                    date: document.fetchedAt,
                    kind: DocumentSniffer.kind(of: document),
                    location: .file(file.path)
                )
            )
        }
    }

    private mutating func scanWARC(_ path: String, store: ArchiveStore) throws {
        let reader: WARCReader
        do {
            reader = try WARCReader(path: path, options: ArchiveStore.readerOptions)
        } catch {
            throw RunError("\(error)")
        }
        let file = self.addFile(path)
        store.register(file: file, path: path)
        var lastOffset: Int64 = -1
        while let item = reader.next() {
            let record: WARCRecord
            switch item {
            case .failure(let fault):
                self.addFault(fault)
                continue
            case .success(let read):
                record = read
            }
            store.resolver.note(record)
            if reader.isCompressed && record.location.offset == lastOffset { self.markStreamed(file) }
            lastOffset = record.location.offset
            guard let url = record.targetURI, let date = record.date else { continue }
            let document: FetchedDocument?
            if record.type == .revisit {
                document = store.revisitDocument(record).flatMap { try? $0.get() }
            } else {
                document = record.fetchedDocument
            }
            guard let document else { continue }
            self.add(
                Capture(
                    url: url,
                    date: date,
                    kind: DocumentSniffer.kind(of: document),
                    location: .warc(
                        file: file,
                        offset: record.location.offset,
                        uncompressedOffset: record.location.uncompressedOffset
                    )
                )
            )
        }
    }
}

/// Saved feeds and pages in a folder laid out as `wget --mirror` leaves it:
/// `HOST[:PORT]/PATH`, or `http/HOST/PATH` and `https/HOST/PATH` to name the scheme
/// (https otherwise); `index.html` stands for a path that ends in `/`; a `?query` stays in
/// the file name. The capture time is the file's modification time.
enum SavedDocument {
    static func url(forRelativePath relative: String) -> String? {
        var parts = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var scheme = "https"
        if let first = parts.first, first == "http" || first == "https", parts.count > 1 {
            scheme = first
            parts.removeFirst()
        }
        guard let host = parts.first, !host.isEmpty else { return nil }
        var path = parts.dropFirst().joined(separator: "/")
        if path == "index.html" || path.hasSuffix("/index.html") { path = String(path.dropLast("index.html".count)) }
        let url = "\(scheme)://\(host)/\(path)"
        return WebURL.isWeb(url) ? url : nil
    }

    static func read(path: String, url: String) throws -> FetchedDocument {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError("\(path): cannot be read")
        }
        var headers = HTTPHeaders()
        let name = path.lowercased()
        if name.hasSuffix(".html") || name.hasSuffix(".htm") {
            headers.add(name: "Content-Type", value: "text/html")
        } else if name.hasSuffix(".json") {
            headers.add(name: "Content-Type", value: "application/json")
        }
        return FetchedDocument(
            requestedURL: url,
            headers: headers,
            body: [UInt8](data),
            fetchedAt: (attributes[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
        )
    }
}
