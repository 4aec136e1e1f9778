import Foundation
import NewswireCore
import Synchronization
import Testing

@testable import NewswirePostgres

extension PostgresTests {
    /// Feed leases and heartbeats: claim, renewal, expiry and takeover, release.
    @Suite struct LeaseTests {
        private let hosts = (0..<10).map { "host:news\($0).example" }

        @Test func claimsUnheldLeasesInBatchesAndNeverTwice() throws {
            let schema = TestSchema()
            let first = try schema.open()
            let second = try schema.open()
            try first.registerLeases(self.hosts + ["relay"])
            try second.registerLeases(self.hosts)  // Registering again changes nothing.
            let a = try first.claimLeases(worker: "a", prefix: "host:", limit: 4, seconds: 30)
            #expect(a == Array(self.hosts.prefix(4)))
            let b = try second.claimLeases(worker: "b", prefix: "host:", limit: 100, seconds: 30)
            #expect(b == Array(self.hosts.dropFirst(4)))
            #expect(try first.claimLeases(worker: "a", prefix: "host:", limit: 4, seconds: 30) == [])
            let leases = try first.leases()
            #expect(leases.count == 11)
            #expect(leases.first { $0.name == "relay" }?.owner == nil)
            #expect(leases.filter { $0.owner == "a" }.map(\.name) == a)
            #expect(leases.filter { $0.owner != nil }.allSatisfy { ($0.expiresAt?.timeIntervalSinceNow ?? 0) > 20 })
        }

        /// Eight workers claim at once, over and over: every lease has one owner, and together
        /// they hold them all.
        @Test func concurrentClaimsNeverShareALease() throws {
            let schema = TestSchema()
            let names = (0..<200).map { "host:site\($0).example" }
            let stores = try (0..<4).map { _ in try schema.open() }
            try stores[0].registerLeases(names)
            let claimed = Mutex<[String: [String]]>([:])
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                let store = stores[worker % stores.count]
                for _ in 0..<10 {
                    do {
                        let got = try store.claimLeases(worker: "w\(worker)", prefix: "host:", limit: 3, seconds: 60)
                        claimed.withLock { $0["w\(worker)", default: []] += got }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let all = claimed.withLock { $0.values.flatMap { $0 } }
            #expect(all.count == 200)
            #expect(Set(all) == Set(names))
            let owners = try stores[0].leases().map(\.owner)
            #expect(owners.allSatisfy { $0 != nil })
            for (worker, names) in claimed.withLock({ $0 }) {
                #expect(try stores[0].leases().filter { $0.owner == worker }.map(\.name).sorted() == names.sorted())
            }
        }

        @Test func renewalKeepsALeasePastItsFirstExpiry() throws {
            let schema = TestSchema()
            let first = try schema.open()
            let second = try schema.open()
            try first.registerLeases(["host:a.example"])
            #expect(try first.claimLeases(worker: "a", prefix: "host:", limit: 1, seconds: 1) == ["host:a.example"])
            for _ in 0..<3 {
                Thread.sleep(forTimeInterval: 0.5)
                #expect(try first.renewLeases(worker: "a", seconds: 1) == ["host:a.example"])
                #expect(try second.claimLeases(worker: "b", prefix: "host:", limit: 1, seconds: 1) == [])
            }
            #expect(try first.leases().first?.owner == "a")
        }

        /// A worker that stops renewing (as if killed) loses its leases after their duration,
        /// to another worker; its next renewal no longer returns them.
        @Test func anExpiredLeaseIsTakenOver() throws {
            let schema = TestSchema()
            let dead = try schema.open()
            let alive = try schema.open()
            try dead.registerLeases(["host:a.example", "host:b.example"])
            #expect(try dead.claimLeases(worker: "dead", prefix: "host:", limit: 2, seconds: 1).count == 2)
            #expect(try alive.claimLeases(worker: "alive", prefix: "host:", limit: 2, seconds: 1) == [])
            let start = Date()
            var taken: [String] = []
            while taken.count < 2 && Date().timeIntervalSince(start) < 5 {
                taken += try alive.claimLeases(worker: "alive", prefix: "host:", limit: 2, seconds: 30)
                if taken.count < 2 { Thread.sleep(forTimeInterval: 0.1) }
            }
            let waited = Date().timeIntervalSince(start)
            #expect(taken.sorted() == ["host:a.example", "host:b.example"])
            #expect(waited >= 0.8 && waited < 2, "taken over after \(waited) s, lease 1 s")
            #expect(try dead.renewLeases(worker: "dead", seconds: 1) == [])
            #expect(try alive.renewLeases(worker: "alive", seconds: 30).count == 2)
        }

        @Test func releasedLeasesAreFreeAtOnce() throws {
            let schema = TestSchema()
            let first = try schema.open()
            let second = try schema.open()
            try first.registerLeases(self.hosts)
            #expect(try first.claimLeases(worker: "a", prefix: "host:", limit: 10, seconds: 60).count == 10)
            try first.releaseLeases(worker: "a", names: ["host:news3.example", "host:news7.example"])
            try second.releaseLeases(worker: "b", names: nil)  // Not b's: nothing happens.
            #expect(
                try second.claimLeases(worker: "b", prefix: "host:", limit: 10, seconds: 60) == [
                    "host:news3.example", "host:news7.example",
                ]
            )
            try first.releaseLeases(worker: "a", names: nil)
            #expect(try first.leases().filter { $0.owner == "a" }.isEmpty)
            #expect(try first.leases().filter { $0.owner == nil }.allSatisfy { $0.expiresAt == nil })
            #expect(try second.claimLeases(worker: "b", prefix: "host:", limit: 10, seconds: 60).count == 8)
        }

        /// A prefix is literal: `_` and `%` in it are not LIKE wildcards.
        @Test func claimsOnlyNamesWithThePrefix() throws {
            let schema = TestSchema()
            let store = try schema.open()
            try store.registerLeases(["host_a", "hostXa", "relay", "host%b"])
            #expect(try store.claimLeases(worker: "a", prefix: "host_", limit: 10, seconds: 60) == ["host_a"])
            #expect(try store.claimLeases(worker: "a", prefix: "host%", limit: 10, seconds: 60) == ["host%b"])
            #expect(try store.claimLeases(worker: "a", prefix: "", limit: 10, seconds: 60) == ["hostXa", "relay"])
        }

        @Test func heartbeatsCountLiveWorkers() throws {
            let schema = TestSchema()
            let store = try schema.open()
            let now = Date()
            let a = WorkerRecord(id: "a", description: "node-1 pid 10", startedAt: now, lastSeenAt: now)
            let b = WorkerRecord(id: "b", description: "node-2 pid 20", startedAt: now, lastSeenAt: now)
            #expect(try store.heartbeat(worker: a, liveSeconds: 10) == 1)
            #expect(try store.heartbeat(worker: b, liveSeconds: 10) == 2)
            #expect(try store.heartbeat(worker: a, liveSeconds: 10) == 2)
            Thread.sleep(forTimeInterval: 0.6)
            #expect(try store.heartbeat(worker: b, liveSeconds: 0.5) == 1)
            let workers = try store.workers()
            #expect(workers.map(\.id) == ["b", "a"])
            #expect(workers[0].description == "node-2 pid 20")
            #expect(workers[0].lastSeenAt > workers[1].lastSeenAt)
            #expect(workers.allSatisfy { abs($0.startedAt.timeIntervalSince(now)) < 60 })
        }
    }
}
