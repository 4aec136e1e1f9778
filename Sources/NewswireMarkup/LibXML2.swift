internal import CLibXML2

/// Process-wide set-up of libxml2.
public enum LibXML2 {
    /// Initialises libxml2's global state. Call once at process start, before any thread
    /// parses (xmlInitParser(3): "this function is not reentrant").
    public static func initialize() {
        xmlInitParser()
        clibxml2_silence_errors()
    }

    /// The libxml2 version, e.g. `2.9.14`.
    public static var version: String { String(cString: clibxml2_version()) }
}
