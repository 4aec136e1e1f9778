import ArgumentParser
import CoreMetrics
import Dispatch
import Foundation
import Logging
import NewswireCore
import NewswireEntities
import NewswireMarkup
import NewswirePipeline
import Prometheus
import Synchronization

/// `newswire watch`: polls a pipeline's feeds on their own schedules until stopped.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Poll a pipeline's feeds on their own schedules, for months, writing each new article once.",
        discussion: """
            Every feed has its own next-poll time in the state file, learned from how
            often it publishes and bounded by watch.min_interval and watch.max_interval;
            conditional GET always; ttl, sy:updatePeriod, skipHours/skipDays,
            Cache-Control, Expires and Retry-After are honoured. A failing feed backs off
            but is never disabled; `newswire status PIPELINE` lists each feed's health
            while the daemon runs.

            Signals: SIGHUP re-reads the pipeline file (feeds added and removed; a bad
            file is logged and ignored); SIGUSR1 makes every feed due now; SIGINT and
            SIGTERM stop taking new work, let polls in flight finish within
            watch.drain_s, commit, and exit 0.

            /metrics (Prometheus text) and /healthz are served on watch.listen
            (default 127.0.0.1:9464; --listen off serves nothing).

            Pipeline keys of the daemon:

              state: state/newsroom.sqlite  # required
              watch:
                min_interval: 5m            # per feed too: min_interval, max_interval
                max_interval: 6h
                initial_interval: 15m       # before anything is learned
                jitter: 0.1                 # ±10% on every interval
                failure_backoff: 1m         # doubles with each failure, up to max_interval
                drain_s: 30
                listen: 127.0.0.1:9464      # or off

            Exit status: 0 after a clean stop or cycle; 2 when the run failed (state,
            output); 64 for bad arguments or a bad pipeline file.

            Examples:
              newswire watch pipelines/newsroom.yaml
              newswire watch pipelines/newsroom.yaml --once
              newswire watch pipelines/newsroom.yaml --log-format json --listen 127.0.0.1:9500
            """
    )

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Flag(help: "Poll every feed that is due once, then exit.")
    var once = false

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var fetchOptions: FetchRunOptions

    @Option(help: "Serve /metrics and /healthz on HOST:PORT, or 'off' (default: watch.listen).")
    var listen: String?

    @Option(help: "Seed of the schedule's jitter, to replay a run.")
    var seed: UInt64?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let listen = self.listen, listen != "off", WatchOptions.hostAndPort(listen) == nil {
            throw ValidationError("--listen must be HOST:PORT such as 127.0.0.1:9464, or off")
        }
    }

    /// The pipeline file with the command line's overrides.
    private func loadConfiguration() throws -> PipelineConfiguration {
        var configuration = try PipelineFile.load(path: self.pipeline)
        self.runOptions.apply(to: &configuration)
        self.fetchOptions.apply(to: &configuration)
        if let listen = self.listen { configuration.watch.listen = listen == "off" ? nil : listen }
        return configuration
    }

    func run() throws {
        let logger = self.global.bootstrap()
        let configuration: PipelineConfiguration
        do {
            configuration = try self.loadConfiguration()
        } catch let error as PipelineFileError {
            FileHandle.standardError.write(Data("newswire: \(error)\n".utf8))
            throw ExitCode(64)
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let metrics = WatchMetrics()

        let stages = RunOptions.stages(for: configuration, logger: logger)
        let pipeline = WatchPipeline(
            configuration: configuration,
            stages: stages,
            logger: logger,
            once: self.once,
            seed: self.seed ?? UInt64.random(in: 0...UInt64.max),
            metrics: metrics
        )

        // The endpoint: on the daemon by default; on a single cycle only when asked for.
        var server: MetricsServer?
        if let listen = configuration.watch.listen, !self.once || self.listen != nil {
            do {
                server = try MetricsServer.start(listen: listen, registry: registry) {
                    if let counts = pipeline.counts() { metrics.feeds(counts) }
                    if let cluster = pipeline.clusterStatus() {
                        metrics.cluster(
                            worker: cluster.worker,
                            leases: cluster.leases,
                            outboxPending: cluster.outboxPending
                        )
                    }
                } health: {
                    pipeline.health()
                }
                logger.notice("serving /metrics and /healthz", metadata: ["listen": "\(listen)"])
            } catch {
                FileHandle.standardError.write(Data("newswire: cannot listen on \(listen): \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        defer { server?.stop() }
        let signals = SignalHandlers(logger: logger)
        signals.install(
            stop: { signal in
                logger.notice(
                    "stopping: polls in flight finish, then the output and state are committed",
                    metadata: ["signal": "\(signal)", "drain_s": "\(configuration.watch.drainSeconds)"]
                )
                pipeline.stop()
                let deadline = configuration.watch.drainSeconds
                DispatchQueue.global().asyncAfter(deadline: .now() + deadline + 1.5) {
                    // What was released is committed within a second (the idle commit);
                    // what is still in flight is polled again on the next start.
                    logger.warning("drain deadline passed; exiting with polls still in flight")
                    Foundation.exit(0)
                }
            },
            reload: {
                do {
                    pipeline.reload(try self.loadConfiguration())
                } catch {
                    logger.error(
                        "pipeline file not reloaded; the old one keeps running",
                        metadata: ["error": "\(error)"]
                    )
                }
            },
            pollNow: {
                logger.notice("every feed is due now (SIGUSR1)")
                pipeline.pollAllNow()
            }
        )
        let summary: CrawlSummary
        do {
            summary = try pipeline.run()
        } catch {
            FileHandle.standardError.write(Data("newswire: \(error)\n".utf8))
            throw ExitCode(2)
        }
        FileHandle.standardError.write(Data("newswire: \(configuration.name): \(summary.line)\n".utf8))
    }
}

/// SIGINT/SIGTERM, SIGHUP and SIGUSR1 as dispatch sources (never async-signal handlers).
final class SignalHandlers: @unchecked Sendable {
    // @unchecked: `sources` is written once, in `install`, before any handler runs.
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "newswire.signals")
    private let logger: Logger
    private let stops = Mutex(0)

    init(logger: Logger) {
        self.logger = logger
    }

    func install(
        stop: @escaping @Sendable (String) -> Void,
        reload: @escaping @Sendable () -> Void,
        pollNow: @escaping @Sendable () -> Void
    ) {
        let handlers: [(Int32, String, @Sendable () -> Void)] = [
            (SIGINT, "SIGINT", { self.stopOnce("SIGINT", stop) }),
            (SIGTERM, "SIGTERM", { self.stopOnce("SIGTERM", stop) }),
            (SIGHUP, "SIGHUP", reload),
            (SIGUSR1, "SIGUSR1", pollNow),
        ]
        for (number, _, handler) in handlers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: self.queue)
            source.setEventHandler(handler: handler)
            source.resume()
            self.sources.append(source)
        }
    }

    /// The first stop signal drains; a second one exits at once.
    private func stopOnce(_ name: String, _ stop: @Sendable (String) -> Void) {
        let count = self.stops.withLock { count in
            count += 1
            return count
        }
        if count == 1 {
            stop(name)
        } else {
            FileHandle.standardError.write(Data("newswire: \(name) again: exiting without draining\n".utf8))
            Foundation.exit(130)
        }
    }
}
