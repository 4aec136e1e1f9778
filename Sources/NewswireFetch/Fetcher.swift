internal import CCurl

/// The libcurl fetcher (being written).
public final class Fetcher {
    /// Initialises libcurl's global state. Call once at process start, before any thread
    /// (curl_global_init(3): "not thread safe").
    public static func initializeGlobalState() {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }
}
