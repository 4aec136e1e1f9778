import Foundation
import NewswireCore
public import NewswireMarkup
import NewswireSink
import Yams

/// A pipeline file that cannot be used, with the place of the fault.
public struct PipelineFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line, when the fault has a place.
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var place = self.file
        if let line = self.line { place += ":\(line)" }
        if let column = self.column { place += ":\(column)" }
        return "\(place): \(self.message)"
    }
}

/// Reads pipeline files (`pipelines/*.yaml`).
///
/// Unknown keys and bad values are errors naming the file and line. `${NAME}` in a value
/// is replaced by the environment variable NAME (an error if unset). Relative paths are
/// resolved against the pipeline file's folder.
public enum PipelineFile {
    static let topLevelKeys = [
        "name", "feeds", "opml", "allow_networks", "output", "errors", "state", "pages", "entities", "fetch", "dedup",
        "since", "max_items", "keep", "drop", "tags",
        "sitemaps", "sitemap", "discover", "watch", "output_rotate", "archive", "politeness", "robots",
    ]
    static let watchKeys = [
        "min_interval", "max_interval", "initial_interval", "jitter", "failure_backoff", "drain_s", "listen",
        "concurrency", "lease_s",
    ]
    static let sitemapKeys = ["recent_hours", "max_entries", "order", "max_depth", "any_site"]
    static let fetchKeys = [
        "user_agent", "timeout_s", "connect_timeout_s", "max_body_bytes", "max_redirects", "max_connections_per_host",
        "headers", "cookies", "auth", "proxy",
    ]
    static let feedKeys = [
        "url", "name", "user_agent", "headers", "cookies", "auth", "proxy", "pages", "max_items", "since", "keep",
        "drop", "tags", "min_interval", "max_interval",
    ]
    static let dedupKeys = ["mode", "window_days"]
    static let archiveKeys = ["dir", "rotate_bytes"]
    static let politenessKeys = ["per_host_connections", "per_host_delay_ms", "max_attempts", "max_retry_wait_s"]

    /// Loads and checks the pipeline file at `path`.
    ///
    /// - Throws: ``PipelineFileError``.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PipelineConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineFileError(file: path, message: "cannot read the pipeline file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineFileError(file: path, message: "the pipeline file is not UTF-8 text")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try self.parse(text, file: path, folder: folder, environment: environment)
    }

    /// Parses pipeline YAML `text`; `file` names it in errors, `folder` anchors relative paths.
    public static func parse(
        _ text: String,
        file: String,
        folder: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PipelineConfiguration {
        let reader = Reader(file: file, folder: folder, environment: environment)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PipelineFileError(file: file, message: "the pipeline file is empty")
            }
            root = node
        } catch let error as YamlError {
            throw reader.yamlError(error)
        }
        return try reader.configuration(from: root)
    }
}

private struct Reader {
    let file: String
    let folder: String
    let environment: [String: String]

    func fail(_ node: Node?, _ message: String) -> PipelineFileError {
        PipelineFileError(file: self.file, line: node?.mark?.line, column: node?.mark?.column, message: message)
    }

