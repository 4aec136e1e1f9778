/// The stable `id` of an article: a hash of its canonical URL.
public enum ArticleIdentity {
    /// 16 hex digits of the 64-bit FNV-1a hash of the canonical URL's UTF-8 bytes: the same
    /// on every platform and in every run.
    public static func id(forCanonicalURL url: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in url.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
