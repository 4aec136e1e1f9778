import NewswireCore

#if canImport(Glibc)
import Glibc
#endif

// The per-page budget of the extractor. Bodies are bounded by the fetcher's size limit, but
// a page under it can still hold megabytes of text: the record keeps at most `maxTextBytes`
// of it, and a page whose extraction spends more than `cpuBudgetSeconds` of CPU becomes a
// `limit` error instead of holding up the extract queue.
extension ArticleExtractor {
    /// Bytes of article text a record keeps at most (about 80,000 words); the text is cut at
    /// the last paragraph break before it.
    public static let maxTextBytes = 500_000

    /// CPU seconds (of the calling thread) one page may cost the extractor.
    public static let cpuBudgetSeconds = 2.0

    /// `text` cut to ``maxTextBytes`` at a paragraph break (else a space), and whether it was cut.
    public static func withinTextBudget(_ text: String) -> (text: String, capped: Bool) {
        guard text.utf8.count > Self.maxTextBytes else { return (text, false) }
        let utf8 = Array(text.utf8.prefix(Self.maxTextBytes))
        var end = utf8.count
        if let breakIndex = Self.lastIndex(of: [0x0A, 0x0A], in: utf8) {
            end = breakIndex
        } else if let space = utf8.lastIndex(of: 0x20) {
            end = space
        }
        // Never end inside a multi-byte sequence.
        while end > 0 && end < utf8.count && utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return (String(decoding: utf8[..<end], as: UTF8.self), true)
    }

    /// The CPU time the calling thread has used, in seconds (CLOCK_THREAD_CPUTIME_ID), so
    /// a loaded machine does not make a page look expensive.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Throws a `limit` error when the page has used more than its CPU budget since `start`.
    static func checkCPUBudget(since start: Double, after stage: String) throws {
        let spent = Self.threadCPUSeconds() - start
        if spent > Self.cpuBudgetSeconds {
            let rounded = (spent * 10).rounded() / 10
            throw StageError(
                .limit,
                "extraction used \(rounded) s of CPU by the end of \(stage), over the \(Self.cpuBudgetSeconds) s budget"
            )
        }
    }

    private static func lastIndex(of pair: [UInt8], in bytes: [UInt8]) -> Int? {
        var index = bytes.count - 2
        while index >= 0 {
            if bytes[index] == pair[0] && bytes[index + 1] == pair[1] { return index }
            index -= 1
        }
        return nil
    }
}