    func yamlError(_ error: YamlError) -> PipelineFileError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return PipelineFileError(file: self.file, line: mark.line, column: mark.column, message: "YAML: \(problem)")
        default:
            return PipelineFileError(file: self.file, message: "YAML: \(error)")
        }
    }

    func mapping(_ node: Node, allowed: [String], what: String) throws -> [(String, Node, Node)] {
        guard case .mapping(let mapping) = node else {
            throw self.fail(node, "\(what) must be a mapping of keys to values")
        }
        var seen = Set<String>()
        var result: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw self.fail(keyNode, "keys must be strings") }
            guard allowed.contains(key) else {
                throw self.fail(
                    keyNode,
                    "unknown key '\(key)' in \(what) (expected one of: \(allowed.joined(separator: ", ")))"
                )
            }
            guard seen.insert(key).inserted else { throw self.fail(keyNode, "key '\(key)' appears twice") }
            result.append((key, keyNode, value))
        }
        return result
    }

    func string(_ node: Node, _ key: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw self.fail(node, "'\(key)' must be a string") }
        return try self.expand(scalar.string, node)
    }

    func path(_ node: Node, _ key: String) throws -> String {
        let value = try self.string(node, key)
        guard !value.isEmpty else { throw self.fail(node, "'\(key)' must not be empty") }
        if value == "-" || value.hasPrefix("/") || value.contains("://") { return value }
        return self.folder.isEmpty ? value : URL(fileURLWithPath: self.folder).appendingPathComponent(value).path
    }

    func number(_ node: Node, _ key: String, range: ClosedRange<Double>) throws -> Double {
        let text = try self.string(node, key)
        guard let value = Double(text), range.contains(value) else {
            throw self.fail(
                node,
                "'\(key)' must be a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound)), not '\(text)'"
            )
        }
        return value
    }

    func integer(_ node: Node, _ key: String, range: ClosedRange<Int>) throws -> Int {
        let text = try self.string(node, key)
        guard let value = Int(text), range.contains(value) else {
            throw self.fail(
                node,
                "'\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'"
            )
        }
        return value
    }

    func boolean(_ node: Node, _ key: String) throws -> Bool {
        let text = try self.string(node, key)
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw self.fail(node, "'\(key)' must be true or false, not '\(text)'")
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// Replaces `${NAME}` with the environment variable NAME.
    func expand(_ text: String, _ node: Node) throws -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw self.fail(node, "unclosed '${' in '\(text)'")
            }
            let name = String(rest[start.upperBound..<end])
            guard let value = self.environment[name] else {
                throw self.fail(node, "environment variable '\(name)' is not set")
            }
            result += value
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    func url(_ node: Node, _ key: String) throws -> String {
        let value = try self.string(node, key)
        guard WebURL.isWeb(value) else {
            throw self.fail(node, "'\(value)' is not an http or https URL")
        }
        return value
    }

    func configuration(from root: Node) throws -> PipelineConfiguration {
        var configuration = PipelineConfiguration(output: "-")
        var feedsNode: Node?
        var outputRotateNode: Node?
        for (key, _, value) in try self.mapping(root, allowed: PipelineFile.topLevelKeys, what: "the pipeline") {
            switch key {
            case "name": configuration.name = try self.string(value, key)
            case "feeds": feedsNode = value
            case "opml": configuration.opml = try self.path(value, key)
            case "allow_networks":
                guard case .sequence(let sequence) = value else {
                    throw self.fail(value, "'allow_networks' must be a list of CIDR blocks such as 127.0.0.0/8")
                }
                configuration.allowNetworks = try sequence.map { item in
                    let text = try self.string(item, key)
                    guard CIDR(text) != nil else {
                        throw self.fail(item, "'\(text)' is not a CIDR block such as 127.0.0.0/8")
                    }
                    return text
                }
            case "output": configuration.output = try self.path(value, key)
            case "errors": configuration.errors = try self.path(value, key)
            case "state": configuration.state = try self.path(value, key)
            case "archive": try self.archive(value, into: &configuration)
            case "pages":
                let text = try self.string(value, key)
                guard let mode = PageMode(rawValue: text) else {
                    throw self.fail(value, "'pages' must be 'always', 'missing' or 'never', not '\(text)'")
                }
                configuration.pages = mode
            case "entities": configuration.entities = try self.boolean(value, key)
            case "since", "max_items", "keep", "drop", "tags":
                try self.feedSetting(key, value, into: &configuration.feedDefaults)
            case "fetch":
                try self.fetchOptions(value, into: &configuration.fetch, defaults: &configuration.feedDefaults)
            case "politeness": try self.politeness(value, into: &configuration.fetch)
            case "robots": configuration.fetch.obeysRobots = try self.boolean(value, key)
            case "discover":
                let nodes: [Node]
                if case .sequence(let sequence) = value { nodes = Array(sequence) } else { nodes = [value] }
                for node in nodes {
                    let text = try self.string(node, key)
                    guard let kind = DiscoveryKind(rawValue: text) else {
                        throw self.fail(node, "'discover' takes 'feeds' and 'sitemaps', not '\(text)'")
                    }
                    configuration.discover.insert(kind)
                }
            case "sitemaps":
                guard case .sequence(let sequence) = value else {
                    throw self.fail(value, "'sitemaps' must be a list of sitemap or sitemap-index URLs")
                }
                configuration.sitemaps = try sequence.map { try self.url($0, key) }
            case "sitemap": configuration.sitemapOptions = try self.sitemapOptions(value)
            case "watch": configuration.watch = try self.watchOptions(value)
            case "output_rotate":
                var values: [String: String] = [:]
                var nodes: [String: Node] = [:]
                for (rotateKey, _, rotateValue) in try self.mapping(
                    value,
                    allowed: RotationPolicy.keys,
                    what: "'output_rotate'"
                ) {
                    values[rotateKey] = try self.string(rotateValue, rotateKey)
                    nodes[rotateKey] = rotateValue
                }
                do {
                    configuration.outputRotate = try RotationPolicy(values: values)
                } catch let error as RotationPolicy.Error {
                    throw self.fail(error.key.flatMap { nodes[$0] } ?? value, error.message)
                }
                outputRotateNode = value
            case "dedup":
                for (dedupKey, _, dedupValue) in try self.mapping(
                    value,
                    allowed: PipelineFile.dedupKeys,
                    what: "'dedup'"
                ) {
                    switch dedupKey {
                    case "mode":
                        let text = try self.string(dedupValue, dedupKey)
                        guard let mode = PipelineConfiguration.DedupMode(rawValue: text) else {
                            throw self.fail(dedupValue, "'mode' must be 'annotate' or 'drop', not '\(text)'")
                        }
                        configuration.dedupMode = mode
                    default:
                        configuration.dedupWindowDays = try self.integer(dedupValue, dedupKey, range: 1...3650)
                    }
                }
            default: break
            }
        }
        if let feedsNode {
            configuration.feeds = try self.feeds(feedsNode)
        }
        if let opml = configuration.opml {
            configuration.feeds += try self.opmlFeeds(opml)
        }
        if configuration.outputRotate != nil {
            guard configuration.output != "-" else {
                throw self.fail(outputRotateNode, "'output_rotate' needs 'output:' to be a file-name pattern, not '-'")
            }
            do {
                _ = try OutputPattern(configuration.output)
            } catch {
                throw self.fail(outputRotateNode, "'output' with 'output_rotate': \(error)")
            }
        }
        if let problem = configuration.backendProblem { throw self.fail(root, problem) }
        // `feeds: []` written out: replay every feed of an archive.
        var listsNone = false
        if case .sequence(let sequence)? = feedsNode, sequence.isEmpty { listsNone = true }
        guard !configuration.feeds.isEmpty || !configuration.sitemaps.isEmpty || listsNone else {
            throw self.fail(feedsNode ?? root, "the pipeline names no feeds (give 'feeds:', 'opml:' or 'sitemaps:')")
        }
        return configuration
    }

    /// `archive: DIR`, or `archive: {dir: DIR, rotate_bytes: SIZE}` (a size as in
    /// `output_rotate`: `64MB`, `1GiB`, a number of bytes).
    func archive(_ node: Node, into configuration: inout PipelineConfiguration) throws {
        guard case .mapping = node else {
            configuration.archive = try self.path(node, "archive")
            return
        }
        var directory: String?
        for (key, _, value) in try self.mapping(node, allowed: PipelineFile.archiveKeys, what: "'archive'") {
            switch key {
            case "dir": directory = try self.path(value, key)
            default:
                let text = try self.string(value, key)
                guard let bytes = RotationPolicy.byteCount(text), bytes >= 1 else {
                    throw self.fail(value, "'rotate_bytes' must be a size such as 100000000 or 64MB, not '\(text)'")
                }
                configuration.archiveRotateBytes = bytes
            }
        }
        guard let directory else { throw self.fail(node, "'archive' needs 'dir:', the folder of the WARC files") }
        configuration.archive = directory
    }

    func feeds(_ node: Node) throws -> [PipelineConfiguration.FeedSource] {
        guard case .sequence(let sequence) = node else {
            throw self.fail(node, "'feeds' must be a list of URLs or {url, name} entries")
        }
        return try sequence.map { item in
            switch item {
            case .scalar:
                return PipelineConfiguration.FeedSource(url: try self.url(item, "feeds"))
            case .mapping:
                var url: String?
                var name: String?
                var settings = FeedSettings()
                for (key, _, value) in try self.mapping(item, allowed: PipelineFile.feedKeys, what: "a feed") {
                    switch key {
                    case "url": url = try self.url(value, key)
                    case "name": name = try self.string(value, key)
                    default: try self.feedSetting(key, value, into: &settings)
                    }
                }
                guard let url else { throw self.fail(item, "a feed entry needs 'url'") }
                return PipelineConfiguration.FeedSource(url: url, name: name, settings: settings)
            default:
                throw self.fail(item, "a feed is a URL or a mapping with 'url' and 'name'")
            }
        }
    }

    func opmlFeeds(_ path: String) throws -> [PipelineConfiguration.FeedSource] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineFileError(file: self.file, message: "cannot read the OPML file \(path)")
        }
        let feeds = OPML.subscriptions(in: [UInt8](data)).map { PipelineConfiguration.FeedSource(subscription: $0) }
        guard !feeds.isEmpty else { throw PipelineFileError(file: path, message: "the OPML file lists no feeds") }
        return feeds
    }

    func watchOptions(_ node: Node) throws -> WatchOptions {
        var options = WatchOptions()
        for (key, _, value) in try self.mapping(node, allowed: PipelineFile.watchKeys, what: "'watch'") {
            switch key {
            case "min_interval": options.policy.minInterval = try self.duration(value, key)
            case "max_interval": options.policy.maxInterval = try self.duration(value, key)
            case "initial_interval": options.policy.initialInterval = try self.duration(value, key)
            case "failure_backoff": options.policy.failureBackoff = try self.duration(value, key)
            case "jitter": options.policy.jitter = try self.number(value, key, range: 0...0.5)
            case "drain_s": options.drainSeconds = try self.number(value, key, range: 0...3600)
            case "concurrency": options.concurrency = try self.integer(value, key, range: 1...4096)
            case "lease_s": options.leaseSeconds = try self.number(value, key, range: 1...3600)
            default:
                let text = try self.string(value, key)
                if text.isEmpty || text == "off" || text == "false" {
                    options.listen = nil
                } else {
                    guard WatchOptions.hostAndPort(text) != nil else {
                        throw self.fail(value, "'listen' must be HOST:PORT such as 127.0.0.1:9464, or off")
                    }
                    options.listen = text
                }
            }
        }
        guard options.policy.minInterval <= options.policy.maxInterval else {
            throw self.fail(node, "'min_interval' must not be longer than 'max_interval'")
        }
        return options
    }

    /// A duration such as `90s`, `5m`, `2h`, `1d`, or a number of seconds.
    func duration(_ node: Node, _ key: String) throws -> Double {
        let text = try self.string(node, key)
        guard case .duration(let seconds)? = Since(Double(text) != nil ? text + "s" : text), seconds > 0 else {
            throw self.fail(node, "'\(key)' must be a duration such as 5m or 2h, not '\(text)'")
        }
        return seconds
    }

    func sitemapOptions(_ node: Node) throws -> SitemapSource.Options {
        var options = SitemapSource.Options()
        for (key, _, value) in try self.mapping(node, allowed: PipelineFile.sitemapKeys, what: "'sitemap'") {
            switch key {
            case "recent_hours": options.recentSeconds = try self.number(value, key, range: 0.01...87_600) * 3600
            case "max_entries": options.maxEntries = try self.integer(value, key, range: 1...10_000_000)
            case "max_depth": options.sitemap.maxDepth = try self.integer(value, key, range: 0...10)
            case "any_site": options.sitemap.anySite = try self.boolean(value, key)
            default:
                let text = try self.string(value, key)
                guard let order = SitemapSource.Options.Order(rawValue: text) else {
                    throw self.fail(value, "'order' must be 'newest' or 'document', not '\(text)'")
                }
                options.order = order
            }
        }
        return options
    }

    func fetchOptions(_ node: Node, into options: inout FetchOptions, defaults: inout FeedSettings) throws {
        for (key, _, value) in try self.mapping(node, allowed: PipelineFile.fetchKeys, what: "'fetch'") {
            switch key {
            case "headers", "cookies", "auth", "proxy": try self.feedSetting(key, value, into: &defaults)
            case "user_agent": options.userAgent = try self.string(value, key)
            case "timeout_s": options.timeout = try self.number(value, key, range: 0.1...3600)
            case "connect_timeout_s": options.connectTimeout = try self.number(value, key, range: 0.1...600)
            case "max_body_bytes": options.maxBodyBytes = try self.integer(value, key, range: 1024...(1 << 31))
            case "max_redirects": options.maxRedirects = try self.integer(value, key, range: 0...50)
            default: options.maxConnectionsPerHost = try self.integer(value, key, range: 1...64)
            }
        }
    }

    /// The `politeness:` section: per-host limits and retries (`per_host_connections` is
    /// the same setting as `fetch.max_connections_per_host`).
    func politeness(_ node: Node, into options: inout FetchOptions) throws {
        for (key, _, value) in try self.mapping(node, allowed: PipelineFile.politenessKeys, what: "'politeness'") {
            switch key {
            case "per_host_connections": options.maxConnectionsPerHost = try self.integer(value, key, range: 1...64)
            case "per_host_delay_ms": options.perHostDelay = try self.number(value, key, range: 0...600_000) / 1000
            case "max_attempts": options.maxAttempts = try self.integer(value, key, range: 1...10)
            default: options.maxRetryWait = try self.number(value, key, range: 0...86_400)
            }
        }
    }
}

