#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The uncompressed bytes of one archive file, seen through a window that slides forward.
///
/// A plain WARC is read straight into the window; a gzipped one (one member per record, or
/// one member for the whole file) is inflated into it, member after member, with zlib's
/// streaming inflate. Memory is the window (grown only to hold the largest record asked
/// for) plus a fixed input buffer, whatever the size of the file. Used by one
/// ``WARCReader``, from one thread.
final class ArchiveInput {
    let path: String
    let isGzip: Bool
    private let fd: Int32

    // Compressed input (gzip only).
    private let raw: UnsafeMutableRawPointer
    private let rawCapacity: Int
    private var rawStart = 0
    private var rawEnd = 0
    /// File offset of `raw[0]`.
    private var rawFileOffset: Int64
    private var fileEOF = false
    private let inflater: Inflater?
    /// libdeflate, for members that are whole in the input buffer (nil: zlib only).
    private let wholeMembers: MemberDecompressor?
    /// File offset of the member being inflated, when inside one.
    private var memberStart: Int64?

    /// The uncompressed window: `window[start..<end]` is read but not yet consumed.
    private(set) var window: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var start = 0
    private(set) var end = 0
    /// Uncompressed offset of `window[0]`, counted from where reading began.
    private(set) var windowBase: Int64
    /// True once no more bytes will come.
    private(set) var finished = false

    /// Gzip members seen: uncompressed offset where each began, and its file offset.
    private var members: [(uncompressed: Int64, file: Int64)] = []
    private var membersHead = 0
    /// Faults of the gzip layer, for the reader to hand out.
    var faults: [WARCError] = []

    /// Bytes produced per fill: small enough that what is parsed is still in cache.
    private let fillChunk = 1 << 18

