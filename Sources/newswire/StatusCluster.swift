import Foundation
import NewswireCore
import NewswireState

extension Status {
    /// The workers of a shared state store, their leases, and the outbox waiting for the relay.
    struct Cluster {
        struct Worker {
            var record: WorkerRecord
            var hosts: Int
            var relay: Bool
        }

        var workers: [Worker] = []
        var hostLeases = 0
        var unheldHosts = 0
        /// Records stored and not yet published (nil without an outbox).
        var outboxPending: Int?
        var outboxLastPosition: Int64 = 0

        /// Reads what `store` knows of workers and the outbox; `nil` for a store that has neither.
        init?(_ store: any PipelineStateStore) throws {
            let leaseStore = store as? any LeaseStore
            let outbox = store as? any OutboxStore
            guard leaseStore != nil || outbox != nil else { return nil }
            if let leaseStore {
                let now = Date()
                let leases = try leaseStore.leases()
                let live = leases.filter { $0.owner != nil && ($0.expiresAt ?? .distantPast) > now }
                self.hostLeases = leases.filter { $0.name.hasPrefix("host:") }.count
                self.unheldHosts = self.hostLeases - live.filter { $0.name.hasPrefix("host:") }.count
                self.workers = try leaseStore.workers().map { record in
                    let mine = live.filter { $0.owner == record.id }
                    return Worker(
                        record: record,
                        hosts: mine.filter { $0.name.hasPrefix("host:") }.count,
                        relay: mine.contains { $0.name == "relay" }
                    )
                }
            }
            if let outbox {
                let status = try outbox.outboxStatus()
                self.outboxPending = status.count
                self.outboxLastPosition = status.lastPosition
            }
        }

        func write(to writer: inout JSONWriter, now: Date) {
            if let pending = self.outboxPending {
                writer.key("outbox")
                writer.beginObject()
                writer.key("pending")
                writer.value(pending)
                writer.key("last_position")
                writer.value(Int(self.outboxLastPosition))
                writer.endObject()
            }
            guard self.hostLeases > 0 || !self.workers.isEmpty else { return }
            writer.key("hosts_unheld")
            writer.value(self.unheldHosts)
            writer.key("workers")
            writer.beginArray()
            for worker in self.workers {
                writer.beginObject()
                writer.key("id")
                writer.value(worker.record.id)
                writer.key("description")
                writer.value(worker.record.description)
                writer.key("started_at")
                writer.value(RFC3339.string(from: worker.record.startedAt))
                writer.key("last_seen_at")
                writer.value(RFC3339.string(from: worker.record.lastSeenAt))
                writer.key("hosts")
                writer.value(worker.hosts)
                writer.key("relay")
                writer.value(worker.relay)
                writer.endObject()
            }
            writer.endArray()
        }

        func table(now: Date) -> String {
            var lines: [String] = []
            if !self.workers.isEmpty || self.hostLeases > 0 {
                lines.append("")
                lines.append("WORKER  LAST SEEN  HOSTS  RELAY  DESCRIPTION")
                for worker in self.workers {
                    lines.append(
                        [
                            worker.record.id, Status.age(worker.record.lastSeenAt, now: now), String(worker.hosts),
                            worker.relay ? "yes" : "-", worker.record.description,
                        ]
                        .joined(separator: "  ")
                    )
                }
                lines.append("\(self.hostLeases) hosts leased out, \(self.unheldHosts) unheld")
            }
            if let pending = self.outboxPending, pending > 0 || self.outboxLastPosition > 0 {
                lines.append(
                    "outbox: \(pending) records waiting for the relay (last position \(self.outboxLastPosition))"
                )
            }
            return lines.joined(separator: "\n")
        }
    }
}