extension Reader {
    /// Reads one per-feed setting (also allowed for all feeds) into `settings`.
    func feedSetting(_ key: String, _ value: Node, into settings: inout FeedSettings) throws {
        switch key {
        case "user_agent": settings.request.userAgent = try self.string(value, key)
        case "headers":
            for (name, nameNode, headerValue) in try self.freeMapping(value, what: "'headers'") {
                guard !name.isEmpty, !name.contains(":"), !name.contains(where: \.isWhitespace) else {
                    throw self.fail(nameNode, "'\(name)' is not an HTTP header name")
                }
                settings.request.headers.append((name, try self.string(headerValue, name)))
            }
        case "cookies": settings.request.cookies = try self.string(value, key)
        case "auth":
            var user: String?
            var password: String?
            for (authKey, _, authValue) in try self.mapping(value, allowed: ["user", "password"], what: "'auth'") {
                if authKey == "user" {
                    user = try self.string(authValue, authKey)
                } else {
                    password = try self.string(authValue, authKey)
                }
            }
            guard let user, let password else { throw self.fail(value, "'auth' needs 'user' and 'password'") }
            settings.request.auth = BasicAuth(user: user, password: password)
        case "proxy": settings.request.proxy = try self.string(value, key)
        case "pages":
            let text = try self.string(value, key)
            guard let mode = PageMode(rawValue: text) else {
                throw self.fail(value, "'pages' must be 'always', 'missing' or 'never', not '\(text)'")
            }
            settings.pages = mode
        case "max_items": settings.maxItems = try self.integer(value, key, range: 1...1_000_000)
        case "since":
            let text = try self.string(value, key)
            guard let since = Since(text) else {
                throw self.fail(
                    value,
                    "'since' must be a duration such as 48h, 30m or 7d, or an RFC 3339 time, not '\(text)'"
                )
            }
            settings.since = since
        case "keep", "drop":
            for (fieldName, fieldNode, patterns) in try self.freeMapping(value, what: "'\(key)'") {
                guard let field = ItemFilter.Field(rawValue: fieldName) else {
                    let fields = ItemFilter.Field.allCases.map(\.rawValue).joined(separator: ", ")
                    throw self.fail(fieldNode, "unknown field '\(fieldName)' in '\(key)' (expected one of: \(fields))")
                }
                let nodes: [Node]
                if case .sequence(let sequence) = patterns { nodes = Array(sequence) } else { nodes = [patterns] }
                var compiled: [ItemFilter.Pattern] = []
                for node in nodes {
                    let text = try self.string(node, fieldName)
                    do {
                        compiled.append(try ItemFilter.Pattern(text))
                    } catch let error as ItemFilterError {
                        throw self.fail(node, "\(error)")
                    }
                }
                if key == "keep" {
                    settings.filter.keep[field, default: []] += compiled
                } else {
                    settings.filter.drop[field, default: []] += compiled
                }
            }
        case "tags":
            let nodes: [Node]
            if case .sequence(let sequence) = value { nodes = Array(sequence) } else { nodes = [value] }
            for node in nodes {
                let tag = try self.string(node, key).trimmingCharacters(in: .whitespaces)
                guard !tag.isEmpty else { throw self.fail(node, "a tag must not be empty") }
                if !settings.tags.contains(tag) { settings.tags.append(tag) }
            }
        case "min_interval", "max_interval":
            let text = try self.string(value, key)
            guard case .duration(let seconds)? = Since(Double(text) != nil ? text + "s" : text), seconds > 0 else {
                throw self.fail(value, "'\(key)' must be a duration such as 5m or 2h, not '\(text)'")
            }
            if key == "min_interval" { settings.minInterval = seconds } else { settings.maxInterval = seconds }
        default:
            throw self.fail(value, "unknown feed setting '\(key)'")
        }
    }

    /// A mapping whose keys are the user's own (header names, filter fields).
    func freeMapping(_ node: Node, what: String) throws -> [(String, Node, Node)] {
        guard case .mapping(let mapping) = node else { throw self.fail(node, "\(what) must be a mapping") }
        return try mapping.map { keyNode, value in
            guard let key = keyNode.string else { throw self.fail(keyNode, "keys must be strings") }
            return (key, keyNode, value)
        }
    }
}

extension Node {
    fileprivate var string: String? {
        if case .scalar(let scalar) = self { return scalar.string }
        return nil
    }
}

extension PipelineConfiguration.FeedSource {
    /// A feed of an OPML file: its title as the name, its categories and folders as tags.
    public init(subscription: OPML.Subscription) {
        var settings = FeedSettings()
        settings.tags = subscription.categories
        self.init(url: subscription.feedURL, name: subscription.title, settings: settings)
    }
}