    init(path: String, offset: Int64, fastMembers: Bool) throws(WARCError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw WARCError(code: .io, path: path, offset: offset, message: String(cString: strerror(errno)))
        }
        if offset > 0, lseek(fd, off_t(offset), SEEK_SET) < 0 {
            let message = String(cString: strerror(errno))
            close(fd)
            throw WARCError(code: .io, path: path, offset: offset, message: message)
        }
        self.fd = fd
        self.rawFileOffset = offset
        self.windowBase = offset
        self.capacity = 1 << 20
        self.window = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 64)
        self.rawCapacity = 1 << 18
        self.raw = UnsafeMutableRawPointer.allocate(byteCount: self.rawCapacity, alignment: 64)
        // Sniff the gzip magic (RFC 1952 §2.3.1: 1f 8b 08), not the file name. A file that
        // starts with neither a record nor a member, but has a member soon after, is gzip with
        // garbage in front: reported, then read from that member.
        let head = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { head.deallocate() }
        let got = max(0, pread(fd, head.baseAddress, head.count, off_t(offset)))
        let sniffed = UnsafeRawBufferPointer(rebasing: head[0..<got])
        var gzipStart: Int? = nil
        if ByteScanning.hasPrefix("\u{1f}\u{8b}", in: sniffed, at: 0) {
            gzipStart = 0
        } else if !ByteScanning.hasPrefix("WARC/", in: sniffed, at: 0) {
            var from = 0
            while let hit = ByteScanning.find(0x1f, in: sniffed, from: from, to: got - 2) {
                if sniffed[hit + 1] == 0x8b && sniffed[hit + 2] == 0x08 {
                    gzipStart = hit
                    break
                }
                from = hit + 1
            }
        }
        self.isGzip = gzipStart != nil
        if let gzipStart, gzipStart > 0 {
            self.faults.append(
                WARCError(
                    code: .garbage,
                    path: path,
                    offset: offset,
                    message: "\(gzipStart) bytes before the first gzip member"
                )
            )
            self.rawFileOffset = offset + Int64(gzipStart)
            lseek(fd, off_t(self.rawFileOffset), SEEK_SET)
        }
        if self.isGzip {
            guard let inflater = Inflater(format: .gzip) else {
                close(fd)
                self.window.deallocate()
                self.raw.deallocate()
                throw WARCError(code: .gzip, path: path, offset: offset, message: "zlib inflateInit2 failed")
            }
            self.inflater = inflater
            self.wholeMembers = fastMembers ? MemberDecompressor() : nil
            // Uncompressed offsets of a gzipped file count from where reading began.
            self.windowBase = 0
        } else {
            self.inflater = nil
            self.wholeMembers = nil
        }
    }

    deinit {
        close(self.fd)
        self.window.deallocate()
        self.raw.deallocate()
    }

    /// Starts reading again at file offset `offset`, the start of a record or of its gzip
    /// member, keeping the buffers (and the compressed bytes already read, when `offset`
    /// falls among them).
    ///
    /// - Returns: false when the file cannot be positioned there (a fault is queued).
    func reposition(to offset: Int64) -> Bool {
        self.inflater?.reset()
        self.memberStart = nil
        self.members.removeAll(keepingCapacity: true)
        self.membersHead = 0
        self.faults.removeAll()
        self.finished = false
        self.start = 0
        self.end = 0
        self.releaseLargeWindow()
        if self.isGzip && offset >= self.rawFileOffset && offset < self.rawFileOffset + Int64(self.rawEnd) {
            // Already in the input buffer: a replay reads records mostly in file order.
            self.rawStart = Int(offset - self.rawFileOffset)
            self.windowBase = 0
            return true
        }
        guard lseek(self.fd, off_t(offset), SEEK_SET) >= 0 else {
            self.faults.append(self.fault(.io, at: offset, String(cString: strerror(errno))))
            self.finished = true
            return false
        }
        self.rawFileOffset = offset
        self.rawStart = 0
        self.rawEnd = 0
        self.fileEOF = false
        self.windowBase = self.isGzip ? 0 : offset
        return true
    }

    /// Bytes available in the window.
    var available: Int { self.end - self.start }

    /// Uncompressed offset of the first unconsumed byte.
    var position: Int64 { self.windowBase + Int64(self.start) }

    /// File offset of the record starting at uncompressed offset `position`: the start of its
    /// gzip member, or the position itself for a plain file.
    func fileOffset(of position: Int64, forget: Bool = true) -> Int64 {
        guard self.isGzip else { return position }
        var best: Int64 = self.members.isEmpty ? self.rawFileOffset : self.members[self.membersHead].file
        var index = self.membersHead
        while index < self.members.count, self.members[index].uncompressed <= position {
            best = self.members[index].file
            index += 1
        }
        // Members that began before this one can no longer be asked for.
        if forget && index - 1 > self.membersHead {
            self.membersHead = index - 1
            if self.membersHead > 1024 {
                self.members.removeFirst(self.membersHead)
                self.membersHead = 0
            }
        }
        return best
    }

    /// Makes at least `count` bytes available, reading and inflating as needed.
    ///
    /// - Returns: false when the file ends first (what there is stays available).
    func ensure(_ count: Int) -> Bool {
        while self.end - self.start < count {
            if self.finished { return false }
            self.makeRoom(for: count)
            self.fill()
        }
        return true
    }

    /// Reads or inflates one more piece; returns false when nothing more will come.
    @discardableResult
    func more() -> Bool {
        if self.finished { return false }
        let before = self.end - self.start
        self.makeRoom(for: before + self.fillChunk)
        while !self.finished && self.end - self.start == before {
            self.fill()
        }
        return self.end - self.start > before
    }

    /// Consumes `count` available bytes.
    func consume(_ count: Int) {
        precondition(count <= self.end - self.start)
        self.start += count
    }

    /// Makes `window[start...]` able to hold `count` bytes plus one fill.
    private func makeRoom(for count: Int) {
        let needed = max(count, self.end - self.start) + self.fillChunk
        if self.capacity - self.start >= needed && self.capacity - self.end >= self.fillChunk / 4 { return }
        // Slide the unconsumed bytes to the front.
        let live = self.end - self.start
        if self.start > 0 {
            if live > 0 { memmove(self.window, self.window + self.start, live) }
            self.windowBase += Int64(self.start)
            self.start = 0
            self.end = live
        }
        if self.capacity < needed {
            var newCapacity = self.capacity
            while newCapacity < needed { newCapacity *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 64)
            if live > 0 { memcpy(grown, self.window, live) }
            self.window.deallocate()
            self.window = grown
            self.capacity = newCapacity
        }
    }

    /// Shrinks the window back after a large record, once it is consumed.
    func releaseLargeWindow() {
        let normal = 1 << 20
        guard self.capacity > normal * 4, self.end - self.start <= normal / 2 else { return }
        let live = self.end - self.start
        let smaller = UnsafeMutableRawPointer.allocate(byteCount: normal, alignment: 64)
        if live > 0 { memcpy(smaller, self.window + self.start, live) }
        self.window.deallocate()
        self.window = smaller
        self.windowBase += Int64(self.start)
        self.start = 0
        self.end = live
        self.capacity = normal
    }

    private func fill() {
        let room = min(self.capacity - self.end, self.fillChunk)
        precondition(room > 0)
        if self.isGzip {
            self.inflateSome(room)
        } else {
            let got = read(self.fd, self.window + self.end, room)
            if got > 0 {
                self.end += got
            } else if got == 0 {
                self.finished = true
            } else if errno != EINTR {
                self.faults.append(self.fault(.io, at: self.position, String(cString: strerror(errno))))
                self.finished = true
            }
        }
    }

    /// Reads more compressed bytes; returns false at the end of the file.
    private func readRaw() -> Bool {
        if self.fileEOF { return false }
        if self.rawStart > 0 {
            let live = self.rawEnd - self.rawStart
            if live > 0 { memmove(self.raw, self.raw + self.rawStart, live) }
            self.rawFileOffset += Int64(self.rawStart)
            self.rawStart = 0
            self.rawEnd = live
        }
        guard self.rawEnd < self.rawCapacity else { return true }
        while true {
            let got = read(self.fd, self.raw + self.rawEnd, self.rawCapacity - self.rawEnd)
            if got > 0 {
                self.rawEnd += got
                return true
            }
            if got < 0 && errno == EINTR { continue }
            if got < 0 {
                self.faults.append(
                    self.fault(.io, at: self.rawFileOffset + Int64(self.rawEnd), String(cString: strerror(errno)))
                )
            }
            self.fileEOF = true
            return false
        }
    }

    /// Inflates up to `room` bytes into the window, crossing member boundaries.
    private func inflateSome(_ room: Int) {
        guard let inflater = self.inflater else { return }
        let target = self.end + room
        while self.end < target {
            if self.rawStart == self.rawEnd && !self.readRaw() {
                if let memberStart = self.memberStart {
                    // Either the file was cut inside this member, or damage made it swallow the
                    // members after it (a bogus stored block, say): look for one after its start.
                    self.memberStart = nil
                    inflater.reset()
                    self.skipToNextMember(after: memberStart)
                    if self.rawStart < self.rawEnd {
                        self.faults.append(
                            self.fault(
                                .gzip,
                                at: memberStart,
                                "corrupt gzip member: it runs on over the members after it"
                            )
                        )
                        continue
                    }
                    self.faults.append(self.fault(.truncated, at: memberStart, "the file ends inside a gzip member"))
                }
                self.finished = true
                return
            }
            if self.memberStart == nil, let wholeMembers = self.wholeMembers {
                // Keep the input buffer at least half full, so that a member of a normal
                // record is whole in it; then try it in one go.
                if self.rawEnd - self.rawStart < self.rawCapacity / 2 { _ = self.readRaw() }
                let input = UnsafeRawBufferPointer(start: self.raw + self.rawStart, count: self.rawEnd - self.rawStart)
                let output = UnsafeMutableRawBufferPointer(
                    start: self.window + self.end,
                    count: self.capacity - self.end
                )
                if case .done(let consumed, let produced) = wholeMembers.decompressMember(input, into: output) {
                    self.members.append((self.windowBase + Int64(self.end), self.rawFileOffset + Int64(self.rawStart)))
                    self.rawStart += consumed
                    self.end += produced
                    continue
                }
            }
            if self.memberStart == nil {
                let offset = self.rawFileOffset + Int64(self.rawStart)
                self.memberStart = offset
                self.members.append((self.windowBase + Int64(self.end), offset))
            }
            let input = UnsafeRawBufferPointer(start: self.raw + self.rawStart, count: self.rawEnd - self.rawStart)
            let output = UnsafeMutableRawBufferPointer(start: self.window + self.end, count: target - self.end)
            let (consumed, produced, status) = inflater.inflate(input, into: output)
            self.rawStart += consumed
            self.end += produced
            switch status {
            case .ok:
                break
            case .streamEnd:
                inflater.reset()
                self.memberStart = nil
            case .needMore:
                // inflate consumes all the input it is given while it has output room, so no
                // progress means the input ran out; the loop reads more.
                if consumed == 0 && produced == 0 && self.rawStart < self.rawEnd && !self.readRaw() {
                    self.rawStart = self.rawEnd
                }
            case .dataError(let message):
                let memberStart = self.memberStart ?? self.rawFileOffset + Int64(self.rawStart)
                self.faults.append(self.fault(.gzip, at: memberStart, "corrupt gzip member: \(message)"))
                inflater.reset()
                self.memberStart = nil
                self.skipToNextMember(after: memberStart)
            }
        }
    }

    /// Drops compressed bytes up to the next gzip member header (1f 8b 08) after `offset`.
    private func skipToNextMember(after offset: Int64) {
        // Search from just after the corrupt member's start, read again from the file: zlib
        // may have taken bytes far past the next member's header (as a bogus stored block, say)
        // before it noticed the damage.
        if offset + 1 < self.rawFileOffset, lseek(self.fd, off_t(offset + 1), SEEK_SET) >= 0 {
            self.rawFileOffset = offset + 1
            self.rawStart = 0
            self.rawEnd = 0
            self.fileEOF = false
        }
        var from = max(0, Int(offset + 1 - self.rawFileOffset))
        self.rawStart = from
        while true {
            from = max(from, 0)
            var index = from
            while index + 2 < self.rawEnd {
                guard let hit = memchr(self.raw + index, 0x1f, self.rawEnd - index - 2) else {
                    index = self.rawEnd - 2
                    break
                }
                let found = self.raw.distance(to: hit)
                let bytes = self.raw.assumingMemoryBound(to: UInt8.self)
                if bytes[found + 1] == 0x8b && bytes[found + 2] == 0x08 {
                    self.rawStart = found
                    return
                }
                index = found + 1
            }
            self.rawStart = max(self.rawStart, min(index, self.rawEnd))
            if !self.readRaw() {
                self.rawStart = self.rawEnd
                return
            }
            from = self.rawStart
        }
    }

    private func fault(_ code: WARCError.Code, at offset: Int64, _ message: String) -> WARCError {
        WARCError(code: code, path: self.path, offset: offset, message: message)
    }
}

@available(*, unavailable)
extension ArchiveInput: Sendable {}
