#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension WARCWriter {
    /// Closes the `.open` files that a writer which did not close (a crash, a kill) left in
    /// `directory`, so that every file there holds whole records only.
    ///
    /// The file that `checkpoint` names is cut back to its committed length: records after
    /// it were written after the last commit and will be fetched and written again. Any
    /// other `.open` file is cut after its last whole record, found by reading it. Each then
    /// gets its final name; one left empty is removed. Call it before starting a writer on
    /// the folder.
    ///
    /// - Returns: the final names of the files closed, in name order.
    /// - Throws: ``WARCError`` (`io`) when a file cannot be cut or renamed.
    @discardableResult
    public static func recover(directory: String, checkpoint: WARCCheckpoint?) throws(WARCError) -> [String] {
        var names: [String] = []
        guard let dir = opendir(directory) else { return [] }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".warc.gz.open") { names.append(name) }
        }
        closedir(dir)
        var recovered: [String] = []
        for openName in names.sorted() {
            let finalName = String(openName.dropLast(".open".count))
            let path = directory + "/" + openName
            let keep: Int64
            if let checkpoint, checkpoint.fileName == finalName {
                keep = checkpoint.offset
            } else {
                keep = Self.lengthOfWholeRecords(path)
            }
            if keep <= 0 {
                unlink(path)
                continue
            }
            if truncate(path, off_t(keep)) != 0 || rename(path, directory + "/" + finalName) != 0 {
                throw WARCError(
                    code: .io,
                    path: path,
                    offset: keep,
                    message: "cannot close a left-open file: \(String(cString: strerror(errno)))"
                )
            }
            recovered.append(finalName)
        }
        return recovered
    }

    /// The length of the leading run of whole, readable records of a per-record-gzip file.
    private static func lengthOfWholeRecords(_ path: String) -> Int64 {
        let options = WARCReader.Options(parseHTTP: false)
        guard let reader = try? WARCReader(path: path, options: options) else { return 0 }
        var size = stat()
        guard stat(path, &size) == 0 else { return 0 }
        for item in reader {
            if case .failure(let error) = item {
                return error.offset
            }
        }
        return Int64(size.st_size)
    }
}
